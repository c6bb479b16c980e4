package io.gonka.exporter.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Prometheus text exposition into samples tests can look up by name and labels. */
public final class MetricSamples {
    public record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final List<Sample> samples = new ArrayList<>();
    private final String text;

    public MetricSamples(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
    }

    public String text() {
        return text;
    }

    /** The value of the one series with this name whose labels include {@code labelPairs}. */
    public OptionalDouble find(String name, String... labelPairs) {
        List<Sample> found = all(name, labelPairs);
        if (found.size() > 1) {
            throw new AssertionError("more than one series " + name + " " + List.of(labelPairs) + ": " + found);
        }
        return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
    }

    public double value(String name, String... labelPairs) {
        OptionalDouble v = find(name, labelPairs);
        if (v.isEmpty()) {
            throw new AssertionError("no series " + name + " " + List.of(labelPairs) + " in:\n" + text);
        }
        return v.getAsDouble();
    }

    public List<Sample> all(String name, String... labelPairs) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i + 1 < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                    match = false;
                    break;
                }
            }
            if (match) {
                out.add(s);
            }
        }
        return out;
    }

    public boolean has(String name, String... labelPairs) {
        return !all(name, labelPairs).isEmpty();
    }

    public List<Sample> samples() {
        return samples;
    }
}
