package io.gonka.exporter.model;

import java.util.OptionalLong;

/**
 * {@code /v1/epochs/latest}.
 *
 * @param effectiveEpochIndex the epoch being paid for (one behind {@code latest_epoch} during PoC)
 * @param nextPocStart        the first PoC start above {@code blockHeight}, when there is one
 */
public record EpochSnapshot(
        long blockHeight,
        long latestEpochIndex,
        long effectiveEpochIndex,
        EpochPhase phase,
        String rawPhase,
        OptionalLong nextPocStart) {}
