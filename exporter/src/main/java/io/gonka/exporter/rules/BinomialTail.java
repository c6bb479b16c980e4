package io.gonka.exporter.rules;

/**
 * The chain's exact path for a p0 that has no table ({@code BinomialPValue}): a miss count k
 * passes iff P(X &gt;= k) &gt;= 0.05 for X ~ Binomial(n, p0). Sums in log space so large n
 * neither underflows nor overflows.
 */
public final class BinomialTail {
    private static final double ALPHA = 0.05;

    private BinomialTail() {
    }

    /** The largest k with P(X &gt;= k) &gt;= 0.05 (at least 0: P(X &gt;= 0) = 1); p0 must be in (0, 1). */
    public static long allowedMisses(long n, double p0) {
        if (!(p0 > 0 && p0 < 1)) {
            throw new IllegalArgumentException("p0 must be in (0, 1): " + p0);
        }
        if (n <= 0) {
            return 0;
        }
        if (n > 50_000_000) {
            throw new IllegalArgumentException("n too large for the exact path: " + n);
        }
        int size = (int) n + 1;
        double[] logPmf = new double[size];
        double logP = Math.log(p0);
        double logQ = Math.log1p(-p0);
        logPmf[0] = n * logQ;
        for (int i = 0; i < n; i++) {
            logPmf[i + 1] = logPmf[i] + Math.log((double) (n - i) / (i + 1)) + logP - logQ;
        }
        double logAlpha = Math.log(ALPHA);
        double logTail = Double.NEGATIVE_INFINITY; // log P(X >= k), accumulated from k = n down
        for (int k = (int) n; k >= 1; k--) {
            logTail = logAddExp(logTail, logPmf[k]);
            if (logTail >= logAlpha) {
                return k;
            }
        }
        return 0;
    }

    private static double logAddExp(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        double max = Math.max(a, b);
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }
}
