package io.gonka.exporter.sources;

import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.ParticipantStats;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * This participant's current-epoch stats from the chain REST API (through the public API's
 * {@code /chain-api/} proxy) and the chain's miss-rate cutoff from the inference params.
 */
public final class ParticipantStatsSource implements Source<ParticipantStats> {
    public static final String NAME = "participant_stats";
    private static final String PREFIX = "/chain-api/productscience/inference/inference";
    private static final String[] STATUS_NAMES = {"UNSPECIFIED", "ACTIVE", "INACTIVE", "INVALID", "RAMPING", "UNCONFIRMED"};

    private final UpstreamClient client;
    private final String base;
    private final Duration interval;
    private final Supplier<Optional<String>> address;
    /** The cutoff changes only by governance vote; a failed params call keeps the last known one. */
    private volatile OptionalDouble lastCutoff = OptionalDouble.empty();

    public ParticipantStatsSource(UpstreamClient client, String publicUrl, Duration interval, Supplier<Optional<String>> address) {
        this.client = client;
        this.base = publicUrl + PREFIX;
        this.interval = interval;
        this.address = address;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public CompletionStage<ParticipantStats> poll() {
        Optional<String> addr = address.get();
        if (addr.isEmpty()) {
            return CompletableFuture.failedFuture(new NotReadyException("participant address not known yet"));
        }
        CompletableFuture<OptionalDouble> cutoff = client.getOk(base + "/params", false)
                .thenApply(ParticipantStatsSource::parseCutoff)
                .exceptionally(t -> OptionalDouble.empty());
        String url = base + "/participant/" + URLEncoder.encode(addr.get(), StandardCharsets.UTF_8);
        return client.getOk(url, false)
                .thenCombine(cutoff, (body, p0) -> {
                    if (p0.isPresent()) {
                        lastCutoff = p0;
                    }
                    return parse(body, lastCutoff);
                });
    }

    public static OptionalDouble parseCutoff(byte[] body) {
        JsonNode root = readTree(body, NAME + ".params");
        JsonNode params = object(root, "params", NAME);
        return optionalObject(params, "validation_params", NAME + ".params")
                .map(v -> optionalDecimal(v, "binom_test_p0", NAME + ".params.validation_params"))
                .orElse(OptionalDouble.empty())
                .stream().filter(p -> p > 0 && p < 1).findFirst();
    }

    public static ParticipantStats parse(byte[] body, OptionalDouble cutoff) {
        JsonNode root = readTree(body, NAME);
        JsonNode p = object(root, "participant", NAME);
        String address = textOrEmpty(p, "address", NAME + ".participant");
        if (address.isEmpty()) {
            address = requiredText(p, "index", NAME + ".participant");
        }
        String status = status(p.get("status"));
        // current_epoch_stats is null for a participant with no activity this epoch yet: all zero.
        JsonNode stats = optionalObject(p, "current_epoch_stats", NAME + ".participant").orElse(null);
        String path = NAME + ".participant.current_epoch_stats";
        return new ParticipantStats(address, status,
                numberOrZero(stats, "inference_count", path),
                numberOrZero(stats, "missed_requests", path),
                numberOrZero(stats, "validated_inferences", path),
                numberOrZero(stats, "invalidated_inferences", path),
                numberOrZero(stats, "earned_coins", path),
                cutoff);
    }

    /** Names from the gateway, or the number for a value it does not know. */
    static String status(JsonNode n) {
        if (n == null || n.isNull()) {
            return "UNSPECIFIED";
        }
        if (n.isIntegralNumber()) {
            int i = n.intValue();
            return i >= 0 && i < STATUS_NAMES.length ? STATUS_NAMES[i] : "UNKNOWN";
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            if (s.chars().allMatch(Character::isDigit) && !s.isEmpty() && s.length() < 3) {
                int i = Integer.parseInt(s);
                return i < STATUS_NAMES.length ? STATUS_NAMES[i] : "UNKNOWN";
            }
            for (String known : STATUS_NAMES) {
                if (known.equals(s)) {
                    return s;
                }
            }
            return "UNKNOWN";
        }
        throw SourceException.parse(NAME + ".participant.status: expected a string or number, got " + kind(n));
    }
}
