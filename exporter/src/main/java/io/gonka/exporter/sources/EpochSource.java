package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.EpochPhase;
import io.gonka.exporter.model.EpochSnapshot;
import java.time.Duration;
import io.gonka.exporter.model.EpochSnapshot.ConfirmationPoc;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /v1/epochs/latest} on the public API: epoch, phase and the next PoC start. */
public final class EpochSource extends SingleRequestSource<EpochSnapshot> {
    public static final String NAME = "epoch";
    private static final Logger LOG = LoggerFactory.getLogger(EpochSource.class);

    public EpochSource(UpstreamClient client, String publicUrl, Duration interval) {
        super(NAME, client, publicUrl + "/v1/epochs/latest", interval, false);
    }

    @Override
    protected EpochSnapshot parseBody(byte[] body) {
        return parse(body);
    }

    public static EpochSnapshot parse(byte[] body) {
        JsonNode root = readTree(body, NAME);
        if (!root.isObject()) {
            throw SourceException.parse(NAME + ": expected an object, got " + kind(root));
        }
        long height = requiredLong(root, "block_height", NAME);
        JsonNode latest = object(root, "latest_epoch", NAME);
        long latestIndex = longOrZero(latest, "index", NAME + ".latest_epoch");
        String rawPhase = textOrEmpty(root, "phase", NAME);
        EpochPhase phase = EpochPhase.parse(rawPhase);
        if (phase == EpochPhase.UNKNOWN) {
            LOG.debug("epoch: unknown phase \"{}\", exported as UNKNOWN", clip(rawPhase));
        }
        JsonNode stages = optionalObject(root, "epoch_stages", NAME).orElse(null);
        JsonNode nextStages = optionalObject(root, "next_epoch_stages", NAME).orElse(null);

        OptionalLong effective = optionalLong(root, "effective_epoch_index", NAME);
        long effectiveIndex;
        if (effective.isPresent()) {
            effectiveIndex = effective.getAsLong();
        } else {
            // latest_epoch runs one ahead of the paid epoch from its PoC start until set_new_validators.
            OptionalLong setNew = stages == null ? OptionalLong.empty() : optionalLong(stages, "set_new_validators", NAME + ".epoch_stages");
            boolean beforeSwitch = setNew.isPresent() && height < setNew.getAsLong();
            effectiveIndex = beforeSwitch && latestIndex > 0 ? latestIndex - 1 : latestIndex;
        }

        // The next PoC start is the first candidate above the current height (epoch 0 has negative ones).
        long next = Long.MAX_VALUE;
        long[] candidates = {
                stages == null ? Long.MIN_VALUE : optionalLong(stages, "next_poc_start", NAME + ".epoch_stages").orElse(Long.MIN_VALUE),
                nextStages == null ? Long.MIN_VALUE : optionalLong(nextStages, "poc_start", NAME + ".next_epoch_stages").orElse(Long.MIN_VALUE),
                nextStages == null ? Long.MIN_VALUE : optionalLong(nextStages, "next_poc_start", NAME + ".next_epoch_stages").orElse(Long.MIN_VALUE)};
        for (long c : candidates) {
            if (c > height && c < next) {
                next = c;
            }
        }
        return new EpochSnapshot(height, latestIndex, effectiveIndex, phase, rawPhase,
                next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next),
                confirmationPoc(root));
    }

    /** Phases of {@code ConfirmationPoCPhase} without their {@code CONFIRMATION_POC_} prefix, by enum number. */
    public static final List<String> CONFIRMATION_PHASES = List.of("INACTIVE", "GRACE_PERIOD", "GENERATION", "VALIDATION", "COMPLETED");

    /**
     * Newest releases only: {@code is_confirmation_poc_active} (always there) and the active event's
     * {@code phase}: an integer from the API node's own handler, a name from the edge-api (protojson).
     */
    static Optional<ConfirmationPoc> confirmationPoc(JsonNode root) {
        Optional<Boolean> active = optionalBool(root, "is_confirmation_poc_active", NAME);
        if (active.isEmpty()) {
            return Optional.empty(); // v0.2.0: no confirmation PoC
        }
        String phase = "INACTIVE";
        Optional<JsonNode> event = optionalObject(root, "active_confirmation_poc_event", NAME);
        if (event.isPresent()) {
            JsonNode n = event.get().get("phase");
            phase = confirmationPhase(n);
            if ("UNKNOWN".equals(phase)) {
                LOG.debug("epoch: unknown confirmation PoC phase {}, exported as UNKNOWN", clip(String.valueOf(n)));
            }
        }
        return Optional.of(new ConfirmationPoc(active.get(), phase));
    }

    static String confirmationPhase(JsonNode n) {
        if (n == null || n.isNull()) {
            return "INACTIVE"; // encoding/json omits the zero value
        }
        if (n.isIntegralNumber()) {
            int i = n.canConvertToInt() ? n.intValue() : -1;
            return i >= 0 && i < CONFIRMATION_PHASES.size() ? CONFIRMATION_PHASES.get(i) : "UNKNOWN";
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            if (!s.isEmpty() && s.length() < 3 && s.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(s);
                return i < CONFIRMATION_PHASES.size() ? CONFIRMATION_PHASES.get(i) : "UNKNOWN";
            }
            String name = s.startsWith("CONFIRMATION_POC_") ? s.substring("CONFIRMATION_POC_".length()) : s;
            return CONFIRMATION_PHASES.contains(name) ? name : "UNKNOWN";
        }
        return "UNKNOWN";
    }
}
