package io.gonka.exporter.rules;

import java.math.BigDecimal;

/**
 * The chain's verdict on a participant's misses if the epoch ended now.
 *
 * @param requests          n = inference_count + missed_requests
 * @param missed            missed_requests
 * @param allowedMisses     the most misses that still pass at n (the critical value), at most n
 * @param p0                the p0 (or, for v0.2.0, the collateral threshold) in effect
 * @param source            where p0 comes from
 * @param punishmentSkipped v0.2.10+: the network part reached 0.50, nobody is punished this epoch
 */
public record MissTestVerdict(MissRule rule, long requests, long missed, long allowedMisses, BigDecimal p0, P0Source source,
                              boolean punishmentSkipped) {

    public boolean failing() {
        return missed > allowedMisses;
    }

    /** Allowed minus actual misses: how many more misses the participant can take at this n. */
    public long margin() {
        return allowedMisses - missed;
    }
}
