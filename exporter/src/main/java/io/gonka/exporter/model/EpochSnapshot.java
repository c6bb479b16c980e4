package io.gonka.exporter.model;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code /v1/epochs/latest}.
 *
 * @param effectiveEpochIndex the epoch being paid for (one behind {@code latest_epoch} during PoC)
 * @param nextPocStart        the first PoC start above {@code blockHeight}, when there is one
 * @param confirmationPoc     newest releases: whether a confirmation PoC runs and its phase; empty on v0.2.0
 */
public record EpochSnapshot(
        long blockHeight,
        long latestEpochIndex,
        long effectiveEpochIndex,
        EpochPhase phase,
        String rawPhase,
        OptionalLong nextPocStart,
        Optional<ConfirmationPoc> confirmationPoc) {

    /** @param phase one of {@code EpochSource.CONFIRMATION_PHASES}, or UNKNOWN */
    public record ConfirmationPoc(boolean active, String phase) {}
}
