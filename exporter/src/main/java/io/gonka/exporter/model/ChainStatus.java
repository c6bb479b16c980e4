package io.gonka.exporter.model;

import java.time.Instant;
import java.util.Optional;

/**
 * CometBFT {@code /status}: the local node's latest block, its consensus public key
 * ({@code validator_info.pub_key.value}, base64 ed25519), which equals its participant's {@code validator_key},
 * and its consensus address ({@code validator_info.address}, upper-case hex; "" when the node has none).
 */
public record ChainStatus(long height, Optional<Instant> latestBlockTime, boolean catchingUp, Optional<String> validatorPubKey,
                          String validatorAddress) {

    public ChainStatus(long height, Optional<Instant> latestBlockTime, boolean catchingUp) {
        this(height, latestBlockTime, catchingUp, Optional.empty(), "");
    }

    public ChainStatus(long height, Optional<Instant> latestBlockTime, boolean catchingUp, Optional<String> validatorPubKey) {
        this(height, latestBlockTime, catchingUp, validatorPubKey, "");
    }
}
