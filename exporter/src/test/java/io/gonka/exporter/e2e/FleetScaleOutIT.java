package io.gonka.exporter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.HttpRecorder;
import io.gonka.exporter.support.ManagedProcess;
import io.gonka.exporter.support.RepoFiles;
import io.gonka.exporter.upstream.JsonFields;
import io.gonka.simulator.Scenarios;
import io.gonka.simulator.SimulatedGonkaNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The scale-out path with real Debian components on loopback and the shipped files
 * (addresses, ports, paths substituted; scrape/evaluation intervals and the rules' {@code for:}
 * shortened so it fits in about a minute):
 *
 * <pre>
 * simulated node -> exporter jar -> Prometheus in agent mode (host-a, deploy/host/run-prometheus.sh)
 * simulated node -> exporter jar -> vmagent                 (host-b, deploy/host/vmagent/run-vmagent.sh)
 *   -> vmauth (TLS, deploy/central/victoriametrics/vmauth.yml: one write-only user per host)
 *   -> VictoriaMetrics -> vmalert with alerts/*.rules.yml -> Alertmanager (shipped config)
 *   -> Telegram / Slack (a local recorder)
 * </pre>
 *
 * The services' command lines are read from deploy/central/victoriametrics/docker-compose.yml.
 */
class FleetScaleOutIT {
    static final String COMPOSE = "deploy/central/victoriametrics/docker-compose.yml";
    static final Map<String, String> PASSWORDS = Map.of("host-a", "pw-host-a-9f3", "host-b", "pw-host-b-71c", "reader", "pw-reader-2d0");

    @TempDir
    static Path dir;
    static HttpRecorder chat;
    static final List<AutoCloseable> running = new ArrayList<>();
    static final Map<String, SimulatedGonkaNode> sims = new HashMap<>();
    static HttpClient https;
    static int vm;
    static int vmauth;
    static int alertmanager;
    static long started;

    @BeforeAll
    static void startEverything() throws Exception {
        started = System.nanoTime();
        chat = new HttpRecorder(HttpRecorder.TELEGRAM_OK);
        running.add(chat);
        Path cert = selfSignedCertificate();
        https = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(3)).build();

        alertmanager = startAlertmanager();
        vm = startVictoriaMetrics();
        vmauth = startVmauth();
        startVmalert();
        for (String host : List.of("host-a", "host-b")) {
            SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start();
            sim.startBlockProduction(Duration.ofSeconds(1));
            running.add(sim);
            sims.put(host, sim);
        }
        Path pwA = secret("host-a");
        Path pwB = secret("host-b");
        startPrometheusAgent("host-a", startExporter("host-a"), pwA, cert);
        startVmagent("host-b", startExporter("host-b"), pwB, cert);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        System.out.printf("fleet scale-out test took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    static ManagedProcess start(String name, List<String> cmd, Map<String, String> env) throws Exception {
        ManagedProcess p = ManagedProcess.start(name, cmd, env, dir.resolve(name));
        running.add(p);
        return p;
    }

    static Path secret(String user) throws Exception {
        Path p = dir.resolve("secrets/" + user);
        Files.createDirectories(p.getParent());
        Files.writeString(p, PASSWORDS.get(user));
        return p;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A shipped file with the given replacements, each of which must be found. */
    static Path staged(String relative, Path to, String... replacements) throws Exception {
        Files.createDirectories(to.getParent());
        Files.writeString(to, replaced(relative, RepoFiles.text(relative), replacements));
        return to;
    }

    static String replaced(String what, String text, String... replacements) {
        for (int i = 0; i < replacements.length; i += 2) {
            assertTrue(text.contains(replacements[i]), what + " has no " + replacements[i]);
            text = text.replace(replacements[i], replacements[i + 1]);
        }
        return text;
    }

    static List<String> vmCommand(String service, String... replacements) {
        return composeCommand(COMPOSE, service, replacements);
    }

    /** The command of one service of a shipped compose file, with the given replacements. */
    @SuppressWarnings("unchecked")
    static List<String> composeCommand(String compose, String service, String... replacements) {
        Map<String, Object> doc = new Yaml().load(RepoFiles.text(compose));
        List<String> cmd = (List<String>) ((Map<String, Object>) ((Map<String, Object>) doc.get("services")).get(service)).get("command");
        String joined = replaced(compose + " " + service, String.join("\n", cmd), replacements);
        return List.of(joined.split("\n"));
    }

    static Path selfSignedCertificate() throws Exception {
        return selfSignedCertificate(dir);
    }

    /** tls/tls.crt and tls/tls.key under {@code dir}, for 127.0.0.1. */
    static Path selfSignedCertificate(Path dir) throws Exception {
        Path crt = dir.resolve("tls/tls.crt");
        Files.createDirectories(crt.getParent());
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", dir.resolve("tls/tls.key").toString(), "-out", crt.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return crt;
    }

    static SSLContext trusting(Path cert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("vmauth", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static int startAlertmanager() throws Exception {
        int port = FreePort.next();
        Path config = dir.resolve("alertmanager/alertmanager.yml");
        Files.createDirectories(config.getParent());
        ProcessBuilder pb = new ProcessBuilder("sh", RepoFiles.path("alerts/alertmanager/render-config.sh").toString(), config.toString())
                .redirectErrorStream(true);
        pb.environment().putAll(Map.of("TELEGRAM_BOT_TOKEN", "123456:e2e-test-token", "TELEGRAM_CHAT_ID", "-1001234567890",
                "TELEGRAM_API_URL", chat.baseUrl(), "SLACK_API_URL", chat.baseUrl() + "/slack/webhook"));
        Process ok = pb.start();
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ok.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, ok.exitValue(), out);
        ManagedProcess am = start("alertmanager", List.of("prometheus-alertmanager", "--config.file=" + config,
                "--storage.path=" + dir.resolve("alertmanager/data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="), Map.of());
        am.awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(30), null);
        return port;
    }

    static int startVictoriaMetrics() throws Exception {
        int port = FreePort.next();
        List<String> cmd = new ArrayList<>(List.of("victoria-metrics"));
        cmd.addAll(vmCommand("victoriametrics", "=/storage", "=" + dir.resolve("vm-data"), "=:8428", "=127.0.0.1:" + port));
        // Test only: samples become visible to queries after 1 s instead of 30 s.
        cmd.add("-search.latencyOffset=1s");
        ManagedProcess p = start("victoria-metrics", cmd, Map.of());
        p.awaitHttpOk("http://127.0.0.1:" + port + "/health", Duration.ofSeconds(30), null);
        return port;
    }

    static int startVmauth() throws Exception {
        int port = FreePort.next();
        Path config = staged("deploy/central/victoriametrics/vmauth.yml", dir.resolve("vmauth/vmauth.yml"),
                "http://victoriametrics:8428", "http://127.0.0.1:" + vm);
        List<String> cmd = new ArrayList<>(List.of("vmauth"));
        cmd.addAll(vmCommand("vmauth", "/etc/vmauth/vmauth.yml", config.toString(), "=:8427", "=127.0.0.1:" + port,
                "/run/secrets/tls.crt", dir.resolve("tls/tls.crt").toString(), "/run/secrets/tls.key", dir.resolve("tls/tls.key").toString()));
        start("vmauth", cmd, Map.of("GONKA_WRITE_PASSWORD_HOST_A", PASSWORDS.get("host-a"),
                "GONKA_WRITE_PASSWORD_HOST_B", PASSWORDS.get("host-b"), "GONKA_READ_PASSWORD", PASSWORDS.get("reader")));
        vmauth = port;
        awaitCondition("vmauth answers over TLS", Duration.ofSeconds(30),
                () -> get("/api/v1/query?query=1", "reader").statusCode() == 200);
        return port;
    }

    static void startVmalert() throws Exception {
        Path rules = dir.resolve("rules");
        Files.createDirectories(rules);
        try (Stream<Path> files = Files.list(RepoFiles.path("alerts"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".rules.yml")).toList()) {
                // The only change to the rules: shorter `for:` durations, so the test fits in a minute.
                Files.writeString(rules.resolve(f.getFileName()), Files.readString(f).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s"));
            }
        }
        int port = FreePort.next();
        List<String> cmd = new ArrayList<>(List.of("vmalert"));
        cmd.addAll(vmCommand("vmalert", "/etc/alerts/", rules + "/", "http://victoriametrics:8428", "http://127.0.0.1:" + vm,
                "http://alertmanager:9093", "http://127.0.0.1:" + alertmanager, "=:8880", "=127.0.0.1:" + port,
                "-evaluationInterval=15s", "-evaluationInterval=2s"));
        ManagedProcess p = start("vmalert", cmd, Map.of());
        p.awaitHttpOk("http://127.0.0.1:" + port + "/health", Duration.ofSeconds(30), null);
        assertTrue(p.log().contains("alerting rules") || p.alive(), p.log());
    }

    static int startExporter(String host) throws Exception {
        SimulatedGonkaNode sim = sims.get(host);
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
                "PARTICIPANTS", "PARTICIPANT_STATS", "MLNODE_HEALTH")) {
            env.put("GONKA_INTERVAL_" + s, "2s");
        }
        ManagedProcess p = start("exporter-" + host, List.of("java", "-XX:+UseSerialGC", "-Xmx96m", "-jar", jar), env);
        p.awaitHttpOk("http://127.0.0.1:" + port + "/health/readiness", Duration.ofSeconds(60), null);
        return port;
    }

    static void startPrometheusAgent(String host, int exporter, Path password, Path ca) throws Exception {
        int port = FreePort.next();
        Path config = staged("deploy/host/agent/prometheus.yml", dir.resolve(host + "/prometheus.yml"),
                "scrape_interval: 15s", "scrape_interval: 2s",
                "scrape_timeout: 10s", "scrape_timeout: 2s",
                "127.0.0.1:9401", "127.0.0.1:" + exporter,
                "127.0.0.1:9090", "127.0.0.1:" + port, // the agent scrapes itself; no node_exporter here (no targets/node.yml)
                // the ML nodes' metrics through the API node's federation route, and the API node's own
                "127.0.0.1:8000", sims.get(host).publicBaseUrl().substring("http://".length()),
                "127.0.0.1:9100", sims.get(host).baseUrl().substring("http://".length()),
                "https://monitoring.example.com/api/v1/write", "https://127.0.0.1:" + vmauth + "/api/v1/write",
                "batch_send_deadline: 5s", "batch_send_deadline: 1s",
                "/etc/prometheus/secrets/remote_write_password", password + "\n    tls_config:\n      ca_file: " + ca);
        ManagedProcess p = start("prometheus-agent-" + host, List.of("sh", RepoFiles.path("deploy/host/run-prometheus.sh").toString(),
                config.toString(), "--enable-feature=agent", "--storage.agent.path=" + dir.resolve(host + "/wal"),
                "--web.listen-address=127.0.0.1:" + port),
                Map.of("GONKA_HOST_NAME", host, "GONKA_PARTICIPANT", Scenarios.OWN_ADDRESS,
                        "GONKA_RENDERED_CONFIG", dir.resolve(host + "/rendered.yml").toString()));
        p.awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(60), null);
    }

    static void startVmagent(String host, int exporter, Path password, Path ca) throws Exception {
        Path scrape = staged("deploy/host/vmagent/scrape.yml", dir.resolve(host + "/scrape.yml"),
                "scrape_interval: 15s", "scrape_interval: 2s",
                "scrape_timeout: 10s", "scrape_timeout: 2s",
                "127.0.0.1:9401", "127.0.0.1:" + exporter,
                "../plain/targets/node*.yml", RepoFiles.path("deploy/host/plain/targets").resolve("node*.yml").toString(),
                "127.0.0.1:8000", sims.get(host).publicBaseUrl().substring("http://".length()),
                "127.0.0.1:9100", sims.get(host).baseUrl().substring("http://".length()));
        int port = FreePort.next();
        ManagedProcess p = start("vmagent-" + host, List.of("sh", RepoFiles.path("deploy/host/vmagent/run-vmagent.sh").toString(),
                "-remoteWrite.tlsCAFile=" + ca, "-remoteWrite.tmpDataPath=" + dir.resolve(host + "/queue"),
                "-remoteWrite.flushInterval=1s"),
                Map.of("GONKA_HOST_NAME", host, "GONKA_PARTICIPANT", Scenarios.OWN_ADDRESS,
                        "GONKA_REMOTE_WRITE_URL", "https://127.0.0.1:" + vmauth + "/api/v1/write",
                        "GONKA_REMOTE_WRITE_PASSWORD_FILE", password.toString(),
                        "GONKA_SCRAPE_CONFIG", scrape.toString(), "GONKA_VMAGENT_LISTEN", "127.0.0.1:" + port));
        p.awaitHttpOk("http://127.0.0.1:" + port + "/health", Duration.ofSeconds(30), null);
    }

    static HttpResponse<String> get(String pathAndQuery, String user) throws Exception {
        return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + vmauth + pathAndQuery))
                .header("Authorization", basic(user, PASSWORDS.get(user))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A PromQL query through vmauth as the reader. */
    static JsonNode query(String promql) throws Exception {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), "reader");
        assertEquals(200, r.statusCode(), r.body());
        return JsonFields.MAPPER.readTree(r.body()).path("data").path("result");
    }

    static void awaitCondition(String what, Duration within, PushAndAlertIT.CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    System.out.printf("%4d s  %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), what);
                    return;
                }
            } catch (java.io.IOException e) {
                last = e; // not listening yet
            }
            Thread.sleep(500);
        }
        StringBuilder seen = new StringBuilder();
        for (HttpRecorder.Recorded r : chat.requests()) {
            seen.append(r.path()).append(": ").append(r.body(), 0, Math.min(400, r.body().length())).append('\n');
        }
        fail("not within " + within + ": " + what + (last == null ? "" : " (" + last + ")") + "\nnotifications so far:\n" + seen);
    }

    static List<String> telegramTexts() throws Exception {
        List<String> out = new ArrayList<>();
        for (HttpRecorder.Recorded r : chat.matching(r -> r.path().equals("/bot123456:e2e-test-token/sendMessage"))) {
            out.add(JsonFields.MAPPER.readTree(r.body()).path("text").asText());
        }
        return out;
    }

    @Test
    void agentModeAndVmagentPushThroughPerHostWriteUsersAndTheAlertArrives() throws Exception {
        // 1. Both hosts' series arrive, each labelled with its own host name and participant.
        awaitCondition("VictoriaMetrics holds both hosts' series", Duration.ofSeconds(40), () ->
                query("gonka_chain_block_height{job=\"gonka-exporter\",participant=\"" + Scenarios.OWN_ADDRESS + "\"}").size() == 2);
        List<String> hosts = new ArrayList<>();
        query("gonka_chain_block_height").forEach(s -> hosts.add(s.path("metric").path("host").asText()));
        assertEquals(List.of("host-a", "host-b"), hosts.stream().sorted().toList());
        for (String host : List.of("host-a", "host-b")) {
            assertEquals(1, query("gonka_mlnode_info{host=\"" + host + "\",node_id=\"node1\",mlnode_host=\"127.0.0.11\"}").size(),
                    host + ": the ML node's own address moved to mlnode_host, the host label is the host's");
        }
        awaitCondition("the agent scrapes itself: its remote_write health arrives", Duration.ofSeconds(40), () ->
                query("prometheus_remote_storage_highest_timestamp_in_seconds{job=\"prometheus\"}").size() == 1);
        assertEquals(0, query("up{job=\"node\"}").size(), "no node_exporter, no targets/node.yml: no node target that is down");

        // 2. A host's credential writes but cannot read, delete or export; a wrong password or no
        //    credential gets nothing; the reader cannot write.
        for (String path : List.of("/api/v1/query?query=up", "/api/v1/query_range?query=up&start=0&end=1&step=1",
                "/api/v1/series?match[]=up", "/api/v1/export?match[]=up", "/api/v1/admin/tsdb/delete_series?match[]=up",
                "/federate?match[]=up", "/api/v1/labels")) {
            HttpResponse<String> r = get(path, "host-a");
            assertTrue(r.statusCode() >= 400, "host-a must not read " + path + ": " + r.statusCode() + " " + r.body());
            assertFalse(r.body().contains("\"status\":\"success\""), path + ": " + r.body());
        }
        HttpResponse<String> wrong = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + vmauth + "/api/v1/write"))
                .header("Authorization", basic("host-a", "not-the-password")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(wrong.statusCode() >= 400 && wrong.body().contains("cannot find the provided auth token"), wrong.statusCode() + " " + wrong.body());
        HttpResponse<String> anonymous = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + vmauth + "/api/v1/query?query=up")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        HttpResponse<String> readerWrites = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + vmauth + "/api/v1/write"))
                .header("Authorization", basic("reader", PASSWORDS.get("reader"))).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(readerWrites.statusCode() >= 400 && readerWrites.body().contains("missing route"), readerWrites.statusCode() + " " + readerWrites.body());

        // 3. Failures on both hosts go through vmalert (the shipped rules) and Alertmanager to the chat.
        sims.get("host-b").state().setMlNodeStatus("node1", "INFERENCE", "FAILED");
        sims.get("host-a").state().setChainStalled(true);
        sims.get("host-a").state().setLatestBlockAge(Duration.ofMinutes(10));
        awaitCondition("Telegram: node1 FAILED on host-b (pushed by vmagent)", Duration.ofSeconds(150), () ->
                telegramTexts().stream().anyMatch(t -> t.contains("GonkaMLNodeFailed") && t.contains("host-b") && t.contains("node1")));
        awaitCondition("Telegram: chain stalled on host-a (pushed by Prometheus in agent mode)", Duration.ofSeconds(30), () ->
                telegramTexts().stream().anyMatch(t -> t.contains("No new block") && t.contains("host-a")));
        awaitCondition("Slack: the same two", Duration.ofSeconds(30), () ->
                !chat.matching(r -> r.path().equals("/slack/webhook") && r.body().contains("GonkaMLNodeFailed") && r.body().contains("host-b")).isEmpty()
                        && !chat.matching(r -> r.path().equals("/slack/webhook") && r.body().contains("GonkaChainStalled") && r.body().contains("host-a")).isEmpty());
        assertTrue(telegramTexts().stream().noneMatch(t -> t.contains("GonkaMLNodeFailed") && t.contains("host-a")), "host-a's nodes are fine");

        // 4. Sizing: series per host as stored centrally, and VictoriaMetrics' own bytes per sample.
        for (String host : List.of("host-a", "host-b")) {
            System.out.printf("sizing: %s pushes %s series (%s from the exporter)%n", host,
                    query("count({host=\"" + host + "\"})").path(0).path("value").path(1).asText(),
                    query("count({host=\"" + host + "\",job=\"gonka-exporter\"})").path(0).path("value").path(1).asText());
        }
    }
}
