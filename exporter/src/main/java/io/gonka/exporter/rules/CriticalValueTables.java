package io.gonka.exporter.rules;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The chain's tables per release line, keyed by p0 in permille as the chain keys them
 * ({@code criticalValueTables}), with the fallback fraction above n = 990 ({@code p0Multipliers}).
 */
public final class CriticalValueTables {
    /** release/v0.2.10 on: stats_table.go @bb2de824. */
    public static final CriticalValueTables CURRENT = load("");
    /** release/v0.2.6 - v0.2.9: stats_table.go @384b9502. */
    public static final CriticalValueTables V0_2_6 = load("_v0.2.6");
    /** release/v0.2.2 - v0.2.5: stats.go @2002c9f3, p0 = 0.10, above 990: missed * 10 <= n. */
    public static final CriticalValueTable LEGACY = CriticalValueTable.load("legacy_p0_100", 1, 10);

    private final Map<Integer, CriticalValueTable> byPermille;

    private CriticalValueTables(Map<Integer, CriticalValueTable> byPermille) {
        this.byPermille = byPermille;
    }

    private static CriticalValueTables load(String suffix) {
        long[][] fractions = {{50, 1, 20}, {100, 1, 10}, {200, 1, 5}, {300, 3, 10}, {400, 2, 5}, {500, 1, 2}};
        Map<Integer, CriticalValueTable> m = new TreeMap<>();
        for (long[] f : fractions) {
            m.put((int) f[0], CriticalValueTable.load("p0_" + f[0] + suffix, f[1], f[2]));
        }
        return new CriticalValueTables(Map.copyOf(m));
    }

    public Optional<CriticalValueTable> forPermille(int permille) {
        return Optional.ofNullable(byPermille.get(permille));
    }

    public Map<Integer, CriticalValueTable> all() {
        return new TreeMap<>(byPermille);
    }
}
