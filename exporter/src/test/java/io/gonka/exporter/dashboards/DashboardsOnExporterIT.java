package io.gonka.exporter.dashboards;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.simulator.Scenarios;
import io.gonka.simulator.SimulatedGonkaNode;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.ManagedProcess;
import io.gonka.exporter.support.RepoFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every panel query of every dashboard against a real Prometheus that scraped the real exporter
 * jar serving a simulated node (the standard scenario, which has a FAILED ML node, so alerts fire):
 * each query parses, and returns data unless it is about an event this scenario cannot have.
 */
public class DashboardsOnExporterIT {
    /**
     * A metric that exists only when the node lacks an optional upstream, which the standard node
     * does not: a query made only of it may return nothing.
     */
    /**
     * Metrics that cannot exist in this scenario: an optional endpoint the simulated node has; the
     * miss-test projection, which needs ~100 blocks of observed pace (more than this test runs);
     * node_exporter's series (the host panels: no node_exporter runs here, and the host bundle
     * scrapes it only where it runs); the validator's jailed_until, which exists only while it is
     * jailed (the standard node's validator is not; gonka_chain_validator_jailed shows 0).
     */
    public static final Set<String> CONDITIONAL = Set.of("gonka_source_unsupported", "gonka_participant_miss_test_projected_", "node_",
            "gonka_chain_validator_jailed_until_timestamp_seconds");

    @TempDir
    Path dir;

    @Test
    void everyPanelQueryParsesAndReturnsData() throws Exception {
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            sim.startBlockProduction(Duration.ofSeconds(1));
            sim.state().setUpgradePlan("v0.2.19", sim.state().height() + 5000, "v3.0.13");
            int port = FreePort.next();
            Map<String, String> env = new HashMap<>();
            env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
            env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
            env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
            env.put("GONKA_REFERENCE_URLS", sim.baseUrl());
            env.put("GONKA_NETWORK_SERIES", "true");
            env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
            env.put("GONKA_EXPORTER_PORT", Integer.toString(port));
            // Local GPUs from the stub NVML library (the binding's production code path), with two
            // XID events queued so the XID panels have data too.
            env.put("GONKA_NVML_LIBRARY_PATH", io.gonka.exporter.sources.nvml.NvmlStub.build("current").toString());
            env.put("NVML_STUB_XIDS", "0:79,1:94");
            // every source on 2 s: a first poll that times out on a loaded machine is retried within the test
            for (String s : List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH", "PARTICIPANTS",
                    "PARTICIPANT_STATS", "CHAIN_PARAMS", "VALIDATOR_LIVENESS", "COLLATERAL", "MLNODE_HEALTH", "REFERENCE_HEIGHTS")) {
                env.put("GONKA_INTERVAL_" + s, "2s");
            }
            String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
            try (ManagedProcess exporter = ManagedProcess.start("exporter", List.of("java", "-Xmx96m", "-jar", jar), env, dir.resolve("exporter"))) {
                exporter.awaitHttpOk("http://127.0.0.1:" + port + "/health/readiness", Duration.ofSeconds(60), null);

                // The shipped rules (for: shortened) give ALERTS data; the scrape job carries the labels a
                // host Prometheus adds as external labels, and the same relabelling of gonka_mlnode_info.
                Map<String, String> rules = new LinkedHashMap<>();
                try (Stream<Path> files = Files.list(RepoFiles.path("alerts"))) {
                    for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".rules.yml")).sorted().toList()) {
                        rules.put(f.getFileName().toString(), Files.readString(f).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s")
                                .replaceAll("(?m)^(\\s+)interval: \\S+$", "$1interval: 5s"));
                    }
                }
                String config = "global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\n"
                        + "rule_files:\n" + rules.keySet().stream().map(r -> "  - " + r + "\n").reduce("", String::concat)
                        + "scrape_configs:\n  - job_name: gonka-exporter\n    static_configs:\n"
                        + "      - targets: ['127.0.0.1:" + port + "']\n"
                        + "        labels: {host: host-a, participant: " + Scenarios.OWN_ADDRESS + "}\n"
                        + "    metric_relabel_configs:\n"
                        + "      - {source_labels: [__name__, host], regex: 'gonka_mlnode_info;(.+)', target_label: mlnode_host, replacement: $1}\n"
                        + "      - {source_labels: [__name__], regex: gonka_mlnode_info, target_label: host, replacement: ''}\n"
                        + "      - {source_labels: [__name__, host], regex: '(gonka_mlnode_info);', target_label: host, replacement: host-a}\n"
                        // the ML nodes' own metrics through the API node's federation route, as deploy/host scrapes them
                        + "  - job_name: gonka-mlnodes\n    metrics_path: /v1/mlnodes/metrics\n    static_configs:\n"
                        + "      - targets: ['" + sim.publicBaseUrl().substring("http://".length()) + "']\n"
                        + "        labels: {host: host-a, participant: " + Scenarios.OWN_ADDRESS + "}\n";
                try (LocalPrometheus prom = LocalPrometheus.start(dir.resolve("prometheus"), config, rules)) {
                    prom.await("ALERTS{alertname=\"GonkaMLNodeFailed\",host=\"host-a\"}", r -> r.size() > 0, Duration.ofSeconds(90), "alerts firing");
                    prom.await("count(gonka_mlnode_gpu_available{host=\"host-a\"})", r -> r.size() > 0, Duration.ofSeconds(60), "ML-node GPUs");
                    prom.await("gonka_gpu_xid_errors_total{host=\"host-a\"}", r -> r.size() == 2, Duration.ofSeconds(60), "local GPU XIDs");
                    Thread.sleep(20_000); // a few more scrapes so rate() and range queries have points

                    List<DashboardQueryRunner.QueryResult> results = DashboardQueryRunner.runAll(prom.uri(), RepoFiles.path("dashboards"),
                            Map.of("host", "host-a"));
                    List<String> broken = new ArrayList<>();
                    List<String> empty = new ArrayList<>();
                    int withData = 0;
                    for (DashboardQueryRunner.QueryResult r : results) {
                        if (!r.ok()) {
                            broken.add(r.toString());
                        } else if (r.hasData()) {
                            withData++;
                        } else if (!onlyConditional(r.expr())) {
                            empty.add(r.toString());
                        }
                    }
                    System.out.printf("dashboard queries against the exporter: %d run, %d with data, %d conditional without data%n",
                            results.size(), withData, results.size() - withData - broken.size() - empty.size());
                    assertTrue(results.size() > 200, "queries run: " + results.size());
                    assertEquals(List.of(), broken, "queries that do not parse or fail");
                    assertEquals(List.of(), empty, "queries without data");
                }
            }
        }
    }

    /** True when every metric the expression names is one of {@link #CONDITIONAL}. */
    public static boolean onlyConditional(String expr) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(gonka_[a-z0-9_]+|node_[A-Za-z0-9_]+|ALERTS|up)\\b").matcher(expr);
        boolean any = false;
        while (m.find()) {
            String name = m.group(1);
            any = true;
            if (CONDITIONAL.stream().noneMatch(c -> c.endsWith("_") ? name.startsWith(c) : name.equals(c))) {
                return false;
            }
        }
        return any;
    }
}
