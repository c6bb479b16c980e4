package io.gonka.exporter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.sources.nvml.NvmlStub;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.HttpRecorder;
import io.gonka.exporter.support.ManagedProcess;
import io.gonka.exporter.support.RepoFiles;
import io.gonka.exporter.upstream.JsonFields;
import io.gonka.simulator.Scenarios;
import io.gonka.simulator.SimulatedGonkaNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The whole product path with real processes on loopback and the shipped config files:
 * simulated node -> exporter jar -> host Prometheus (the shipped plain host config, started by
 * deploy/host/run-prometheus.sh) -> remote_write as the host's own write-only user -> vmauth (TLS)
 * -> central Prometheus (behind the shipped web-config.yml) and Alertmanager, started with the
 * very commands, arguments and environment of {@code deploy/central/docker-compose.yml}
 * (container paths mapped to local ones, so a wrong argument to render-config.sh fails here as it
 * would in compose) -> Telegram, Slack and the heartbeat URL (a local recorder).
 *
 * <p>Four hosts, each with its own failure, all at once:
 * host-a a FAILED ML node, the chain's miss test failing and a lost GPU (NVML stub library);
 * host-b a stalled chain; host-c killed (exporter and host Prometheus); host-d's remote_write
 * cut for 80 s (a proxy that refuses connections). host-c and host-d run the default host bundle
 * and must produce no message while healthy. Then host-a and host-b are restored (resolved
 * messages), and finally the central Prometheus is killed: the heartbeat must stop.
 *
 * <p>What differs from compose: addresses, ports and paths; the rules' {@code for:} shortened
 * to 0s, the central evaluation interval to 5s and {@code --rules.alert.resend-delay=1s} (so an
 * alert from a dead Prometheus expires in 20 s instead of 4 minutes); Alertmanager is Debian's
 * 0.25, so {@code ALERTMANAGER_VERSION} is 0.25 (the config then copies the secrets instead of
 * referring to their files); the recorder's address as the Telegram API URL; a self-signed
 * certificate for vmauth; and vmauth.yml gets user blocks for host-c and host-d like host-b's
 * (the README's "add a host" step), with their variables next to the compose file's.
 */
class PushAndAlertIT {
    static final String PASSWORD = "central-e2e-password"; // its bcrypt goes into the shipped web-config.yml
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(("gonka-central:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    /** Each host's own write-only user on vmauth (its name is GONKA_HOST_NAME). */
    static final Map<String, String> HOST_PASSWORDS = Map.of("host-a", "host-a-e2e-write", "host-b", "host-b-e2e-write",
            "host-c", "host-c-e2e-write", "host-d", "host-d-e2e-write");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    static final String TOKEN = "123456:e2e-test-token";
    static final String CHAT = "-1001234567890";
    static final List<String> HOSTS = List.of("host-a", "host-b", "host-c", "host-d");

    @TempDir
    static Path dir;
    static HttpRecorder chat;
    static final List<AutoCloseable> running = new ArrayList<>();
    static final Map<String, SimulatedGonkaNode> sims = new HashMap<>();
    static final Map<String, List<ManagedProcess>> hostProcesses = new HashMap<>();
    static Path secret;
    static Path nvmlControl;
    static PausableProxy remoteWriteOfD;
    static ManagedProcess centralPrometheus;
    static int central;
    static int vmauth;
    static Path cert;
    static int alertmanager;
    static long started;

    @BeforeAll
    static void startEverything() throws Exception {
        started = System.nanoTime();
        chat = new HttpRecorder(HttpRecorder.TELEGRAM_OK);
        running.add(chat);
        secret = dir.resolve("prometheus_password");
        Files.writeString(secret, PASSWORD);
        nvmlControl = dir.resolve("nvml-control");
        Files.writeString(nvmlControl, "");

        Map<String, Object> compose = new Yaml().load(RepoFiles.text("deploy/central/docker-compose.yml"));
        alertmanager = FreePort.next();
        central = FreePort.next();
        startAlertmanager(service(compose, "alertmanager"));
        startCentral(service(compose, "prometheus"));
        cert = FleetScaleOutIT.selfSignedCertificate(dir);
        vmauth = startVmauth(service(compose, "vmauth"));
        Path stub = NvmlStub.build("current");
        for (String host : HOSTS) {
            SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start();
            if (!host.equals("host-a")) {
                // A healthy host: the standard scenario's FAILED, unreachable node3 and its 2 peers
                // would be alerts of their own (host-a keeps them).
                sim.state().removeMlNode("node3");
                sim.state().setMlNodeStatus("node2", "INFERENCE", "INFERENCE");
                sim.state().setPeerCount(8);
            }
            sim.startBlockProduction(Duration.ofSeconds(1));
            running.add(sim);
            sims.put(host, sim);
            int exporter = startExporter(host, sim, host.equals("host-a") ? stub : null);
            String writeTo = "https://127.0.0.1:" + vmauth + "/api/v1/write";
            if (host.equals("host-d")) {
                // between the host and vmauth: TLS passes through it untouched
                remoteWriteOfD = new PausableProxy(vmauth);
                running.add(remoteWriteOfD);
                writeTo = "https://127.0.0.1:" + remoteWriteOfD.port() + "/api/v1/write";
            }
            Path hostSecret = dir.resolve(host + "/remote_write_password");
            Files.createDirectories(hostSecret.getParent());
            Files.writeString(hostSecret, HOST_PASSWORDS.get(host));
            startHostPrometheus(host, exporter, sim, writeTo, hostSecret);
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        System.out.printf("end-to-end test took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> s = ((Map<String, Map<String, Object>>) compose.get("services")).get(name);
        assertNotNull(s, "deploy/central/docker-compose.yml has no service " + name);
        return s;
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

    // ------------------------------------------------------------------ compose, as processes

    /** Compose's variable interpolation: ${NAME}, ${NAME:-default}, ${NAME:?message}. */
    static String interpolate(String value, Map<String, String> env) {
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::([-?])([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.getOrDefault(m.group(1), "");
            if (v.isEmpty() && "-".equals(m.group(2))) {
                v = m.group(3);
            }
            assertFalse(v.isEmpty() && "?".equals(m.group(2)), "compose would stop: " + m.group(3));
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        return m.appendTail(out).toString();
    }

    /**
     * Container path -> local path, from the service's volumes: bind mounts relative to
     * deploy/central, named volumes to fresh folders; {@code overrides} wins (staged files).
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> mounts(String service, Map<String, Object> s, Map<String, String> env, Map<String, String> overrides)
            throws IOException {
        Map<String, String> out = new HashMap<>();
        Path base = RepoFiles.path("deploy/central");
        for (String v : (List<String>) s.getOrDefault("volumes", List.of())) {
            String[] parts = interpolate(v, env).split(":");
            String source = parts[0];
            String target = parts[1];
            Path local;
            if (source.startsWith(".") || source.startsWith("/")) {
                local = base.resolve(source).normalize();
            } else {
                local = Files.createDirectories(dir.resolve(service + "-volume-" + source));
            }
            out.put(target, local.toString());
        }
        out.putAll(overrides);
        return out;
    }

    /** Replaces every container path (a whole path or a path prefix) in one pass, longest first. */
    static String mapPaths(String text, Map<String, String> paths) {
        String alternatives = paths.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|"));
        Matcher m = Pattern.compile("(?<=^|[\\s=\"'])(" + alternatives + ")(?=/|$|[\\s\"'])").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(paths.get(m.group(1))));
        }
        return m.appendTail(out).toString();
    }

    /** The compose service's entrypoint, its environment and its secret folder, as a local process. */
    @SuppressWarnings("unchecked")
    static void startAlertmanager(Map<String, Object> s) throws Exception {
        String image = (String) s.get("image");
        Matcher version = Pattern.compile("prom/alertmanager:v0\\.(\\d+)\\.\\d+").matcher(image);
        assertTrue(version.matches() && Integer.parseInt(version.group(1)) >= 26, "compose must run Alertmanager 0.26 or newer: " + image);
        Path secrets = Files.createDirectories(dir.resolve("central-secrets/alertmanager"));
        Files.writeString(secrets.resolve("telegram_bot_token"), TOKEN + "\n");
        Files.writeString(secrets.resolve("telegram_chat_id"), CHAT + "\n");
        Files.writeString(secrets.resolve("slack_webhook_url"), chat.baseUrl() + "/slack/webhook\n");
        Files.writeString(secrets.resolve("heartbeat_url"), chat.baseUrl() + "/heartbeat\n");
        Map<String, String> composeEnv = Map.of("ALERTMANAGER_SECRETS_DIR", secrets.toString());

        Map<String, String> paths = mounts("alertmanager", s, composeEnv, Map.of());
        paths.put("/tmp/alertmanager.yml", dir.resolve("alertmanager/alertmanager.yml").toString());
        // the image's binary, listening on loopback, without clustering
        paths.put("/bin/alertmanager", "prometheus-alertmanager --web.listen-address=127.0.0.1:" + alertmanager
                + " --cluster.listen-address=");
        Files.createDirectories(dir.resolve("alertmanager"));

        List<String> entrypoint = new ArrayList<>((List<String>) s.get("entrypoint"));
        List<String> command = new ArrayList<>();
        for (String arg : entrypoint) {
            command.add(mapPaths(arg, paths));
        }
        assertTrue(String.join(" ", entrypoint).contains("/etc/alertmanager/render-config.sh"), "compose renders the config: " + entrypoint);
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) s.getOrDefault("environment", Map.of())).forEach((k, v) ->
                env.put(k, mapPaths(interpolate(String.valueOf(v), composeEnv), paths)));
        assertTrue(env.get("ALERTMANAGER_VERSION").startsWith("0.2"), "compose states the Alertmanager version: " + env);
        env.put("ALERTMANAGER_VERSION", "0.25"); // Debian's Alertmanager stands in for the image's
        env.put("TELEGRAM_API_URL", chat.baseUrl());
        ManagedProcess am = start("alertmanager", command, env);
        am.awaitHttpOk("http://127.0.0.1:" + alertmanager + "/-/ready", Duration.ofSeconds(30), null);
        assertTrue(am.log().contains("render-config.sh: wrote"), am.log());
    }

    @SuppressWarnings("unchecked")
    static void startCentral(Map<String, Object> s) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("central/rules"));
        try (Stream<Path> files = Files.list(RepoFiles.path("alerts"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".rules.yml")).toList()) {
                // The only change to the rules: shorter `for:` durations, so the test fits in minutes.
                String text = Files.readString(f).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s");
                Files.writeString(rules.resolve(f.getFileName()), text);
            }
        }
        Path config = staged("deploy/central/prometheus.yml", dir.resolve("central/prometheus.yml"),
                "alertmanager:9093", "127.0.0.1:" + alertmanager,
                "localhost:9090", "127.0.0.1:" + central,
                "evaluation_interval: 15s", "evaluation_interval: 5s");
        // the password file(s) the compose file reads from the environment
        Map<String, String> composeEnv = Map.of("REMOTE_WRITE_PASSWORD_FILE", secret.toString(),
                "PROMETHEUS_PASSWORD_FILE", secret.toString());
        // The shipped web config holds no usable password: the operator's bcrypt hash goes in.
        Path webConfig = staged("deploy/central/web-config.yml", dir.resolve("central/web-config.yml"),
                "replace-with-a-bcrypt-hash", at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(10, PASSWORD.toCharArray()));
        Map<String, String> paths = mounts("prometheus", s, composeEnv, Map.of(
                "/etc/prometheus/prometheus.yml", config.toString(), "/etc/prometheus/rules", rules.toString(),
                "/etc/prometheus/web-config.yml", webConfig.toString()));
        // the config refers to container paths too (rules, the password file)
        Files.writeString(config, mapPaths(Files.readString(config), paths));
        List<String> cmd = new ArrayList<>(List.of("prometheus"));
        for (String arg : (List<String>) s.get("command")) {
            cmd.add(mapPaths(arg, paths));
        }
        cmd.add("--web.listen-address=127.0.0.1:" + central);
        cmd.add("--rules.alert.resend-delay=1s");
        centralPrometheus = start("central-prometheus", cmd, Map.of());
        centralPrometheus.awaitHttpOk("http://127.0.0.1:" + central + "/-/ready", Duration.ofSeconds(60), BASIC);
    }

    /**
     * vmauth with the compose service's command and environment, and the shipped vmauth.yml plus
     * user blocks for host-c and host-d copied from host-b's.
     */
    @SuppressWarnings("unchecked")
    static int startVmauth(Map<String, Object> s) throws Exception {
        int port = FreePort.next();
        Path config = staged("deploy/central/vmauth.yml", dir.resolve("vmauth/vmauth.yml"), "http://prometheus:9090", "http://127.0.0.1:" + central);
        String text = Files.readString(config);
        Matcher hostB = Pattern.compile("(?ms)^  - username: host-b\n.*?(?=^  - |\\z)").matcher(text);
        assertTrue(hostB.find(), "vmauth.yml has a user block for host-b");
        StringBuilder added = new StringBuilder(text.endsWith("\n") ? text : text + "\n");
        for (String host : List.of("host-c", "host-d")) {
            added.append(hostB.group().replace("host-b", host).replace("HOST_B", host.replace("host-", "HOST_").toUpperCase()));
        }
        Files.writeString(config, added.toString());

        Map<String, String> composeEnv = new HashMap<>();
        HOST_PASSWORDS.forEach((host, password) -> composeEnv.put("GONKA_WRITE_PASSWORD_" + host.replace("host-", "HOST_").toUpperCase(), password));
        composeEnv.put("GONKA_CENTRAL_BASIC_AUTH", BASIC.substring("Basic ".length()));
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) s.getOrDefault("environment", Map.of())).forEach((k, v) -> env.put(k, interpolate(String.valueOf(v), composeEnv)));
        assertEquals(Set.of("GONKA_WRITE_PASSWORD_HOST_A", "GONKA_WRITE_PASSWORD_HOST_B", "GONKA_CENTRAL_BASIC_AUTH"), env.keySet(),
                "the compose file passes vmauth the shipped users' passwords and the central credential");
        env.put("GONKA_WRITE_PASSWORD_HOST_C", HOST_PASSWORDS.get("host-c"));
        env.put("GONKA_WRITE_PASSWORD_HOST_D", HOST_PASSWORDS.get("host-d"));

        List<String> cmd = new ArrayList<>(List.of("vmauth"));
        cmd.addAll(FleetScaleOutIT.composeCommand("deploy/central/docker-compose.yml", "vmauth", "/etc/vmauth/vmauth.yml", config.toString(),
                "=:8427", "=127.0.0.1:" + port, "/run/secrets/tls.crt", cert.toString(), "/run/secrets/tls.key", dir.resolve("tls/tls.key").toString()));
        start("vmauth", cmd, env);
        HttpClient https = HttpClient.newBuilder().sslContext(FleetScaleOutIT.trusting(cert)).build();
        await("vmauth answers over TLS", Duration.ofSeconds(30), () -> {
            try {
                // A host's user may not read: vmauth answers, and refuses.
                HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/query?query=up"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("host-a:" + HOST_PASSWORDS.get("host-a")).getBytes(StandardCharsets.UTF_8)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 400 && r.body().contains("missing route");
            } catch (IOException notYet) {
                return false;
            }
        });
        return port;
    }

    static int startExporter(String host, SimulatedGonkaNode sim, Path nvmlStub) throws Exception {
        int port = FreePort.next();
        String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
        assertTrue(Files.isRegularFile(Path.of(jar)), "run `mvn package` first: " + jar);
        Map<String, String> env = new HashMap<>();
        env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
        env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
        env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
        env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
        env.put("GONKA_EXPORTER_PORT", Integer.toString(port));
        if (nvmlStub != null) {
            env.put("GONKA_NVML_LIBRARY_PATH", nvmlStub.toString());
            env.put("NVML_STUB_CONTROL", nvmlControl.toString());
            env.put("GONKA_INTERVAL_NVML", "2s");
        } else {
            env.put("GONKA_NVML_ENABLED", "false");
        }
        for (String s : List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH",
                "PARTICIPANTS", "PARTICIPANT_STATS", "CHAIN_PARAMS", "MLNODE_HEALTH")) {
            env.put("GONKA_INTERVAL_" + s, "2s");
        }
        ManagedProcess p = start("exporter-" + host, List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m", "-jar", jar), env);
        hostProcesses.computeIfAbsent(host, h -> new ArrayList<>()).add(p);
        p.awaitHttpOk("http://127.0.0.1:" + port + "/health/readiness", Duration.ofSeconds(90), null);
        return port;
    }

    /**
     * The shipped plain host config through run-prometheus.sh: the exporter, itself, the nodes'
     * own endpoints, and node_exporter only where targets/node.yml exists (here: nowhere); it
     * pushes as the host's own user with the host's password file, trusting vmauth's certificate.
     */
    static void startHostPrometheus(String host, int exporter, SimulatedGonkaNode sim, String remoteWrite, Path hostSecret) throws Exception {
        int port = FreePort.next();
        Path config = staged("deploy/host/plain/prometheus.yml", dir.resolve(host + "/prometheus.yml"),
                "127.0.0.1:9401", "127.0.0.1:" + exporter,
                "127.0.0.1:9090", "127.0.0.1:" + port,
                // the ML nodes' metrics through the API node's federation route, and the API node's own
                "127.0.0.1:8000", sim.publicBaseUrl().substring("http://".length()),
                "127.0.0.1:9100", sim.baseUrl().substring("http://".length()),
                "https://monitoring.example.com/api/v1/write", remoteWrite,
                "/etc/prometheus/secrets/remote_write_password", hostSecret + "\n    tls_config:\n      ca_file: " + cert);
        ManagedProcess p = start("prometheus-" + host, List.of("sh", RepoFiles.path("deploy/host/run-prometheus.sh").toString(),
                config.toString(), "--storage.tsdb.path=" + dir.resolve(host + "/data"), "--web.listen-address=127.0.0.1:" + port),
                Map.of("GONKA_HOST_NAME", host, "GONKA_PARTICIPANT", Scenarios.OWN_ADDRESS,
                        "GONKA_RENDERED_CONFIG", dir.resolve(host + "/rendered.yml").toString()));
        hostProcesses.get(host).add(p);
        p.awaitHttpOk("http://127.0.0.1:" + port + "/-/ready", Duration.ofSeconds(60), null);
    }

    // ------------------------------------------------------------------ looking at the results

    static JsonNode centralQuery(String promql) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + central + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).header("Authorization", BASIC).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JsonFields.MAPPER.readTree(r.body()).path("data").path("result");
    }

    static long seconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    }

    static void await(String what, Duration within, CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                System.out.printf("%4d s  %s%n", seconds(), what);
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
        for (HttpRecorder.Recorded r : chat.matching(r -> r.path().equals("/bot" + TOKEN + "/sendMessage"))) {
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

    static int heartbeats() {
        return chat.matching(r -> r.path().equals("/heartbeat")).size();
    }

    static Predicate<String> all(String... parts) {
        return t -> Stream.of(parts).allMatch(t::contains);
    }

    /** host -> alert names of every firing Telegram message so far ("" for a message without a host). */
    static Map<String, Set<String>> firingByHost() throws Exception {
        Map<String, Set<String>> out = new TreeMap<>();
        Pattern name = Pattern.compile("· <b>(Gonka[A-Za-z]+)</b>");
        Pattern host = Pattern.compile("🖥 <b>([^<]*)</b>");
        for (JsonNode m : telegram(t -> t.contains("FIRING"))) {
            String text = m.path("text").asText();
            Matcher n = name.matcher(text);
            Matcher h = host.matcher(text);
            out.computeIfAbsent(h.find() ? h.group(1) : "", k -> new TreeSet<>()).add(n.find() ? n.group(1) : text);
        }
        return out;
    }

    @Test
    void failuresOnFourHostsReachTelegramSlackAndTheHeartbeatStopsWithTheCentralServer() throws Exception {
        // 1. Every host's series arrive centrally with their external labels; the heartbeat runs.
        await("central Prometheus holds the four hosts' series", Duration.ofSeconds(120), () ->
                centralQuery("gonka_chain_block_height{job=\"gonka-exporter\",participant=\"" + Scenarios.OWN_ADDRESS + "\"}").size() == 4);
        List<String> hosts = new ArrayList<>();
        centralQuery("gonka_chain_block_height").forEach(s -> hosts.add(s.path("metric").path("host").asText()));
        assertEquals(HOSTS, hosts.stream().sorted().toList());
        assertEquals(1, centralQuery("gonka_mlnode_info{host=\"host-a\",node_id=\"node1\",mlnode_host=\"127.0.0.11\"}").size(),
                "the ML node's own address moved to mlnode_host, the host label is the host's");
        // The nodes' own metrics from the host config's gonka-mlnodes and gonka-api-node jobs, with node_id lining up.
        await("the ML nodes' and the API node's own metrics arrive centrally", Duration.ofSeconds(90), () ->
                centralQuery("vllm:num_requests_running{job=\"gonka-mlnodes\",host=\"host-a\",node_id=\"node1\"}").size() == 1
                        && centralQuery("decentralized_api_block_height{job=\"gonka-api-node\",host=\"host-b\"}").size() == 1);
        assertEquals(1, centralQuery("mlnode_up{host=\"host-a\",node_id=\"node3\"} == 0").size(), "node3 is unreachable");
        assertEquals(1, centralQuery("vllm:kv_cache_usage_perc{host=\"host-a\",node_id=\"node1\"}"
                + " and on (host, node_id) gonka_mlnode_info{host=\"host-a\"}").size(), "joins the exporter's series on node_id");
        await("each host Prometheus scrapes itself, and its remote_write health reaches the central server", Duration.ofSeconds(60), () ->
                centralQuery("prometheus_remote_storage_highest_timestamp_in_seconds{job=\"prometheus\"}").size() == 4);
        assertEquals(0, centralQuery("up{job=\"node\"}").size(), "no node_exporter, no node target: nothing is down");
        await("host-a's two GPUs report through NVML", Duration.ofSeconds(60), () ->
                centralQuery("gonka_gpu_lost{host=\"host-a\"} == 0").size() == 2);
        await("heartbeat arrives", Duration.ofSeconds(60), () -> heartbeats() >= 1);
        assertTrue(Set.of("host-a").containsAll(firingByHost().keySet()), "healthy hosts: no message so far: " + firingByHost());

        // 2. The failures, all at once.
        SimulatedGonkaNode a = sims.get("host-a");
        SimulatedGonkaNode b = sims.get("host-b");
        a.state().setMlNodeStatus("node1", "INFERENCE", "FAILED");
        a.state().setMissCounts(100, 50); // 50 of 150: the chain's table allows 21 at p0 0.10
        Files.writeString(nvmlControl, "lost:1");
        b.state().setChainStalled(true);
        b.state().setLatestBlockAge(Duration.ofMinutes(10));
        for (ManagedProcess p : hostProcesses.get("host-c")) {
            p.stop(Duration.ofSeconds(5));
        }
        remoteWriteOfD.pause();
        long cut = System.nanoTime();

        await("Telegram: GPU 1 lost on host-a", Duration.ofSeconds(120), () ->
                !telegram(all("GonkaGPULost", "host-a", "GPU 1 is lost")).isEmpty());
        await("Telegram: node1 FAILED on host-a", Duration.ofSeconds(60), () ->
                !telegram(all("GonkaMLNodeFailed", "host-a", "node1")).isEmpty());
        await("Telegram: the chain's miss test fails on host-a", Duration.ofSeconds(120), () ->
                !telegram(all("host-a", "missed 50 of 150 requests")).isEmpty());
        await("Telegram: chain stalled on host-b", Duration.ofSeconds(60), () ->
                !telegram(all("host-b", "No new block")).isEmpty());
        await("Slack: the same four", Duration.ofSeconds(60), () ->
                !slack(all("GonkaMLNodeFailed", "host-a", "node1")).isEmpty()
                        && !slack(all("GonkaMissTestFailing", "host-a")).isEmpty()
                        && !slack(all("GonkaGPULost", "host-a")).isEmpty()
                        && !slack(all("GonkaChainStalled", "host-b")).isEmpty());
        JsonNode failed = telegram(all("GonkaMLNodeFailed", "host-a", "node1")).get(0);
        assertEquals("HTML", failed.path("parse_mode").asText());
        assertEquals(CHAT, failed.path("chat_id").asText());
        assertTrue(failed.path("text").asText().contains("runbooks/mlnodes.md"), failed.toString());
        JsonNode gpu = telegram(all("GonkaGPULost", "host-a")).get(0);
        assertTrue(gpu.path("text").asText().contains("GPU-66666666-7777-8888-9999-000000000000"), "the lost GPU's UUID: " + gpu);
        assertEquals(1, centralQuery("gonka_gpu_lost{host=\"host-a\",gpu=\"0\"} == 0").size(), "GPU 0 keeps reporting");

        // 3. host-a and host-b restored; host-d's link comes back after 80 s.
        a.state().setMlNodeStatus("node1", "INFERENCE", "INFERENCE");
        a.state().setMissCounts(1500, 0);
        Files.writeString(nvmlControl, "");
        b.state().setChainStalled(false);
        b.state().setLatestBlockAge(Duration.ZERO);
        long pausedFor = 80 - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cut);
        if (pausedFor > 0) {
            Thread.sleep(pausedFor * 1000);
        }
        remoteWriteOfD.resume();
        System.out.printf("%4d s  host-d's remote_write restored after %d s%n", seconds(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cut));

        await("Telegram: host-c sends nothing any more", Duration.ofSeconds(150), () ->
                !telegram(all("GonkaHostNotReporting", "host-c")).isEmpty());
        await("Telegram: host-d's remote_write fell behind", Duration.ofSeconds(150), () ->
                !telegram(all("GonkaRemoteWriteBehind", "host-d")).isEmpty());
        await("Telegram: resolved for host-a's three and host-b's stall", Duration.ofSeconds(150), () ->
                !telegram(all("RESOLVED", "host-a", "node1")).isEmpty()
                        && !telegram(all("RESOLVED", "host-a", "miss test")).isEmpty()
                        && !telegram(all("RESOLVED", "host-a", "GPU 1")).isEmpty()
                        && !telegram(all("RESOLVED", "host-b")).isEmpty());
        await("Slack: resolved for all four", Duration.ofSeconds(60), () ->
                !slack(all("RESOLVED", "GonkaMLNodeFailed", "host-a")).isEmpty()
                        && !slack(all("RESOLVED", "GonkaMissTestFailing", "host-a")).isEmpty()
                        && !slack(all("RESOLVED", "GonkaGPULost", "host-a")).isEmpty()
                        && !slack(all("RESOLVED", "GonkaChainStalled", "host-b")).isEmpty());

        // Each host said what was wrong with it and nothing else; nothing went out fleet-wide.
        Map<String, Set<String>> firing = firingByHost();
        System.out.println("firing messages by host: " + firing);
        assertEquals(Set.of("GonkaHostNotReporting"), firing.get("host-c"), "host-c: " + firing);
        assertTrue(firing.get("host-d").contains("GonkaRemoteWriteBehind")
                && Set.of("GonkaRemoteWriteBehind", "GonkaRemoteWriteFailing").containsAll(firing.get("host-d")), "host-d: " + firing);
        assertTrue(firing.get("host-a").containsAll(Set.of("GonkaMLNodeFailed", "GonkaMissTestFailing", "GonkaGPULost")), "host-a: " + firing);
        assertFalse(firing.containsKey(""), "no fleet-wide message: " + firing);
        assertTrue(chat.requests().stream().filter(r -> !r.path().equals("/heartbeat")).noneMatch(r -> r.body().contains("GonkaWatchdog")),
                "the watchdog never reaches a chat");

        // 4. The central Prometheus dies: the heartbeat stops (it came every minute before).
        int beatsBefore = heartbeats();
        assertTrue(beatsBefore >= 2, "heartbeats while everything ran: " + beatsBefore);
        centralPrometheus.stop(Duration.ofSeconds(10));
        long killed = System.nanoTime();
        System.out.printf("%4d s  central Prometheus stopped%n", seconds());
        int[] last = {heartbeats()};
        long[] lastChange = {System.nanoTime()};
        await("no heartbeat for 75 s (it came every 60 s)", Duration.ofSeconds(180), () -> {
            int now = heartbeats();
            if (now != last[0]) {
                last[0] = now;
                lastChange[0] = System.nanoTime();
            }
            return System.nanoTime() - lastChange[0] > TimeUnit.SECONDS.toNanos(75);
        });
        System.out.printf("%4d s  heartbeats after the stop: %d, the last %d s after it%n", seconds(), last[0] - beatsBefore,
                TimeUnit.NANOSECONDS.toSeconds(Math.max(0, lastChange[0] - killed)));
    }

    /** A TCP forwarder to the central server that refuses (closes) connections while paused. */
    static final class PausableProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int upstream;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile boolean paused;

        PausableProxy(int upstream) throws IOException {
            this.upstream = upstream;
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(this::accept, "remote-write-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void pause() {
            paused = true;
            for (Socket s : open) {
                closeQuietly(s);
            }
        }

        void resume() {
            paused = false;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    if (paused) {
                        closeQuietly(client);
                        continue;
                    }
                    Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream);
                    open.add(client);
                    open.add(up);
                    pipe(client, up);
                    pipe(up, client);
                } catch (IOException e) {
                    // closed, or the upstream refused: the client sees a broken connection
                }
            }
        }

        private void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                    open.remove(from);
                    open.remove(to);
                }
            }, "remote-write-proxy-pipe");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) {
                closeQuietly(s);
            }
        }
    }
}
