package io.gonka.simulator;

import java.util.Locale;

/**
 * How a simulated endpoint misbehaves. The wire names (used by the control API) are the
 * lower-case enum names, e.g. {@code "slow_drip"}.
 */
public enum Fault {
    /** Normal answer. */
    OK,
    /** 500 with the endpoint family's error body. */
    HTTP_500,
    /** 404 with the endpoint family's error body. */
    HTTP_404,
    /** Accept the request and never answer (until the simulator stops or {@link FaultSpec#delayMillis()} passes). */
    HANG,
    /** Normal answer after {@link FaultSpec#delayMillis()}. */
    SLOW,
    /** Send 200 headers at once, then the body one byte per second. */
    SLOW_DRIP,
    /** 200 with a body that is not JSON. */
    MALFORMED,
    /** 200 with only the first half of the body (Content-Length matches the half). */
    TRUNCATED,
    /** 200 with valid JSON padded to {@link FaultSpec#hugeMegabytes()} MB, streamed chunked. */
    HUGE,
    /** Numbers become objects, booleans become arrays. */
    WRONG_TYPES,
    /** Enum-valued strings become {@code "WEIRD"}, integer enums become 99. */
    UNKNOWN_ENUMS,
    /** Alternates ok and http_500, starting with ok. */
    FLAPPING;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Fault fromWireName(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
