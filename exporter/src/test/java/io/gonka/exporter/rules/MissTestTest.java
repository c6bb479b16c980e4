package io.gonka.exporter.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The port against the chain's own tables (every row of every table, read from the resources
 * independently of the port), against the generator the chain documents for them, and against
 * exact binomial tails computed here with integer arithmetic.
 */
class MissTestTest {
    private static final int[] PERMILLE = {50, 100, 200, 300, 400, 500};
    private static final MissTest.Params NO_PARAMS = new MissTest.Params(Optional.empty(), Optional.empty(), Optional.empty());

    private static MissTest.Params gov(String p0) {
        return new MissTest.Params(Optional.of(new BigDecimal(p0)), Optional.empty(), Optional.empty());
    }

    /** Rows of a resource table as {n, critical}, parsed here and not by the port. */
    private static List<int[]> rows(String name) throws IOException {
        try (InputStream in = MissTestTest.class.getResourceAsStream("/miss-test-tables/" + name + ".csv")) {
            assertNotNull(in, name);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.startsWith("# source: gonka-ai/gonka inference-chain/x/inference/calculations/"), name + " names its source");
            assertTrue(text.contains("# releases: release/v0.2."), name + " names its releases");
            List<int[]> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isEmpty() && Character.isDigit(line.charAt(0))) {
                    String[] p = line.split(",");
                    out.add(new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1])});
                }
            }
            return out;
        }
    }

    private static void checkEveryRow(CriticalValueTables tables, String suffix, MissRule rule) throws IOException {
        for (int pm : PERMILLE) {
            List<int[]> rows = rows("p0_" + pm + suffix);
            assertEquals(107, rows.size(), "rows of p0_" + pm + suffix);
            BigDecimal p0 = BigDecimal.valueOf(pm, 3);
            for (int i = 0; i < rows.size(); i++) {
                int n = rows.get(i)[0];
                int critical = rows.get(i)[1];
                long expected = Math.min(critical, n);
                assertEquals(expected, MissTest.allowedMisses(tables, n, p0), "p0=" + p0 + " n=" + n);
                // step function: every n up to the next row uses this row
                int next = i + 1 < rows.size() ? rows.get(i + 1)[0] : 991;
                for (int m = n; m < next; m++) {
                    assertEquals(Math.min(critical, m), MissTest.allowedMisses(tables, m, p0), "p0=" + p0 + " n=" + m + " (row " + n + ")");
                }
                if (rule == MissRule.GOVERNANCE_TABLES) {
                    MissTestVerdict atLimit = MissTest.evaluate(rule, n, expected, gov(p0.toPlainString()), Optional.empty()).orElseThrow();
                    assertFalse(atLimit.failing(), "p0=" + p0 + " n=" + n + " missed=" + expected);
                    if (expected < n) {
                        assertTrue(MissTest.evaluate(rule, n, expected + 1, gov(p0.toPlainString()), Optional.empty()).orElseThrow().failing());
                    }
                }
            }
        }
    }

    @Test
    void everyRowOfTheCurrentTables() throws IOException {
        checkEveryRow(CriticalValueTables.CURRENT, "", MissRule.DYNAMIC_P0);
    }

    @Test
    void everyRowOfTheV026Tables() throws IOException {
        checkEveryRow(CriticalValueTables.V0_2_6, "_v0.2.6", MissRule.GOVERNANCE_TABLES);
    }

    @Test
    void everyRowOfTheLegacyTable() throws IOException {
        List<int[]> rows = rows("legacy_p0_100");
        assertEquals(103, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            int n = rows.get(i)[0];
            int next = i + 1 < rows.size() ? rows.get(i + 1)[0] : 991;
            for (int m = n; m < next; m++) {
                MissTestVerdict v = MissTest.evaluate(MissRule.LEGACY_TABLE, m, 0, NO_PARAMS, Optional.empty()).orElseThrow();
                assertEquals(Math.min(rows.get(i)[1], m), v.allowedMisses(), "legacy n=" + m);
                assertEquals(P0Source.DEFAULT, v.source());
                assertEquals(0, new BigDecimal("0.10").compareTo(v.p0()));
            }
        }
        // rows 6..9 are missing in the chain's table: they use row 5
        assertEquals(3, CriticalValueTables.LEGACY.allowedMisses(9));
        // above 990: missed * 10 <= n
        assertEquals(116, CriticalValueTables.LEGACY.allowedMisses(990));
        assertEquals(99, CriticalValueTables.LEGACY.allowedMisses(999));
        assertEquals(500, CriticalValueTables.LEGACY.allowedMisses(5000));
    }

    /** The tables since v0.2.6 are floor(n p0 + z sqrt(n p0 (1 - p0))) with a small-n floor of min(n, 4). */
    @Test
    void tablesFollowTheGeneratorTheChainDocuments() throws IOException {
        double z = 1.6448536269514722;
        for (String suffix : new String[]{"", "_v0.2.6"}) {
            for (int pm : PERMILLE) {
                double p = pm / 1000.0;
                boolean smallNFloor = !(suffix.equals("_v0.2.6") && pm == 100); // P010 got the floor in v0.2.10
                for (int[] row : rows("p0_" + pm + suffix)) {
                    int n = row[0];
                    long normal = (long) Math.floor(n * p + z * Math.sqrt(n * p * (1 - p)));
                    long expected = smallNFloor ? Math.max(normal, Math.min(n, 4)) : normal;
                    assertEquals(expected, row[1], "p0_" + pm + suffix + " n=" + n);
                }
            }
        }
        // legacy: the smallest k with P(X >= k) <= 0.05 at p0 = 0.10, except n = 4 (table 2)
        for (int[] row : rows("legacy_p0_100")) {
            int n = row[0];
            int smallest = smallestKWithTailAtMostAlpha(n, 1, 10);
            if (n == 4) {
                assertEquals(2, row[1]);
            } else {
                assertEquals(smallest, row[1], "legacy n=" + n);
            }
        }
    }

    @Test
    void workedExamples() {
        BigDecimal p010 = new BigDecimal("0.10");
        assertEquals(4, MissTest.allowedMisses(CriticalValueTables.CURRENT, 10, p010));
        assertEquals(2, MissTest.allowedMisses(CriticalValueTables.V0_2_6, 10, p010));
        assertEquals(14, MissTest.allowedMisses(CriticalValueTables.CURRENT, 100, p010));
        assertEquals(61, MissTest.allowedMisses(CriticalValueTables.CURRENT, 500, p010));
        assertEquals(114, MissTest.allowedMisses(CriticalValueTables.CURRENT, 990, p010));
        assertEquals(99, MissTest.allowedMisses(CriticalValueTables.CURRENT, 991, p010), "the cliff above 990");
        assertEquals(500, MissTest.allowedMisses(CriticalValueTables.CURRENT, 5000, p010));
        assertEquals(48, MissTest.allowedMisses(CriticalValueTables.CURRENT, 100, new BigDecimal("0.4")));
        assertEquals(2000, MissTest.allowedMisses(CriticalValueTables.CURRENT, 5000, new BigDecimal("0.40")));
        assertEquals(1001, MissTest.allowedMisses(CriticalValueTables.CURRENT, 20020, new BigDecimal("0.05")));
        // floor(p0 * 1000) picks the table: 0.4009 is the P040 table, not the exact path
        assertEquals(48, MissTest.allowedMisses(CriticalValueTables.CURRENT, 100, new BigDecimal("0.4009")));
        // the chain errors out (= no punishment) for p0 outside (0, 1)
        assertEquals(100, MissTest.allowedMisses(CriticalValueTables.CURRENT, 100, BigDecimal.ONE));
        assertEquals(0, MissTest.allowedMisses(CriticalValueTables.CURRENT, 0, p010));
    }

    /** Table-free p0: the exact path, against P(X >= k) computed here as an exact fraction. */
    @Test
    void exactBinomialAtTableFreeP0() {
        int[][] fractions = {{15, 100}, {25, 100}, {7, 100}, {45, 100}, {6, 10}, {123, 1000}, {1, 1000}, {95, 100}};
        int[] sizes = {1, 2, 3, 5, 10, 17, 37, 100, 250, 500, 999, 1500};
        for (int[] f : fractions) {
            BigDecimal p0 = BigDecimal.valueOf(f[0]).divide(BigDecimal.valueOf(f[1]));
            for (int n : sizes) {
                long expected = largestKWithTailAtLeastAlpha(n, f[0], f[1]);
                assertEquals(expected, MissTest.allowedMisses(CriticalValueTables.V0_2_6, n, p0), "p0=" + p0 + " n=" + n);
                assertEquals(expected, MissTest.allowedMisses(CriticalValueTables.CURRENT, n, p0), "p0=" + p0 + " n=" + n);
            }
        }
        // worked example: at p0 = 0.10 the exact critical value at n = 100 would be 15 (table: 14)
        assertEquals(15, largestKWithTailAtLeastAlpha(100, 1, 10));
        assertEquals(15, BinomialTail.allowedMisses(100, 0.10));
    }

    @Test
    void v026UsesTheRawGovernanceP0() {
        MissTestVerdict v = MissTest.evaluate(MissRule.GOVERNANCE_TABLES, 100, 40, gov("0.40"), Optional.empty()).orElseThrow();
        assertEquals(48, v.allowedMisses());
        assertFalse(v.failing());
        assertEquals(P0Source.GOVERNANCE, v.source());
        // not a table value: exact binomial, no rounding up in this release
        MissTestVerdict odd = MissTest.evaluate(MissRule.GOVERNANCE_TABLES, 100, 0, gov("0.15"), Optional.empty()).orElseThrow();
        assertEquals(largestKWithTailAtLeastAlpha(100, 15, 100), odd.allowedMisses());
        // params without binom_test_p0: the code default 0.10
        MissTestVerdict def = MissTest.evaluate(MissRule.GOVERNANCE_TABLES, 100, 15, NO_PARAMS, Optional.empty()).orElseThrow();
        assertEquals(P0Source.DEFAULT, def.source());
        assertEquals(14, def.allowedMisses());
        assertTrue(def.failing());
    }

    @Test
    void dynamicP0() {
        Optional<NetworkMissTotals> none = Optional.empty();
        // governance rounded up to a table: 0.15 -> 0.20
        MissTestVerdict g = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 27, gov("0.15"), none).orElseThrow();
        assertEquals(0, new BigDecimal("0.200").compareTo(g.p0()));
        assertEquals(P0Source.GOVERNANCE, g.source());
        assertEquals(26, g.allowedMisses());
        assertTrue(g.failing());
        // network 15% missed + 2% -> 0.17 -> table 0.20 beats governance 0.10
        MissTestVerdict d = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 20, gov("0.10"),
                Optional.of(new NetworkMissTotals(10_000, 1_500, 8))).orElseThrow();
        assertEquals(P0Source.DYNAMIC, d.source());
        assertEquals(0, new BigDecimal("0.2").compareTo(d.p0()));
        assertEquals(26, d.allowedMisses());
        assertFalse(d.punishmentSkipped());
        // governance 0.40 beats the network's 0.20
        MissTestVerdict gw = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 20, gov("0.40"),
                Optional.of(new NetworkMissTotals(10_000, 1_500, 8))).orElseThrow();
        assertEquals(P0Source.GOVERNANCE, gw.source());
        assertEquals(48, gw.allowedMisses());
        // below the sample gates the network part is ignored
        assertEquals(P0Source.GOVERNANCE, MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 0, gov("0.10"),
                Optional.of(new NetworkMissTotals(999, 500, 8))).orElseThrow().source());
        assertEquals(P0Source.GOVERNANCE, MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 0, gov("0.10"),
                Optional.of(new NetworkMissTotals(10_000, 5_000, 4))).orElseThrow().source());
        // baseline 380 permille: target 400 -> table 400, punished; 381: target 401 -> 500, nobody punished
        MissTestVerdict at380 = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 60, gov("0.10"),
                Optional.of(new NetworkMissTotals(1000, 380, 5))).orElseThrow();
        assertFalse(at380.punishmentSkipped());
        assertTrue(at380.failing());
        MissTestVerdict at381 = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 60, gov("0.10"),
                Optional.of(new NetworkMissTotals(1000, 381, 5))).orElseThrow();
        assertTrue(at381.punishmentSkipped());
        assertFalse(at381.failing());
        assertEquals(100, at381.allowedMisses());
        // governance 0.5 alone does not skip punishment: P050 table
        MissTestVerdict half = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 59, gov("0.5"), none).orElseThrow();
        assertFalse(half.punishmentSkipped());
        assertEquals(58, half.allowedMisses());
        // governance above 0.5: the raw value, exact binomial
        MissTestVerdict high = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 0, gov("0.6"), none).orElseThrow();
        assertEquals(largestKWithTailAtLeastAlpha(100, 6, 10), high.allowedMisses());
        assertEquals(0, new BigDecimal("0.6").compareTo(high.p0()));
        // grace epoch: p0 0.5 replaces governance
        MissTestVerdict grace = MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 50,
                new MissTest.Params(Optional.of(new BigDecimal("0.4")), Optional.empty(), Optional.of(new BigDecimal("0.5"))), none).orElseThrow();
        assertEquals(P0Source.GRACE, grace.source());
        assertEquals(58, grace.allowedMisses());
        // no governance p0 in the params: the code default 0.10
        assertEquals(P0Source.DEFAULT, MissTest.evaluate(MissRule.DYNAMIC_P0, 100, 0, NO_PARAMS, none).orElseThrow().source());
    }

    @Test
    void v020CollateralThreshold() {
        MissTest.Params t = new MissTest.Params(Optional.empty(), Optional.of(new BigDecimal("0.05")), Optional.empty());
        MissTestVerdict atLimit = MissTest.evaluate(MissRule.COLLATERAL_THRESHOLD, 100, 5, t, Optional.empty()).orElseThrow();
        assertEquals(5, atLimit.allowedMisses());
        assertFalse(atLimit.failing(), "5/100 is not above 0.05");
        assertTrue(MissTest.evaluate(MissRule.COLLATERAL_THRESHOLD, 100, 6, t, Optional.empty()).orElseThrow().failing());
        // small n: a single miss of 10 is above 5 %
        assertTrue(MissTest.evaluate(MissRule.COLLATERAL_THRESHOLD, 10, 1, t, Optional.empty()).orElseThrow().failing());
        assertFalse(MissTest.evaluate(MissRule.COLLATERAL_THRESHOLD, 0, 0, t, Optional.empty()).orElseThrow().failing());
        assertEquals(P0Source.COLLATERAL_THRESHOLD, atLimit.source());
        assertFalse(MissRule.COLLATERAL_THRESHOLD.costsReward());
        // the threshold unknown: no verdict rather than a guess
        assertTrue(MissTest.evaluate(MissRule.COLLATERAL_THRESHOLD, 100, 6, NO_PARAMS, Optional.empty()).isEmpty());
    }

    @Test
    void releases() {
        assertEquals(Optional.of(MissRule.DYNAMIC_P0), ChainRelease.of("v0.2.10-post7").missRule());
        assertEquals(Optional.of(MissRule.DYNAMIC_P0), ChainRelease.of("v0.2.13").missRule());
        assertEquals(Optional.of(MissRule.GOVERNANCE_TABLES), ChainRelease.of("v0.2.9").missRule());
        assertEquals(Optional.of(MissRule.GOVERNANCE_TABLES), ChainRelease.of("0.2.6").missRule());
        assertEquals(Optional.of(MissRule.LEGACY_TABLE), ChainRelease.of("v0.2.5").missRule());
        assertEquals(Optional.of(MissRule.LEGACY_TABLE), ChainRelease.of("v0.2.2").missRule());
        assertEquals(Optional.of(MissRule.COLLATERAL_THRESHOLD), ChainRelease.of("v0.2.1").missRule());
        assertEquals(Optional.of(MissRule.COLLATERAL_THRESHOLD), ChainRelease.of("v0.2.0").missRule());
        assertEquals(Optional.empty(), ChainRelease.of("v0.1.9").missRule());
        assertEquals(Optional.of(MissRule.DYNAMIC_P0), ChainRelease.of("v0.3.0").missRule());
        assertTrue(ChainRelease.parse("8bd883ba").isEmpty());
        assertTrue(ChainRelease.parse("").isEmpty());
        assertTrue(ChainRelease.parse(null).isEmpty());
    }

    @Test
    void tablesNameTheirSource() {
        for (Map.Entry<Integer, CriticalValueTable> e : CriticalValueTables.CURRENT.all().entrySet()) {
            assertTrue(e.getValue().source().contains("@bb2de824ab454693de753afa38b1d9cf1f768fdd"), e.getValue().source());
        }
        for (CriticalValueTable t : CriticalValueTables.V0_2_6.all().values()) {
            assertTrue(t.source().contains("@384b95025f11cff177fa40ec191f724852f54edb"), t.source());
        }
        assertTrue(CriticalValueTables.LEGACY.source().contains("stats.go @2002c9f37a9bb1b4477402f270c846e1b425a59e"));
    }

    // --- exact binomial with integers: p0 = a / b, P(X >= k) = sum_{i>=k} C(n,i) a^i (b-a)^(n-i) / b^n

    /** tails[k] = b^n * P(X >= k), exactly. */
    private static BigInteger[] scaledTails(int n, int a, int b) {
        BigInteger[] terms = new BigInteger[n + 1];
        BigInteger c = BigInteger.ONE; // C(n, i)
        BigInteger ai = BigInteger.ONE;
        BigInteger[] qPow = new BigInteger[n + 1];
        qPow[0] = BigInteger.ONE;
        for (int i = 1; i <= n; i++) {
            qPow[i] = qPow[i - 1].multiply(BigInteger.valueOf(b - a));
        }
        for (int i = 0; i <= n; i++) {
            terms[i] = c.multiply(ai).multiply(qPow[n - i]);
            c = c.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
            ai = ai.multiply(BigInteger.valueOf(a));
        }
        BigInteger[] tails = new BigInteger[n + 2];
        tails[n + 1] = BigInteger.ZERO;
        for (int k = n; k >= 0; k--) {
            tails[k] = tails[k + 1].add(terms[k]);
        }
        return tails;
    }

    /** The largest k with P(X >= k) >= 1/20. */
    private static long largestKWithTailAtLeastAlpha(int n, int a, int b) {
        BigInteger[] tails = scaledTails(n, a, b);
        BigInteger scale = BigInteger.valueOf(b).pow(n);
        for (int k = n; k >= 0; k--) {
            if (tails[k].multiply(BigInteger.valueOf(20)).compareTo(scale) >= 0) {
                return k;
            }
        }
        throw new AssertionError("P(X >= 0) is 1");
    }

    /** The smallest k with P(X >= k) <= 1/20. */
    private static int smallestKWithTailAtMostAlpha(int n, int a, int b) {
        BigInteger[] tails = scaledTails(n, a, b);
        BigInteger scale = BigInteger.valueOf(b).pow(n);
        for (int k = 0; k <= n + 1; k++) {
            if (tails[k].multiply(BigInteger.valueOf(20)).compareTo(scale) <= 0) {
                return k;
            }
        }
        throw new AssertionError("P(X >= n + 1) is 0");
    }
}
