package io.gonka.exporter.dashboards;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic data the query runner test feeds Prometheus is complete and shaped like the contract says. */
class SyntheticFleetTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    @Test
    void servesEveryContractMetricWithExactlyItsLabels() {
        MetricsContract contract = MetricsContract.load(io.gonka.exporter.support.Fixtures.metricsContract());
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> withSamples = new TreeSet<>();
        for (String host : SyntheticFleet.HOSTS) {
            for (String line : SyntheticFleet.exposition(host, 12.5).split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    String[] p = line.split(" ");
                    types.put(p[2], p[3]);
                    continue;
                }
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "not a sample line: " + line);
                String name = m.group(1);
                withSamples.add(name);
                Set<String> labels = new TreeSet<>();
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        labels.add(l.group(1));
                    }
                }
                assertTrue(contract.has(name), name + " is not in METRICS.md");
                assertEquals(new TreeSet<>(contract.metric(name).labels()), labels, "labels of " + line);
                Double.parseDouble(m.group(4));
            }
        }
        assertEquals(new TreeSet<>(contract.metrics().keySet()), new TreeSet<>(types.keySet()),
                "families served vs METRICS.md");
        assertEquals(new TreeSet<>(contract.metrics().keySet()), withSamples,
                "every contract metric needs at least one sample on some host");
        types.forEach((name, type) -> assertEquals(contract.metric(name).type(), type, "type of " + name));
    }

    @Test
    void passesPromtoolCheckMetrics() throws IOException, InterruptedException {
        String promtool = LocalPrometheus.binary("promtool").toString();
        for (String host : SyntheticFleet.HOSTS) {
            Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(SyntheticFleet.exposition(host, 3).getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "promtool did not finish");
            assertEquals(0, p.exitValue(), "promtool check metrics for " + host + ":\n" + out);
        }
    }
}
