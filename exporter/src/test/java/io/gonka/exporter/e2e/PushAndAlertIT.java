package io.gonka.exporter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.simulator.Scenarios;
import io.gonka.simulator.SimulatedGonkaNode;
import io.gonka.exporter.upstream.JsonFields;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.HttpRecorder;
import io.gonka.exporter.support.ManagedProcess;
import io.gonka.exporter.support.RepoFiles;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product path with real processes on loopback and the shipped config files (only
 * addresses, ports and paths substituted, and the rules' {@code for:} shortened):
 * simulated node -> exporter jar -> host Prometheus (deploy/host/run-prometheus.sh) -> remote_write
 * as the host's own user -> vmauth (TLS) -> central Prometheus with the rules -> Alertmanager ->
 * Telegram and Slack (a local recorder).
 *
 * <p>Two hosts, so that inhibition (a stalled chain silences the miss-rate alert of the same
 * host) does not hide what is tested: host-a gets a FAILED ML node and a miss rate above the
 * cutoff, host-b a stalled chain. Then both are restored and the resolved messages must arrive.
 */
class PushAndAlertIT {
    static final String PASSWORD = "central-e2e-password"; // its bcrypt goes into the shipped web-config.yml
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(("gonka-central:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    static final Map<String, String> HOST_PASSWORDS = Map.of("host-a", "host-a-e2e-write", "host-b", "host-b-e2e-write");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @TempDir
    static Path dir;
    static HttpRecorder chat;
    static final List<AutoCloseable> running = new ArrayList<>();
    static final Map<String, SimulatedGonkaNode> sims = new HashMap<>();
    static int central;
    static int vmauth;
    static Path cert;
    static int alertmanager;
    static long started;

    @BeforeAll
    static void startEverything() throws Exception {
        started = System.nanoTime();
        chat = new HttpRecorder("{\"ok\":true,\"result\":{\"message_id\":1,\"date\":1700000000,"
                + "\"chat\":{\"id\":-1001234567890,\"type\":\"group\"},\"text\":\"ok\"}}");
        running.add(chat);
        Path secret = dir.resolve("prometheus_password");
        Files.writeString(secret, PASSWORD);

        alertmanager = startAlertmanager();
        central = startCentral(secret);
        cert = FleetScaleOutIT.selfSignedCertificate(dir);
        vmauth = startVmauth();
        for (String host : List.of("host-a", "host-b")) {
            SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start();
            sim.startBlockProduction(Duration.ofSeconds(1));
            running.add(sim);
            sims.put(host, sim);
            int exporter = startExporter(host, sim);
            Path hostSecret = dir.resolve(host + "/remote_write_password");
            Files.createDirectories(hostSecret.getParent());
            Files.writeString(hostSecret, HOST_PASSWORDS.get(host));
            startHostPrometheus(host, exporter, sim, hostSecret);
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        System.out.printf("end-to-end test took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    static ManagedProcess start(String name, List<String> cmd, Map<String, String> env) throws Exception {
        ManagedProcess p = ManagedProcess.start(name, cmd, env, dir.resolve(name));
        running.add(p);
        return p;
    }

    /** A shipped file with the given replacements, each of which must be found. */
    static Path staged(String relative, Path to, String... replacements) throws Exception {
        String text = RepoFiles.text(relative);
        for (int i = 0; i < replacements.length; i += 2) {
            assertTrue(text.contains(replacements[i]), relative + " has no " + replacements[i]);
            text = text.replace(replacements[i], replacements[i + 1]);
        }
        Files.createDirectories(to.getParent());
        Files.writeString(to, text);
        return to;
    }

    static int startAlertmanager() throws Exception {
        int port = FreePort.next();
        Path config = dir.resolve("alertmanager/alertmanager.yml");
        Files.createDirectories(config.getParent());
        Map<String, String> env = Map.of("TELEGRAM_BOT_TOKEN", "123456:e2e-test-token", "TELEGRAM_CHAT_ID", "-1001234567890",
                "TELEGRAM_API_URL", chat.baseUrl(), "SLACK_API_URL", chat.baseUrl() + "/slack/webhook");
        ProcessBuilder pb = new ProcessBuilder("sh", RepoFiles.path("alerts/alertmanager/render-config.sh").toString(), config.toString())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process ok = pb.start();
        assertTrue(ok.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, ok.exitValue(), new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        ManagedProcess am = start("alertmanager", List.of("prometheus-alertmanager", "--config.file=" + config,
                "--storage.path=" + dir.resolve("alertmanager/data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="), Map.of());
        am.awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(30), null);
        return port;
    }

    static int startCentral(Path secret) throws Exception {
        int port = FreePort.next();
        Path rules = dir.resolve("central/rules");
        Files.createDirectories(rules);
        try (Stream<Path> files = Files.list(RepoFiles.path("alerts"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".rules.yml")).toList()) {
                // The only change to the rules: shorter `for:` durations, so the test fits in minutes.
                String text = Files.readString(f).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s");
                Files.writeString(rules.resolve(f.getFileName()), text);
            }
        }
        Path config = staged("deploy/central/prometheus.yml", dir.resolve("central/prometheus.yml"),
                "/etc/prometheus/rules/", rules + "/",
                "alertmanager:9093", "127.0.0.1:" + alertmanager,
                "localhost:9090", "127.0.0.1:" + port,
                "/etc/prometheus/secrets/prometheus_password", secret.toString());
        Path webConfig = staged("deploy/central/web-config.yml", dir.resolve("central/web-config.yml"),
                "replace-with-a-bcrypt-hash", at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(10, PASSWORD.toCharArray()));
        ManagedProcess p = start("central-prometheus", List.of("prometheus", "--config.file=" + config,
                "--web.config.file=" + webConfig,
                "--web.enable-remote-write-receiver", "--storage.tsdb.path=" + dir.resolve("central/data"),
                "--web.listen-address=127.0.0.1:" + port), Map.of());
        p.awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(60), BASIC);
        return port;
    }

    /** vmauth as the central compose file runs it, with the shipped per-host users. */
    static int startVmauth() throws Exception {
        int port = FreePort.next();
        Path config = staged("deploy/central/vmauth.yml", dir.resolve("vmauth/vmauth.yml"), "http://prometheus:9090", "http://127.0.0.1:" + central);
        List<String> cmd = new ArrayList<>(List.of("vmauth"));
        cmd.addAll(FleetScaleOutIT.composeCommand("deploy/central/docker-compose.yml", "vmauth", "/etc/vmauth/vmauth.yml", config.toString(),
                "=:8427", "=127.0.0.1:" + port, "/run/secrets/tls.crt", cert.toString(), "/run/secrets/tls.key", dir.resolve("tls/tls.key").toString()));
        start("vmauth", cmd, Map.of("GONKA_WRITE_PASSWORD_HOST_A", HOST_PASSWORDS.get("host-a"), "GONKA_WRITE_PASSWORD_HOST_B",
                HOST_PASSWORDS.get("host-b"), "GONKA_CENTRAL_BASIC_AUTH", BASIC.substring("Basic ".length())));
        HttpClient https = HttpClient.newBuilder().sslContext(FleetScaleOutIT.trusting(cert)).build();
        await("vmauth answers over TLS", Duration.ofSeconds(30), () -> {
            try {
                // A host's user may not read: vmauth answers, and refuses.
                HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/query?query=up"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("host-a:" + HOST_PASSWORDS.get("host-a")).getBytes(StandardCharsets.UTF_8)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 400 && r.body().contains("missing route");
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
        return port;
    }

    static int startExporter(String host, SimulatedGonkaNode sim) throws Exception {
        int port = FreePort.next();
        String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
        assertTrue(Files.isRegularFile(Path.of(jar)), "run `mvn package` first: " + jar);
        Map<String, String> env = new HashMap<>();
        env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
        env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
        env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
        env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
        env.put("GONKA_EXPORTER_PORT", Integer.toString(port));
        env.put("GONKA_NVML_ENABLED", "false");
        for (String s : List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH",
                "PARTICIPANTS", "PARTICIPANT_STATS", "CHAIN_PARAMS", "MLNODE_HEALTH")) {
            env.put("GONKA_INTERVAL_" + s, "2s");
        }
        ManagedProcess p = start("exporter-" + host, List.of("java", "-XX:+UseSerialGC", "-Xmx96m", "-jar", jar), env);
        p.awaitHttpOk("http://127.0.0.1:" + port + "/health/readiness", Duration.ofSeconds(60), null);
        return port;
    }

    static void startHostPrometheus(String host, int exporter, SimulatedGonkaNode sim, Path secret) throws Exception {
        int port = FreePort.next();
        Path config = staged("deploy/host/plain/prometheus.yml", dir.resolve(host + "/prometheus.yml"),
                "127.0.0.1:9401", "127.0.0.1:" + exporter,
                "127.0.0.1:9101", "127.0.0.1:" + FreePort.next(), // no node_exporter here
                // the ML nodes' metrics through the API node's federation route, and the API node's own
                "127.0.0.1:8000", sim.publicBaseUrl().substring("http://".length()),
                "127.0.0.1:9100", sim.baseUrl().substring("http://".length()),
                "https://monitoring.example.com/api/v1/write", "https://127.0.0.1:" + vmauth + "/api/v1/write",
                "/etc/prometheus/secrets/remote_write_password", secret + "\n    tls_config:\n      ca_file: " + cert);
        ManagedProcess p = start("prometheus-" + host, List.of("sh", RepoFiles.path("deploy/host/run-prometheus.sh").toString(),
                config.toString(), "--storage.tsdb.path=" + dir.resolve(host + "/data"), "--web.listen-address=127.0.0.1:" + port),
                Map.of("GONKA_HOST_NAME", host, "GONKA_PARTICIPANT", Scenarios.OWN_ADDRESS,
                        "GONKA_RENDERED_CONFIG", dir.resolve(host + "/rendered.yml").toString()));
        p.awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(60), null);
    }

    static JsonNode centralQuery(String promql) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + central + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).header("Authorization", BASIC).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JsonFields.MAPPER.readTree(r.body()).path("data").path("result");
    }

    static void await(String what, Duration within, CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                System.out.printf("%4d s  %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), what);
                return;
            }
            Thread.sleep(1000);
        }
        StringBuilder seen = new StringBuilder();
        for (HttpRecorder.Recorded r : chat.requests()) {
            seen.append(r.path()).append(": ").append(r.body(), 0, Math.min(600, r.body().length())).append('\n');
        }
        fail("not within " + within + ": " + what + "\nnotifications so far:\n" + seen);
    }

    interface CheckedCondition {
        boolean holds() throws Exception;
    }

    /** Telegram messages (JSON with chat_id, parse_mode and text) whose text matches. */
    static List<JsonNode> telegram(Predicate<String> text) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (HttpRecorder.Recorded r : chat.matching(r -> r.path().equals("/bot123456:e2e-test-token/sendMessage"))) {
            JsonNode msg = JsonFields.MAPPER.readTree(r.body());
            if (text.test(msg.path("text").asText())) {
                out.add(msg);
            }
        }
        return out;
    }

    static List<String> slack(Predicate<String> text) {
        return chat.matching(r -> r.path().equals("/slack/webhook")).stream().map(HttpRecorder.Recorded::body).filter(text).toList();
    }

    static Predicate<String> all(String... parts) {
        return t -> Stream.of(parts).allMatch(t::contains);
    }

    @Test
    void failuresOnTwoHostsReachTelegramAndSlackAndResolve() throws Exception {
        // 1. Both hosts' series arrive centrally with their external labels.
        await("central Prometheus holds both hosts' series", Duration.ofSeconds(90), () ->
                centralQuery("gonka_chain_block_height{job=\"gonka-exporter\",participant=\"" + Scenarios.OWN_ADDRESS + "\"}").size() == 2);
        JsonNode heights = centralQuery("gonka_chain_block_height");
        List<String> hosts = new ArrayList<>();
        heights.forEach(s -> hosts.add(s.path("metric").path("host").asText()));
        assertEquals(List.of("host-a", "host-b"), hosts.stream().sorted().toList());
        assertEquals(1, centralQuery("gonka_mlnode_info{host=\"host-a\",node_id=\"node1\",mlnode_host=\"127.0.0.11\"}").size(),
                "the ML node's own address moved to mlnode_host, the host label is the host's");
        // The nodes' own metrics from the host config's gonka-mlnodes and gonka-api-node jobs, with node_id lining up.
        await("the ML nodes' and the API node's own metrics arrive centrally", Duration.ofSeconds(90), () ->
                centralQuery("vllm:num_requests_running{job=\"gonka-mlnodes\",host=\"host-a\",node_id=\"node1\"}").size() == 1
                        && centralQuery("decentralized_api_block_height{job=\"gonka-api-node\",host=\"host-b\"}").size() == 1);
        assertEquals(1, centralQuery("mlnode_up{host=\"host-a\",node_id=\"node3\"} == 0").size(), "node3 is unreachable");
        assertEquals(1, centralQuery("vllm:kv_cache_usage_perc{host=\"host-a\",node_id=\"node1\"}"
                + " and on (host, node_id) gonka_mlnode_info{host=\"host-a\"}").size(), "joins the exporter's series on node_id");

        // 2. The failures.
        SimulatedGonkaNode a = sims.get("host-a");
        SimulatedGonkaNode b = sims.get("host-b");
        a.state().setMlNodeStatus("node1", "INFERENCE", "FAILED");
        a.state().setMissCounts(100, 50); // 50 of 150: the chain's table allows 21 at p0 0.10
        b.state().setChainStalled(true);
        b.state().setLatestBlockAge(Duration.ofMinutes(10));

        await("Telegram: node1 FAILED on host-a", Duration.ofSeconds(150), () ->
                !telegram(all("GonkaMLNodeFailed", "host-a", "node1")).isEmpty());
        await("Telegram: the chain's miss test fails on host-a", Duration.ofSeconds(120), () ->
                !telegram(all("host-a", "missed 50 of 150 requests")).isEmpty());
        await("Telegram: chain stalled on host-b", Duration.ofSeconds(120), () ->
                !telegram(all("host-b", "No new block")).isEmpty());
        await("Slack: the same three", Duration.ofSeconds(60), () ->
                !slack(all("GonkaMLNodeFailed", "host-a", "node1")).isEmpty()
                        && !slack(all("GonkaMissTestFailing", "host-a")).isEmpty()
                        && !slack(all("GonkaChainStalled", "host-b")).isEmpty());

        JsonNode failed = telegram(all("GonkaMLNodeFailed", "host-a", "node1")).get(0);
        assertEquals("HTML", failed.path("parse_mode").asText());
        assertEquals("-1001234567890", failed.path("chat_id").asText());
        assertTrue(failed.path("text").asText().contains("runbooks/mlnodes.md"), failed.toString());
        assertTrue(telegram(all("GonkaMLNodeFailed", "host-b")).isEmpty(), "host-b's nodes are fine");
        assertTrue(telegram(all("GonkaChainStalled", "host-a")).isEmpty(), "host-a's chain is fine");

        // 3. Restore; the resolved messages follow.
        a.state().setMlNodeStatus("node1", "INFERENCE", "INFERENCE");
        a.state().setMissCounts(1500, 0);
        b.state().setChainStalled(false);
        b.state().setLatestBlockAge(Duration.ZERO);

        await("Telegram: resolved for all three", Duration.ofSeconds(180), () ->
                !telegram(all("RESOLVED", "host-a", "node1")).isEmpty()
                        && !telegram(all("RESOLVED", "host-a", "miss test")).isEmpty()
                        && !telegram(all("RESOLVED", "host-b")).isEmpty());
        await("Slack: resolved for all three", Duration.ofSeconds(60), () ->
                slack(all("RESOLVED", "GonkaMLNodeFailed", "host-a")).size() >= 1
                        && slack(all("RESOLVED", "GonkaMissTestFailing", "host-a")).size() >= 1
                        && slack(all("RESOLVED", "GonkaChainStalled", "host-b")).size() >= 1);
    }
}
