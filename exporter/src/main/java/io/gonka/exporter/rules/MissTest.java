package io.gonka.exporter.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * A port of the chain's end-of-epoch judgement of missed requests, per release (see
 * {@link MissRule}). Pure: the inputs are what the node told us; where an input is unknown the
 * verdict is absent rather than guessed.
 */
public final class MissTest {
    /** {@code types/params.go}: {@code BinomTestP0: DecimalFromFloat(0.10)}; also the legacy fixed p0. */
    public static final BigDecimal CODE_DEFAULT_P0 = new BigDecimal("0.10");
    /** getDynamicP0 constants (keeper/bitcoin_rewards.go, v0.2.10+). */
    static final long DYNAMIC_MARGIN_PERMILLE = 20;
    static final long DYNAMIC_MIN_TOTAL_REQUESTS = 1000;
    static final long DYNAMIC_MIN_PARTICIPANTS = 5;
    private static final int[] SUPPORTED_PERMILLE = {50, 100, 200, 300, 400, 500};

    private MissTest() {
    }

    /**
     * What the chain's parameters say, as far as the node answered.
     *
     * @param binomTestP0         {@code validation_params.binom_test_p0}; empty when the params carry none
     * @param downtimeThreshold   {@code collateral_params.downtime_missed_percentage_threshold}
     * @param graceP0             the grace epoch's p0 when the current epoch is a punishment grace epoch
     */
    public record Params(Optional<BigDecimal> binomTestP0, Optional<BigDecimal> downtimeThreshold, Optional<BigDecimal> graceP0) {}

    /**
     * The verdict for {@code missed} of {@code requests} under {@code rule}; empty when an input the
     * rule needs is unknown (the v0.2.0 threshold). {@code network} is the epoch's network totals for
     * v0.2.10+ dynamic p0; without them the governance part alone is used (what the chain does below
     * 1000 requests or 5 participants), which can only understate the p0 and so overstate risk.
     */
    public static Optional<MissTestVerdict> evaluate(MissRule rule, long requests, long missed, Params params,
                                                     Optional<NetworkMissTotals> network) {
        if (requests < 0 || missed < 0 || missed > requests) {
            return Optional.empty();
        }
        switch (rule) {
            case COLLATERAL_THRESHOLD -> {
                if (params.downtimeThreshold().isEmpty()) {
                    return Optional.empty();
                }
                BigDecimal t = params.downtimeThreshold().get();
                // slash iff missed / n > t (LegacyDec GT): missed <= floor(n * t) passes; n = 0 is skipped
                long allowed = requests == 0 ? 0 : BigDecimal.valueOf(requests).multiply(t).setScale(0, RoundingMode.FLOOR)
                        .max(BigDecimal.valueOf(-1)).min(BigDecimal.valueOf(requests)).longValueExact();
                return Optional.of(new MissTestVerdict(rule, requests, missed, allowed, t, P0Source.COLLATERAL_THRESHOLD, false));
            }
            case LEGACY_TABLE -> {
                return Optional.of(new MissTestVerdict(rule, requests, missed, CriticalValueTables.LEGACY.allowedMisses(requests),
                        CODE_DEFAULT_P0, P0Source.DEFAULT, false));
            }
            case GOVERNANCE_TABLES -> {
                BigDecimal p0 = params.binomTestP0().orElse(CODE_DEFAULT_P0);
                P0Source source = params.binomTestP0().isPresent() ? P0Source.GOVERNANCE : P0Source.DEFAULT;
                return Optional.of(new MissTestVerdict(rule, requests, missed,
                        allowedMisses(CriticalValueTables.V0_2_6, requests, p0), p0, source, false));
            }
            case DYNAMIC_P0 -> {
                return Optional.of(dynamic(requests, missed, params, network));
            }
            default -> throw new IllegalStateException("unknown rule " + rule);
        }
    }

    private static MissTestVerdict dynamic(long requests, long missed, Params params, Optional<NetworkMissTotals> network) {
        // SettleAccounts: a grace epoch replaces the governance p0 before getDynamicP0 runs
        Optional<BigDecimal> gov = params.graceP0().isPresent() ? params.graceP0() : params.binomTestP0();
        P0Source govSource = params.graceP0().isPresent() ? P0Source.GRACE
                : params.binomTestP0().isPresent() ? P0Source.GOVERNANCE : P0Source.DEFAULT;
        long governancePermille = 100;
        if (gov.isPresent()) {
            long govCeil = gov.get().signum() <= 0 ? 0
                    : gov.get().movePointRight(3).setScale(0, RoundingMode.CEILING).min(BigDecimal.valueOf(1_000_000)).longValueExact();
            if (govCeil > 500) {
                // the raw value goes to MissedStatTest (exact binomial unless it floors to a table), never skipped
                return new MissTestVerdict(MissRule.DYNAMIC_P0, requests, missed,
                        allowedMisses(CriticalValueTables.CURRENT, requests, gov.get()), gov.get(), govSource, false);
            }
            if (govCeil > 0) {
                governancePermille = ceilToSupported(govCeil);
            }
        }
        long finalPermille = governancePermille;
        P0Source source = govSource;
        boolean skip = false;
        if (network.isPresent() && network.get().requests() >= DYNAMIC_MIN_TOTAL_REQUESTS
                && network.get().participantsWithRequests() >= DYNAMIC_MIN_PARTICIPANTS) {
            long baseline = java.math.BigInteger.valueOf(network.get().missed()).multiply(java.math.BigInteger.valueOf(1000))
                    .divide(java.math.BigInteger.valueOf(network.get().requests())).longValueExact();
            long target = Math.min(baseline + DYNAMIC_MARGIN_PERMILLE, 500);
            long selected = ceilToSupported(target);
            skip = selected == 500;
            if (selected > governancePermille) {
                finalPermille = selected;
                source = P0Source.DYNAMIC;
            }
            if (skip) {
                source = P0Source.DYNAMIC;
            }
        }
        BigDecimal p0 = BigDecimal.valueOf(finalPermille, 3);
        long allowed = skip ? requests : allowedMisses(CriticalValueTables.CURRENT, requests, p0);
        return new MissTestVerdict(MissRule.DYNAMIC_P0, requests, missed, allowed, p0, source, skip);
    }

    /**
     * {@code MissedStatTest(missed, n, p0)} as a critical value: the table whose permille is
     * floor(p0 * 1000) when there is one, else the exact binomial; p0 outside (0, 1) makes the chain's
     * test error out, which {@code CheckAndPunishForDowntime} treats as a pass.
     */
    public static long allowedMisses(CriticalValueTables tables, long n, BigDecimal p0) {
        if (n <= 0) {
            return 0;
        }
        BigDecimal permille = p0.movePointRight(3).setScale(0, RoundingMode.DOWN);
        if (permille.compareTo(BigDecimal.valueOf(500)) <= 0 && permille.signum() > 0) {
            Optional<CriticalValueTable> table = tables.forPermille(permille.intValueExact());
            if (table.isPresent()) {
                return table.get().allowedMisses(n);
            }
        }
        if (p0.signum() <= 0 || p0.compareTo(BigDecimal.ONE) >= 0) {
            return n;
        }
        return BinomialTail.allowedMisses(n, p0.doubleValue());
    }

    /** ceilToSupportedP0Permille: the smallest table permille at or above t, 500 at most. */
    static long ceilToSupported(long permille) {
        for (int s : SUPPORTED_PERMILLE) {
            if (permille <= s) {
                return s;
            }
        }
        return 500;
    }
}
