package io.gonka.exporter.model;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One ML node registered with the API node ({@code /admin/v1/nodes}).
 *
 * @param pocWeights per model of {@code epoch_ml_nodes}: PoC weight this epoch (a missing key is 0)
 * @param pocSlots   per model: whether the node keeps serving inference during PoC ({@code preserved_models} in
 *                   the newest broker, {@code timeslot_allocation[1]} before)
 * @param lockCount  requests the broker has in flight on the node ({@code lock_count})
 * @param maxConcurrent the node's registered {@code max_concurrent}; the broker skips it when lockCount reaches it
 * @param failureReason the broker's {@code failure_reason}, "" when none
 */
public record MlNode(
        String id,
        String host,
        int pocPort,
        String pocSegment,
        String version,
        MlNodeStatus currentStatus,
        MlNodeStatus intendedStatus,
        PocStatus pocStatus,
        boolean enabled,
        Map<String, Double> pocWeights,
        Map<String, Boolean> pocSlots,
        Optional<Instant> statusTimestamp,
        int lockCount,
        int maxConcurrent,
        String failureReason) {

    public boolean statusMismatch() {
        return currentStatus != intendedStatus;
    }

    /**
     * A bounded label for {@link #failureReason}: the broker's texts start with what failed ("inference up
     * failed: Post \"http://...\": dial tcp ...") and go on with hosts and errors; the part before the first
     * colon, lower-cased and cut to 64 characters, is the stable part.
     */
    public String failureKind() {
        String r = failureReason.strip();
        int colon = r.indexOf(':');
        String head = (colon > 0 ? r.substring(0, colon) : r).strip().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9 _./-]", "").replaceAll("\\s+", " ");
        return head.length() > 64 ? head.substring(0, 64) : head.isEmpty() ? "other" : head;
    }
}
