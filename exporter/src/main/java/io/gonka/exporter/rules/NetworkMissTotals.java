package io.gonka.exporter.rules;

/**
 * The sums {@code getDynamicP0} takes over the epoch's active participants: requests
 * (inference_count + missed_requests), missed requests, and how many participants had any.
 */
public record NetworkMissTotals(long requests, long missed, long participantsWithRequests) {
    public NetworkMissTotals {
        if (requests < 0 || missed < 0 || missed > requests || participantsWithRequests < 0) {
            throw new IllegalArgumentException("inconsistent network totals: " + missed + "/" + requests);
        }
    }
}
