package io.gonka.exporter.rules;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The chain's {@code AdjustWeightsByCollateral} (x/inference keeper, Tokenomics V2): after the grace
 * period a participant's weight W counts as
 * {@code trunc(W x r + min(W x (1 - r), collateral / u))} with r = {@code base_weight_ratio} and
 * u = {@code collateral_per_weight_unit}; no collateral activates nothing, and u = 0 lets any
 * deposit activate all of it. Exact decimal arithmetic, as the chain's LegacyDec.
 */
public final class CollateralWeight {
    private CollateralWeight() {
    }

    /** The weight that counts after the adjustment. */
    public static long effectiveWeight(long weight, BigInteger collateral, BigDecimal baseWeightRatio, BigDecimal collateralPerWeightUnit) {
        BigDecimal potential = BigDecimal.valueOf(weight);
        BigDecimal base = potential.multiply(baseWeightRatio);
        BigDecimal eligible = potential.subtract(base);
        BigDecimal activated;
        if (collateral.signum() <= 0) {
            activated = BigDecimal.ZERO;
        } else if (collateralPerWeightUnit.signum() == 0) {
            activated = eligible;
        } else {
            // LegacyDec keeps 18 decimals
            BigDecimal fromCollateral = new BigDecimal(collateral).divide(collateralPerWeightUnit, 18, RoundingMode.HALF_EVEN);
            activated = eligible.min(fromCollateral);
        }
        return base.add(activated).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    /** W minus the effective weight: what stops counting because collateral does not back it. */
    public static long weightAtRisk(long weight, BigInteger collateral, BigDecimal baseWeightRatio, BigDecimal collateralPerWeightUnit) {
        return weight - effectiveWeight(weight, collateral, baseWeightRatio, collateralPerWeightUnit);
    }
}
