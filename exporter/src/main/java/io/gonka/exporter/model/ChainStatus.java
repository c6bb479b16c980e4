package io.gonka.exporter.model;

import java.time.Instant;
import java.util.Optional;

/**
 * CometBFT {@code /status}: the local node's latest block, and its consensus public key
 * ({@code validator_info.pub_key.value}, base64 ed25519), which equals its participant's {@code validator_key}.
 */
public record ChainStatus(long height, Optional<Instant> latestBlockTime, boolean catchingUp, Optional<String> validatorPubKey) {

    public ChainStatus(long height, Optional<Instant> latestBlockTime, boolean catchingUp) {
        this(height, latestBlockTime, catchingUp, Optional.empty());
    }
}
