package io.gonka.exporter.model;

import io.gonka.exporter.rules.ChainRelease;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * What the chain node says about the rules that judge missed requests: the release it runs and
 * the inference module's parameters that feed the judgement.
 *
 * @param nodeVersion       the node's {@code /abci_info} version as reported ("" when none)
 * @param release           the release, from that version or from the applied upgrade plans
 * @param binomTestP0       {@code validation_params.binom_test_p0}; empty when the params carry none
 * @param downtimeThreshold {@code collateral_params.downtime_missed_percentage_threshold}
 * @param paramsFrom        where the params came from: {@code abci_query} or {@code chain_api}
 * @param collateral        {@code collateral_params} that turn collateral into weight, when present
 */
public record ChainParams(String nodeVersion, Optional<ChainRelease> release, Optional<BigDecimal> binomTestP0,
                          Optional<BigDecimal> downtimeThreshold, String paramsFrom, Optional<CollateralParams> collateral) {

    /**
     * {@code AdjustWeightsByCollateral}: after epoch {@code gracePeriodEndEpoch} a participant's weight
     * counts as W x baseWeightRatio plus at most collateral / collateralPerWeightUnit.
     */
    public record CollateralParams(BigDecimal baseWeightRatio, BigDecimal collateralPerWeightUnit, long gracePeriodEndEpoch) {}

    public ChainParams withRelease(Optional<ChainRelease> r, String version) {
        return new ChainParams(version, r, binomTestP0, downtimeThreshold, paramsFrom, collateral);
    }
}
