package io.gonka.exporter.rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One of the chain's critical-value tables ({@code Threshold{Total, CriticalMisses}} rows), read
 * from a resource that names the gonka-ai/gonka file and commit it was taken from. Lookup as in
 * {@code MissedStatTestLookupWithP0}: the last row with {@code Total <= n}; none (n = 1): pass;
 * n above the last row (990): pass iff {@code missed * den <= n * num}.
 */
public final class CriticalValueTable {
    private final String resource;
    private final String source;
    private final int[] totals;
    private final int[] critical;
    private final long fallbackNum;
    private final long fallbackDen;

    CriticalValueTable(String resource, String source, int[] totals, int[] critical, long fallbackNum, long fallbackDen) {
        this.resource = resource;
        this.source = source;
        this.totals = totals;
        this.critical = critical;
        this.fallbackNum = fallbackNum;
        this.fallbackDen = fallbackDen;
    }

    /** Reads {@code /miss-test-tables/<name>.csv}: {@code #} header lines, then {@code n,critical}. */
    static CriticalValueTable load(String name, long fallbackNum, long fallbackDen) {
        String resource = "/miss-test-tables/" + name + ".csv";
        try (InputStream in = CriticalValueTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String source = null;
            List<int[]> rows = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                line = line.trim();
                if (line.startsWith("# source:")) {
                    source = line.substring("# source:".length()).trim();
                } else if (!line.isEmpty() && Character.isDigit(line.charAt(0))) {
                    String[] parts = line.split(",");
                    rows.add(new int[]{Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())});
                }
            }
            if (source == null || rows.isEmpty()) {
                throw new IllegalStateException(resource + ": no source header or no rows");
            }
            int[] totals = new int[rows.size()];
            int[] critical = new int[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                totals[i] = rows.get(i)[0];
                critical[i] = rows.get(i)[1];
                if (i > 0 && totals[i] <= totals[i - 1]) {
                    throw new IllegalStateException(resource + ": rows not ascending at n=" + totals[i]);
                }
            }
            return new CriticalValueTable(resource, source, totals, critical, fallbackNum, fallbackDen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The most misses that pass at n requests (never above n). */
    public long allowedMisses(long n) {
        if (n <= 0) {
            return 0;
        }
        if (n > totals[totals.length - 1]) {
            // missed * den <= n * num  <=>  missed <= floor(n * num / den); n = q * den + r avoids overflow
            long q = n / fallbackDen;
            long r = n % fallbackDen;
            return Math.min(n, q * fallbackNum + r * fallbackNum / fallbackDen);
        }
        int lo = 0;
        int hi = totals.length; // first index with totals[i] > n
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (totals[mid] > n) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        if (lo == 0) {
            return n;
        }
        return Math.min(n, critical[lo - 1]);
    }

    /** "gonka-ai/gonka &lt;file&gt; @&lt;commit&gt; (&lt;variable&gt;)" from the resource header. */
    public String source() {
        return source;
    }

    public String resource() {
        return resource;
    }

    /** Rows as {@code {n, critical}}, for tests and documentation. */
    public List<int[]> rows() {
        List<int[]> out = new ArrayList<>(totals.length);
        for (int i = 0; i < totals.length; i++) {
            out.add(new int[]{totals[i], critical[i]});
        }
        return out;
    }
}
