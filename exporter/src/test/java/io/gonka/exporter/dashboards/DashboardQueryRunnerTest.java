package io.gonka.exporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.gonka.exporter.dashboards.DashboardQueryRunner.QueryResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every query of every dashboard, run against a real Prometheus 2.x that scrapes two synthetic hosts
 * ({@link SyntheticFleet}) every second and evaluates one alert rule and the shipped recording rules (which the
 * dashboards use), must parse and return data.
 * The {@code host} and {@code participant} labels are target labels with {@code honor_labels: true}: like the
 * hosts' external labels on the central Prometheus, they are added to every series that does not carry its own
 * (so {@code gonka_mlnode_info}'s own {@code host}, the ML node's address, wins).
 */
class DashboardQueryRunnerTest {

    private static final String RULES = """
            groups:
              - name: dashboard-test
                rules:
                  - alert: GonkaBlockLagHigh
                    expr: gonka_chain_block_lag_blocks >= 20
                    labels:
                      severity: warning
            """;

    private static final List<HttpServer> servers = new ArrayList<>();
    private static LocalPrometheus prometheus;
    private static Path workDir;

    @BeforeAll
    static void startPrometheusScrapingTwoHosts() throws Exception {
        LocalPrometheus.binary("prometheus"); // fails with an install hint when missing
        workDir = Files.createTempDirectory("gonka-dash-prom");
        long start = System.nanoTime();
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String host : SyntheticFleet.HOSTS) {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            s.createContext("/metrics", ex -> {
                double t = (System.nanoTime() - start) / 1e9;
                // one target for the exporter's and the node's own series alike: the label sets line up the same way
                byte[] body = (SyntheticFleet.exposition(host, t) + SyntheticFleet.nodeExposition(host, t))
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            });
            s.createContext("/node-metrics", ex -> {
                byte[] body = SyntheticFleet.nodeExporter(host, (System.nanoTime() - start) / 1e9).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            });
            s.start();
            servers.add(s);
            ports.put(host, s.getAddress().getPort());
        }
        StringBuilder targets = new StringBuilder();
        ports.forEach((host, port) -> targets.append("""
                      - targets: ['127.0.0.1:%d']
                        labels:
                          host: %s
                          participant: %s
                """.formatted(port, host, SyntheticFleet.PARTICIPANTS.get(host))));
        String config = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - alerts.rules.yml
                  - recording.rules.yml
                scrape_configs:
                  - job_name: gonka
                    honor_labels: true
                    static_configs:
                """ + targets + """
                  - job_name: node
                    metrics_path: /node-metrics
                    static_configs:
                """ + targets;
        prometheus = LocalPrometheus.start(workDir, config, Map.of("alerts.rules.yml", RULES,
                // the shipped recording rules, evaluated every second instead of every 30 s
                "recording.rules.yml", Files.readString(Dashboards.dashboardsDir().resolveSibling("alerts").resolve("recording.rules.yml"))
                        .replaceAll("(?m)^(\\s+)interval: \\S+$", "$1interval: 1s")));
        // enough samples for rate()/changes() over 1m, and the alert rule has fired
        prometheus.await("count(count_over_time(gonka_exporter_build_info[1m]) >= 6)",
                r -> r.size() == 1 && r.get(0).path("value").get(1).asDouble() == 2, Duration.ofSeconds(30),
                "six scrapes of both hosts");
        prometheus.await("ALERTS{alertstate=\"firing\"}", r -> r.size() >= 1, Duration.ofSeconds(20),
                "the test alert to fire");
        prometheus.await("gonka:host_last_seen_timestamp_seconds:max", r -> r.size() == 2, Duration.ofSeconds(20),
                "the recording rules to run");
        prometheus.await("gonka:epoch_seconds_until_next_poc:estimate", r -> r.size() == 2, Duration.ofSeconds(20),
                "the recorded block time to reach the time-to-PoC estimate");
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            servers.forEach(s -> s.stop(0));
            if (workDir != null) {
                try (var files = Files.walk(workDir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void assertAllHaveData(List<QueryResult> results) {
        List<QueryResult> bad = results.stream().filter(r -> !r.hasData()).toList();
        assertTrue(bad.isEmpty(), bad.size() + " of " + results.size() + " queries failed or returned no data:\n  "
                + bad.stream().map(QueryResult::toString).collect(Collectors.joining("\n  ")));
    }

    /** How many queries the dashboards hold: each panel target and annotation runs twice, each variable once. */
    private static int expectedRuns() {
        int n = 0;
        for (Path f : Dashboards.dashboardFiles(Dashboards.dashboardsDir())) {
            for (Dashboards.Query q : Dashboards.queries(Dashboards.load(f))) {
                n += q.kind() == Dashboards.Kind.VARIABLE ? 0 : 2;
            }
        }
        return n;
    }

    @Test
    void everyQueryOfEveryDashboardParsesAndReturnsDataForOneHost() {
        List<QueryResult> results = DashboardQueryRunner.runAll(prometheus.uri(), Dashboards.dashboardsDir(),
                Map.of("host", "host-a"));
        assertAllHaveData(results);
        List<QueryResult> queries = results.stream().filter(r -> !r.mode().equals("variable")).toList();
        assertEquals(expectedRuns(), queries.size(), "every panel target and annotation ran as instant and range");
        assertTrue(queries.size() >= 250, "only " + queries.size() + " query runs");
        Map<String, Long> perDashboard = new TreeMap<>(queries.stream()
                .collect(Collectors.groupingBy(QueryResult::dashboard, Collectors.counting())));
        assertEquals(Set.of("gonka-fleet", "gonka-host", "gonka-gpus"), perDashboard.keySet());
        // the variables that were not given resolved from Prometheus (node_id, gpu, participant)
        Map<String, Integer> variables = new HashMap<>();
        results.stream().filter(r -> r.mode().equals("variable"))
                .forEach(r -> variables.put(r.dashboard() + "/" + r.panelTitle(), r.series()));
        assertEquals(3, variables.get("gonka-host/variable node_id"));
        assertEquals(1, variables.get("gonka-host/variable participant"));
        assertEquals(4, variables.get("gonka-gpus/variable gpu"), "GPUs 0-3 (NVML) and 0-1 (ML nodes) on host-a");
    }

    @Test
    void everyQueryReturnsDataWithGrafanaDefaultVariables() {
        // nothing given: host is "All" on the fleet dashboard and the first host elsewhere
        List<QueryResult> results = DashboardQueryRunner.runAll(prometheus.uri(), Dashboards.dashboardsDir(), Map.of());
        assertAllHaveData(results);
        assertTrue(results.stream().anyMatch(r -> r.panelTitle().equals("variable host") && r.series() == 2));
    }

    @Test
    void fleetTablesHaveOneRowPerHostAndScoreTheWorstHostHighest() throws Exception {
        JsonNode fleet = Dashboards.load(Dashboards.dashboardsDir().resolve("gonka-fleet-overview.json"));
        JsonNode table = Dashboards.allPanels(fleet).stream()
                .filter(p -> p.path("title").asText().equals("Hosts: chain, epoch and health")).findFirst().orElseThrow();
        for (JsonNode t : table.path("targets")) {
            String expr = t.path("expr").asText().replace("$host", ".*");
            JsonNode result = prometheus.query(expr);
            assertEquals(2, result.size(), "one row per host for " + t.path("refId").asText() + ": " + result);
        }
        String score = table.path("targets").get(0).path("expr").asText().replace("$host", ".*");
        Map<String, Double> byHost = new TreeMap<>();
        prometheus.query(score).forEach(r -> byHost.put(r.path("metric").path("host").asText(),
                r.path("value").get(1).asDouble()));
        // host-a: +10 FAILED ML node; +1 each for lag >= 20, catching up, 2 peers, the miss test projected
        // to fail, 12 validator blocks missed, one status mismatch, one source down
        assertEquals(Map.of("host-a", 17.0, "host-b", 0.0), byHost);
    }

    @Test
    void reportsQueriesThatFailOrFindNothing(@TempDir Path dir) throws IOException {
        QueryResult syntax = DashboardQueryRunner.instant(prometheus.uri(), "sum(gonka_chain_peers");
        assertFalse(syntax.ok());
        assertTrue(syntax.error().startsWith("bad_data"), syntax.error());
        QueryResult manyToMany = DashboardQueryRunner.range(prometheus.uri(),
                "gonka_epoch_phase + on (host) gonka_epoch_phase");
        assertFalse(manyToMany.ok(), "a many-to-many match must be reported: " + manyToMany);
        QueryResult empty = DashboardQueryRunner.instant(prometheus.uri(), "gonka_chain_peers{host=\"host-z\"}");
        assertTrue(empty.ok());
        assertEquals(0, empty.series());
        assertFalse(empty.hasData());

        // a dashboard whose queries are broken in three ways
        ObjectNode d = (ObjectNode) Dashboards.load(Dashboards.dashboardsDir().resolve("gonka-host-detail.json"));
        List<JsonNode> panels = Dashboards.allPanels(d);
        ((ObjectNode) panels.get(1).path("targets").get(0)).put("expr", "max(gonka_chain_block_lag_blocks{host=~\"$host\"}");
        ((ObjectNode) panels.get(2).path("targets").get(0)).put("expr", "max(gonka_chain_peers{host=~\"$hots\"})");
        ((ObjectNode) panels.get(3).path("targets").get(0)).put("expr", "max(gonka_chain_peer{host=~\"$host\"})");
        Path file = dir.resolve("broken.json");
        Files.writeString(file, Dashboards.mapper().writeValueAsString(d));
        List<QueryResult> results = DashboardQueryRunner.run(prometheus.uri(), file, Map.of("host", "host-a"));
        List<String> bad = results.stream().filter(r -> !r.hasData()).map(r -> r.panelTitle() + ": " + r.error())
                .toList();
        assertEquals(5, bad.size(), "two runs each for the syntax error and the unknown metric, one for the "
                + "undefined variable: " + bad);
        assertTrue(bad.stream().anyMatch(b -> b.contains("unresolved variable $hots")), bad.toString());
    }
}
