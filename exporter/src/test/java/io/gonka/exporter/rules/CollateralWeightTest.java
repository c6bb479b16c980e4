package io.gonka.exporter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** AdjustWeightsByCollateral against values worked out by hand. */
class CollateralWeightTest {
    private static final BigDecimal R = new BigDecimal("0.2");
    private static final BigDecimal U = new BigDecimal("4.2");

    private static long atRisk(long w, long c, BigDecimal r, BigDecimal u) {
        return CollateralWeight.weightAtRisk(w, BigInteger.valueOf(c), r, u);
    }

    @Test
    void partlyBacked() {
        // W 58351: base 11670.2, eligible 46680.8; 100000 / 4.2 = 23809.523809...;
        // effective trunc(11670.2 + 23809.5238...) = 35479, lost 58351 - 35479 = 22872
        assertEquals(35479, CollateralWeight.effectiveWeight(58351, BigInteger.valueOf(100_000), R, U));
        assertEquals(22872, atRisk(58351, 100_000, R, U));
    }

    @Test
    void fullyBackedLosesNothing() {
        // eligible 46680.8 needs 46680.8 x 4.2 = 196059.36; 200000 covers it
        assertEquals(0, atRisk(58351, 200_000, R, U));
        // one unit short of 196059.36 still truncates to the full weight? 196059 / 4.2 = 46680.714...,
        // 11670.2 + 46680.714 = 58350.914 -> 58350: one weight unit lost
        assertEquals(1, atRisk(58351, 196_059, R, U));
    }

    @Test
    void noCollateralKeepsOnlyTheBase() {
        // trunc(1000 x 0.2) = 200 counts, 800 lost
        assertEquals(800, atRisk(1000, 0, R, U));
        // r = 1: nothing needs collateral
        assertEquals(0, atRisk(1000, 0, BigDecimal.ONE, U));
    }

    @Test
    void zeroUnitPriceActivatesEverythingWithAnyDeposit() {
        assertEquals(0, atRisk(1000, 1, R, BigDecimal.ZERO));
        assertEquals(800, atRisk(1000, 0, R, BigDecimal.ZERO));
    }
}
