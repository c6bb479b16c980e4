package io.gonka.exporter.model;

import java.time.Instant;
import java.util.Optional;

/** CometBFT {@code /status}: the local node's latest block. */
public record ChainStatus(long height, Optional<Instant> latestBlockTime, boolean catchingUp) {}
