package io.gonka.exporter.rules;

/**
 * How a release of gonka-ai/gonka judges a participant's missed inference requests at the end of
 * an epoch (inference-chain/x/inference; n = inference_count + missed_requests).
 */
public enum MissRule {
    /**
     * v0.2.0, v0.2.1 ({@code keeper/collateral.go CheckAndSlashForDowntime}): collateral slash when
     * missed/n &gt; {@code collateral_params.downtime_missed_percentage_threshold}; no reward loss.
     */
    COLLATERAL_THRESHOLD,
    /** v0.2.2 - v0.2.5 ({@code calculations/stats.go} @2002c9f3): one table, p0 fixed at 0.10. */
    LEGACY_TABLE,
    /** v0.2.6 - v0.2.9 ({@code stats_table.go} @384b9502): governance {@code binom_test_p0} as is. */
    GOVERNANCE_TABLES,
    /** v0.2.10 on ({@code stats_table.go} @bb2de824, {@code getDynamicP0}): p0 from governance and the network. */
    DYNAMIC_P0;

    /** True when failing the test zeroes the epoch's reward (not only collateral). */
    public boolean costsReward() {
        return this != COLLATERAL_THRESHOLD;
    }
}
