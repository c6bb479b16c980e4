package io.gonka.exporter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.dashboards.DashboardQueryRunner;
import io.gonka.exporter.dashboards.DashboardsOnExporterIT;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.ManagedProcess;
import io.gonka.exporter.support.RepoFiles;
import io.gonka.exporter.upstream.JsonFields;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Try it without a node" commands, run as written (from the repository root, with
 * other ports and a scratch folder, the rules' {@code for:} and the scrape interval shortened):
 * the simulator jar, the exporter jar, Prometheus with deploy/demo/prometheus.yml and the
 * Alertmanager with the shipped config; the README's test alert must reach the simulator's
 * recorder through the Telegram and Slack templates, the simulated FAILED ML node's alert too,
 * and every dashboard query must return data except the panels the README says stay empty.
 */
class DemoIT {
    /**
     * What the README says stays empty in the demo: local NVML GPUs (none here), upgrades (none planned),
     * and gonka_source_unsupported (the standard node supports every source); plus whatever
     * DashboardsOnExporterIT lists as conditional.
     */
    static final Pattern EMPTY_IN_DEMO = Pattern.compile(
            "\\b(gonka_gpu_[a-z_]+|gonka:gpu_[a-z_:]+|gonka_gpus|gonka_chain_upgrade_[a-z_]+|gonka_mlnode_upgrade_[a-z_]+|gonka_nvml_[a-z_]+|gonka_source_unsupported)\\b");

    @TempDir
    Path dir;

    final List<ManagedProcess> running = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();
    /** What to print when an await fails: the notifications and the firing alerts. */
    java.util.function.Supplier<String> debug;

    static List<String> readmeCommands() {
        String readme = RepoFiles.text("README.md");
        String section = readme.substring(readme.indexOf("## Try it without a node"));
        Matcher m = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertTrue(m.find(), "no sh block in the demo section");
        return List.of(m.group(1).split("\n"));
    }

    JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return JsonFields.MAPPER.readTree(r.body());
    }

    void await(String what, Duration within, PushAndAlertIT.CheckedCondition c) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (c.holds()) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        StringBuilder logs = new StringBuilder();
        if (debug != null) {
            logs.append(debug.get()).append('\n');
        }
        running.forEach(p -> logs.append(p.log(), Math.max(0, p.log().length() - 1500), p.log().length()).append("\n---\n"));
        fail("not within " + within + ": " + what + "\n" + logs);
    }

    @Test
    void readmeDemoDeliversATestAlertAndFillsTheDashboards() throws Exception {
        Path root = RepoFiles.root();
        int sim = FreePort.next();
        int exporter = FreePort.next();
        int prometheus = FreePort.next();
        int alertmanager = FreePort.next();

        // The demo config with this run's ports, shortened intervals and the rules' for: shortened.
        Path rules = dir.resolve("rules");
        Files.createDirectories(rules);
        try (Stream<Path> files = Files.list(root.resolve("alerts"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".rules.yml")).toList()) {
                Files.writeString(rules.resolve(f.getFileName()), Files.readString(f).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s"));
            }
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, FleetScaleOutIT.replaced("deploy/demo/prometheus.yml", RepoFiles.text("deploy/demo/prometheus.yml"),
                "scrape_interval: 15s", "scrape_interval: 2s", "evaluation_interval: 15s", "evaluation_interval: 2s",
                "scrape_timeout: 10s", "scrape_timeout: 2s", "../../alerts/*.rules.yml", rules + "/*.rules.yml",
                "127.0.0.1:9401", "127.0.0.1:" + exporter, "127.0.0.1:9093", "127.0.0.1:" + alertmanager,
                "127.0.0.1:9090", "127.0.0.1:" + prometheus)
                .replace("127.0.0.1:8080", "127.0.0.1:" + sim));

        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("--port 8080", "--port " + sim);
        replacements.put("127.0.0.1:8080", "127.0.0.1:" + sim);
        replacements.put("GONKA_EXPORTER_HOST=127.0.0.1", "GONKA_EXPORTER_HOST=127.0.0.1 GONKA_EXPORTER_PORT=" + exporter);
        replacements.put("--block-interval-ms 5400", "--block-interval-ms 1000");
        replacements.put("deploy/demo/prometheus.yml", config.toString());
        replacements.put("127.0.0.1:9090", "127.0.0.1:" + prometheus);
        replacements.put("127.0.0.1:9093", "127.0.0.1:" + alertmanager);
        replacements.put("/tmp/gonka-demo", dir.resolve("demo").toString());
        replacements.put(" exporter/", " " + root + "/exporter/");
        replacements.put(" alerts/", " " + root + "/alerts/");
        try {
            int n = 0;
            for (String line : readmeCommands()) {
                if (line.isBlank() || line.startsWith("mvn ")) {
                    continue; // the jars are built by this very build
                }
                String cmd = line;
                for (var e : replacements.entrySet()) {
                    cmd = cmd.replace(e.getKey(), e.getValue());
                }
                assertFalse(cmd.contains(":8080") || cmd.contains(":9090") || cmd.contains(":9093") || cmd.contains("/tmp/gonka-demo"), cmd);
                if (cmd.endsWith(" &")) {
                    String name = "demo-" + (++n) + "-" + cmd.replaceAll("^([A-Z_]+=\\S+ )*", "").split(" ")[0].replaceAll(".*/", "");
                    running.add(ManagedProcess.start(name, List.of("bash", "-c", "exec env " + cmd.substring(0, cmd.length() - 2)),
                            Map.of(), dir.resolve(name)));
                    if (cmd.contains("gonka-simulator.jar")) {
                        await("simulator", Duration.ofSeconds(30), () -> getJson("http://127.0.0.1:" + sim + "/_sim/state").has("height"));
                    } else if (cmd.contains("gonka-exporter.jar")) {
                        running.get(running.size() - 1).awaitHttpOk("http://127.0.0.1:" + exporter + "/health/readiness", Duration.ofSeconds(60), null);
                    } else {
                        int port = cmd.contains("prometheus-alertmanager") ? alertmanager : prometheus;
                        running.get(running.size() - 1).awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(60), null);
                    }
                } else {
                    Process p = new ProcessBuilder("bash", "-c", cmd).directory(root.toFile()).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd);
                    assertEquals(0, p.exitValue(), cmd + ":\n" + out);
                }
            }
            assertEquals(4, running.size(), "simulator, exporter, Prometheus and Alertmanager");
            debug = () -> {
                try {
                    return "notifications: " + getJson("http://127.0.0.1:" + sim + "/_sim/notifications")
                            + "\nalertmanager has: " + getJson("http://127.0.0.1:" + alertmanager + "/api/v2/alerts")
                            + "\nnotifier: " + getJson("http://127.0.0.1:" + prometheus + "/api/v1/query?query="
                                    + java.net.URLEncoder.encode("{__name__=~\"prometheus_notifications_.*\"}", StandardCharsets.UTF_8))
                            + "\nfiring: " + getJson("http://127.0.0.1:" + prometheus + "/api/v1/alerts");
                } catch (Exception e) {
                    return e.toString();
                }
            };

            await("the README's test alert reaches the recorder as Telegram and Slack messages", Duration.ofSeconds(60), () -> {
                String all = getJson("http://127.0.0.1:" + sim + "/_sim/notifications").toString();
                return all.contains("/_sim/notify/bot123456:demo-token/sendMessage") && all.contains("/_sim/notify/slack")
                        && all.contains("A test alert from the demo");
            });
            // node3 is FAILED and unreachable: GonkaMLNodeDown fires (and inhibits GonkaMLNodeFailed).
            await("the simulated node3's alert arrives too", Duration.ofSeconds(90), () -> {
                String all = getJson("http://127.0.0.1:" + sim + "/_sim/notifications").toString();
                return all.contains("GonkaMLNodeDown") && all.contains("node3");
            });
            Set<String> names = new java.util.TreeSet<>();
            Matcher alertNames = Pattern.compile("Gonka[A-Za-z]+").matcher(getJson("http://127.0.0.1:" + sim + "/_sim/notifications").toString());
            while (alertNames.find()) {
                names.add(alertNames.group());
            }
            System.out.println("demo notifications name: " + names);

            // The measured block time (and so "Time to next PoC") needs two scrapes that saw different
            // heights; on a loaded machine the first ones can take a while.
            String blockTime = "http://127.0.0.1:" + prometheus + "/api/v1/query?query="
                    + java.net.URLEncoder.encode("gonka:epoch_seconds_until_next_poc:estimate", StandardCharsets.UTF_8);
            await("the recording rules see the chain advance", Duration.ofSeconds(90),
                    () -> getJson(blockTime).at("/data/result").size() > 0);
            Thread.sleep(15_000); // a few more scrapes so rate() and range queries have points
            List<DashboardQueryRunner.QueryResult> results = DashboardQueryRunner.runAll(URI.create("http://127.0.0.1:" + prometheus),
                    root.resolve("dashboards"), Map.of("host", "demo"));
            List<String> broken = new ArrayList<>();
            List<String> empty = new ArrayList<>();
            int withData = 0;
            int expectedEmpty = 0;
            for (DashboardQueryRunner.QueryResult r : results) {
                if (!r.ok()) {
                    broken.add(r.toString());
                } else if (r.hasData()) {
                    withData++;
                } else if (EMPTY_IN_DEMO.matcher(r.expr()).find() || DashboardsOnExporterIT.onlyConditional(r.expr())) {
                    expectedEmpty++;
                } else {
                    empty.add(r.toString());
                }
            }
            System.out.printf("demo dashboards: %d queries, %d with data, %d empty as the README says (local GPUs, upgrades, conditional)%n",
                    results.size(), withData, expectedEmpty);
            assertTrue(results.size() > 200 && withData > results.size() / 2, results.size() + " run, " + withData + " with data");
            assertEquals(List.of(), broken, "queries that do not parse or fail");
            assertEquals(List.of(), empty, "queries without data");
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
        String compose = RepoFiles.text("deploy/demo/docker-compose.yml");
        assertFalse(compose.contains("ports:"), "the demo publishes nothing: host network, loopback only");
        assertTrue(compose.contains("render-config.sh") && compose.contains("TELEGRAM_API_URL: http://127.0.0.1:8080/_sim/notify")
                && compose.contains("--config.file=/repo/deploy/demo/prometheus.yml"), "compose runs the same files as the README");
    }
}
