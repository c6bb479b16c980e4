package io.gonka.exporter.model;

/**
 * This host's validator as CometBFT RPC shows it: set membership and voting power
 * ({@code /validators}), and the blocks of the slashing window it did not sign (commit signatures).
 *
 * @param address           the node's consensus address (hex, {@code /status validator_info})
 * @param inActiveSet       whether that address is in the current validator set
 * @param votingPower       its voting power there (0 when not in the set)
 * @param windowBlocks      blocks of the window whose commit was seen (at most the window size)
 * @param missedBlocks      of those, blocks it did not sign while in the set
 * @param consecutiveMissed missed blocks in a row up to the newest one seen
 * @param lastHeight        the newest height whose commit was seen (0: none yet)
 * @param signingInfo       the slashing module's signing info over {@code abci_query}, when the node answers it
 * @param chainTime         the latest block time from {@code /status} (what jailed_until is compared with)
 */
public record ValidatorLiveness(String address, boolean inActiveSet, long votingPower, int windowBlocks, int missedBlocks,
                                int consecutiveMissed, long lastHeight, java.util.Optional<ValidatorSigningInfo> signingInfo,
                                java.util.Optional<java.time.Instant> chainTime) {

    public ValidatorLiveness(String address, boolean inActiveSet, long votingPower, int windowBlocks, int missedBlocks,
                             int consecutiveMissed, long lastHeight) {
        this(address, inActiveSet, votingPower, windowBlocks, missedBlocks, consecutiveMissed, lastHeight,
                java.util.Optional.empty(), java.util.Optional.empty());
    }
}
