package io.gonka.exporter.model;

import java.util.OptionalDouble;

/**
 * This participant's chain record (the params that judge its misses come from ChainParamsSource).
 * Read from whichever route the node serves ({@link #route}): the API node's {@code /v2/participants/{a}} (newest releases) or the chain REST gateway's {@code participant/{a}}.
 *
 * @param coinBalance    the participant record's {@code coin_balance} (coins owed to it on the chain)
 * @param walletBalance  the account balance from {@code /v1/participants/{a}}, when that answered
 * @param route          {@code v2_participants} or {@code chain_rest}: where the record came from
 */
public record ParticipantStats(
        String address,
        String status,
        double completedInferences,
        double missedRequests,
        double validatedInferences,
        double invalidatedInferences,
        double earnedCoins,
        double rewardedCoins,
        double burnedCoins,
        double coinBalance,
        double epochsCompleted,
        OptionalDouble walletBalance,
        String route) {

    /** missed / (completed + missed), 0 when both are 0 (METRICS.md). */
    public double missRate() {
        double total = completedInferences + missedRequests;
        return total <= 0 ? 0 : missedRequests / total;
    }

    public ParticipantStats withWallet(OptionalDouble balance) {
        return new ParticipantStats(address, status, completedInferences, missedRequests, validatedInferences,
                invalidatedInferences, earnedCoins, rewardedCoins, burnedCoins, coinBalance, epochsCompleted, balance, route);
    }
}
