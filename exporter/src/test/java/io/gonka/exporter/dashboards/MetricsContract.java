package io.gonka.exporter.dashboards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric contract, parsed from {@code METRICS.md}: every metric table row's backticked names (first column),
 * type (second column) and labels (third column), plus every backticked token in the document (documented label
 * values such as {@code PoCGenerate} or {@code FAILED}).
 */
public final class MetricsContract {

    /** Labels every series carries once it reaches the central Prometheus (target labels and external labels). */
    public static final Set<String> IDENTITY_LABELS = Set.of("host", "participant", "instance", "job");

    public record Metric(String name, String type, Set<String> labels) { }

    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final Map<String, Metric> metrics;
    private final Set<String> documentedTokens;
    private final Map<String, Metric> scraped;

    private MetricsContract(Map<String, Metric> metrics, Set<String> documentedTokens, Map<String, Metric> scraped) {
        this.metrics = Collections.unmodifiableMap(metrics);
        this.documentedTokens = Collections.unmodifiableSet(documentedTokens);
        this.scraped = Collections.unmodifiableMap(scraped);
    }

    /**
     * Metrics the host Prometheus scrapes from the node itself (METRICS.md rows whose second column says
     * {@code scraped from ...}): dashboards may read them, the exporter never serves them.
     */
    public Map<String, Metric> scraped() {
        return scraped;
    }

    public static MetricsContract load(Path metricsMd) {
        try {
            return parse(Files.readString(metricsMd));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metric contract " + metricsMd, e);
        }
    }

    public static MetricsContract parse(String markdown) {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        Map<String, Metric> scraped = new LinkedHashMap<>();
        Set<String> tokens = new LinkedHashSet<>();
        Matcher all = BACKTICKED.matcher(markdown);
        while (all.find()) {
            tokens.add(all.group(1).trim());
        }
        for (String line : markdown.split("\n")) {
            String trimmed = line.trim();
            if (!trimmed.startsWith("|")) {
                continue;
            }
            String[] cells = trimmed.split("\\|", -1);
            // cells[0] is the empty string before the leading pipe
            if (cells.length < 4) {
                continue;
            }
            String first = cells[1].trim();
            if (first.isEmpty() || first.startsWith("---") || first.equalsIgnoreCase("metric")) {
                continue;
            }
            List<String> names = backticked(first);
            if (names.isEmpty()) {
                continue;
            }
            String type = cells[2].trim();
            if (type.startsWith("scraped from")) {
                Set<String> labels = new LinkedHashSet<>(backticked(cells[3].replaceAll("\\([^)]*\\)", "")));
                for (String name : names) {
                    scraped.put(name, new Metric(name, type, Collections.unmodifiableSet(labels)));
                }
                continue;
            }
            if (!Set.of("gauge", "counter", "histogram", "summary", "info", "stateset", "unknown").contains(type)) {
                continue; // not a metric table (e.g. the §8 tables in SCHEMAS.md would land here)
            }
            // label values are listed in parentheses after the label, e.g. `type` (`corrected`, `uncorrected`)
            String labelCell = cells[3].replaceAll("\\([^)]*\\)", "");
            Set<String> labels = new LinkedHashSet<>(backticked(labelCell));
            for (String name : names) {
                if (!METRIC_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("METRICS.md: not a metric name: `" + name + "` in " + trimmed);
                }
                if (metrics.put(name, new Metric(name, type, Collections.unmodifiableSet(labels))) != null) {
                    throw new IllegalArgumentException("METRICS.md lists " + name + " twice");
                }
            }
        }
        return new MetricsContract(metrics, tokens, scraped);
    }

    private static List<String> backticked(String cell) {
        Matcher m = BACKTICKED.matcher(cell);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    public Map<String, Metric> metrics() {
        return metrics;
    }

    public boolean has(String name) {
        return metrics.containsKey(name);
    }

    public Metric metric(String name) {
        return metrics.get(name);
    }

    /** Whether {@code value} appears in backticks anywhere in METRICS.md (state names, source names, reasons...). */
    public boolean documents(String value) {
        return documentedTokens.contains(value);
    }
}
