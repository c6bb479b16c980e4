package io.gonka.exporter.model;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One ML node registered with the API node ({@code /admin/v1/nodes}).
 *
 * @param pocWeights per model of {@code epoch_ml_nodes}: PoC weight this epoch (a missing key is 0)
 * @param pocSlots   per model: whether the node keeps serving inference during PoC ({@code timeslot_allocation[1]})
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
        Optional<Instant> statusTimestamp) {

    public boolean statusMismatch() {
        return currentStatus != intendedStatus;
    }
}
