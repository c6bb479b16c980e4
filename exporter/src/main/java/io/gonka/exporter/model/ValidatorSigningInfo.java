package io.gonka.exporter.model;

import java.time.Instant;
import java.util.Optional;

/**
 * The slashing module's record of this host's validator ({@code cosmos.slashing.v1beta1.ValidatorSigningInfo}).
 *
 * @param jailedUntil         {@code jailed_until}; empty when never set (the zero time, 1970 or year 1)
 * @param tombstoned          jailed for good (double signing)
 * @param missedBlocksCounter the chain's own count of missed blocks in the current window
 * @param height              the chain height the answer is for
 */
public record ValidatorSigningInfo(Optional<Instant> jailedUntil, boolean tombstoned, long missedBlocksCounter, long height) {

    /** Jailed and not allowed to unjail yet at {@code now} (chain time): jailed_until lies ahead, or tombstoned. */
    public boolean jailedAt(Instant now) {
        return tombstoned || jailedUntil.map(t -> t.isAfter(now)).orElse(false);
    }
}
