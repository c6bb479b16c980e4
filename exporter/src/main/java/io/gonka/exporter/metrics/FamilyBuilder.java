package io.gonka.exporter.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the series of one scrape, family by family. Families that end up without series are
 * left out, so a thing that is gone has no family either. Label values are cut to a maximum
 * length, so a hostile upstream cannot blow up memory through a label.
 */
public final class FamilyBuilder {
    private final Map<String, Family> families = new LinkedHashMap<>();
    private final int maxLabelLength;

    public FamilyBuilder(int maxLabelLength) {
        this.maxLabelLength = maxLabelLength;
    }

    /** A gauge family; the same name returns the same family. */
    public Family gauge(String name, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, help, false));
    }

    /** A counter family; {@code name} without {@code _total}, which the exposition adds. */
    public Family counter(String name, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, help, true));
    }

    /** A state set as gauges: one series per state, 1 for {@code current}, 0 for the rest (plus {@code current} if it is not listed). */
    public void stateSet(String name, String help, String stateLabel, List<String> states, String current, String... otherLabels) {
        Family f = gauge(name, help);
        boolean listed = false;
        for (String s : states) {
            listed |= s.equals(current);
            f.add(s.equals(current) ? 1 : 0, append(otherLabels, stateLabel, s));
        }
        if (!listed) {
            f.add(1, append(otherLabels, stateLabel, current));
        }
    }

    public void add(MetricSnapshot snapshot) {
        families.put(snapshot.getMetadata().getName(), new Family(snapshot));
    }

    public List<MetricSnapshot> build() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Family f : families.values()) {
            MetricSnapshot s = f.build();
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private static String[] append(String[] labels, String k, String v) {
        String[] out = new String[labels.length + 2];
        System.arraycopy(labels, 0, out, 0, labels.length);
        out[labels.length] = k;
        out[labels.length + 1] = v;
        return out;
    }

    String clip(String v) {
        if (v == null) {
            return "";
        }
        return v.length() <= maxLabelLength ? v : v.substring(0, maxLabelLength);
    }

    public final class Family {
        private final String name;
        private final String help;
        private final boolean counter;
        private final List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
        private final List<CounterDataPointSnapshot> counters = new ArrayList<>();
        private final java.util.Set<Labels> seen = new java.util.HashSet<>();
        private final MetricSnapshot prebuilt;

        Family(String name, String help, boolean counter) {
            this.name = name;
            this.help = help;
            this.counter = counter;
            this.prebuilt = null;
        }

        Family(MetricSnapshot prebuilt) {
            this.name = prebuilt.getMetadata().getName();
            this.help = prebuilt.getMetadata().getHelp();
            this.counter = false;
            this.prebuilt = prebuilt;
        }

        /** Adds one series; {@code labels} are name/value pairs. A repeated label set keeps the first value. */
        public Family add(double value, String... labels) {
            if (Double.isNaN(value)) {
                return this; // unknown is absent, never a made-up number
            }
            String[] clipped = labels.clone();
            for (int i = 1; i < clipped.length; i += 2) {
                clipped[i] = clip(clipped[i]);
            }
            Labels l = Labels.of(clipped);
            if (!seen.add(l)) {
                return this;
            }
            if (counter) {
                counters.add(CounterDataPointSnapshot.builder().value(value).labels(l).build());
            } else {
                gauges.add(GaugeDataPointSnapshot.builder().value(value).labels(l).build());
            }
            return this;
        }

        MetricSnapshot build() {
            if (prebuilt != null) {
                return prebuilt.getDataPoints().isEmpty() ? null : prebuilt;
            }
            if (counter) {
                if (counters.isEmpty()) {
                    return null;
                }
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                counters.forEach(b::dataPoint);
                return b.build();
            }
            if (gauges.isEmpty()) {
                return null;
            }
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            gauges.forEach(b::dataPoint);
            return b.build();
        }
    }
}
