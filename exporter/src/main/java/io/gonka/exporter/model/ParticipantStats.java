package io.gonka.exporter.model;

import java.util.OptionalDouble;

/**
 * This participant's chain record ({@code /chain-api/.../participant/{address}}) and the chain's
 * miss-rate cutoff ({@code validation_params.binom_test_p0}, when the params answered).
 */
public record ParticipantStats(
        String address,
        String status,
        double completedInferences,
        double missedRequests,
        double validatedInferences,
        double invalidatedInferences,
        double earnedCoins,
        OptionalDouble missRateCutoff) {

    /** missed / (completed + missed), 0 when both are 0 (METRICS.md). */
    public double missRate() {
        double total = completedInferences + missedRequests;
        return total <= 0 ? 0 : missedRequests / total;
    }
}
