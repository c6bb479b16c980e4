package io.gonka.exporter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.RepoFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The host and central bundles' defaults, with the real tools: nothing usable ships as a password,
 * nothing listens publicly without TLS, secret files are private and ignored by git, hosts refuse
 * to start without a name, and the remote_write examples are valid Prometheus config.
 */
class FleetBundlesTest {
    static final List<String> CENTRAL_COMPOSE = List.of("deploy/central/docker-compose.yml", "deploy/central/victoriametrics/docker-compose.yml");

    @TempDir
    Path dir;

    record Run(int exit, String out) {}

    Run run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("GONKA_HOST_NAME");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        return new Run(p.exitValue(), out);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(String compose) {
        Map<String, Object> doc = new Yaml().load(RepoFiles.text(compose));
        return (Map<String, Map<String, Object>>) doc.get("services");
    }

    @Test
    @SuppressWarnings("unchecked")
    void centralServicesPublishOnlyLocalhostOrTls() {
        for (String compose : CENTRAL_COMPOSE) {
            int published = 0;
            for (var s : services(compose).entrySet()) {
                List<String> ports = (List<String>) s.getValue().getOrDefault("ports", List.of());
                for (String port : ports) {
                    published++;
                    List<String> command = (List<String>) s.getValue().getOrDefault("command", List.of());
                    assertTrue(port.startsWith("127.0.0.1:") || command.contains("-tls"),
                            compose + ": " + s.getKey() + " publishes " + port + " on every interface without TLS");
                }
            }
            assertTrue(published >= 2, compose + ": the write door and Grafana");
            assertEquals(List.of("127.0.0.1:3000:3000"), services(compose).get("grafana").get("ports"), compose);
        }
        assertEquals(List.of("127.0.0.1:9090:9090"), services("deploy/central/docker-compose.yml").get("prometheus").get("ports"));
    }

    @Test
    void theShippedWebConfigHasNoUsableHashAndPrometheusRefusesIt() throws Exception {
        String webConfig = RepoFiles.text("deploy/central/web-config.yml");
        assertFalse(Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}").matcher(webConfig).find(), "a bcrypt hash is shipped");
        Run check = run(Map.of(), "promtool", "check", "web-config", RepoFiles.path("deploy/central/web-config.yml").toString());
        assertNotEquals(0, check.exit(), check.out());
        Files.writeString(dir.resolve("prometheus.yml"), "global: {}\n");
        // The real server: it must stop at start-up, not serve with a password nobody can match.
        Run prometheus = run(Map.of(), "timeout", "30", "prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--web.config.file=" + RepoFiles.path("deploy/central/web-config.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:0");
        assertEquals(1, prometheus.exit(), prometheus.out());
        assertTrue(prometheus.out().contains("Unable to validate web configuration file"), prometheus.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyVmauthPasswordIsRequiredByItsComposeFile() {
        Map<String, String> configs = Map.of("deploy/central/docker-compose.yml", "deploy/central/vmauth.yml",
                "deploy/central/victoriametrics/docker-compose.yml", "deploy/central/victoriametrics/vmauth.yml");
        for (var e : configs.entrySet()) {
            Set<String> placeholders = new TreeSet<>();
            Matcher m = Pattern.compile("%\\{([A-Z0-9_]+)}").matcher(RepoFiles.text(e.getValue()));
            while (m.find()) {
                placeholders.add(m.group(1));
            }
            assertFalse(placeholders.isEmpty(), e.getValue());
            Map<String, Object> env = (Map<String, Object>) services(e.getKey()).get("vmauth").get("environment");
            for (String p : placeholders) {
                // vmauth keeps an unset %{VAR} literally, which would be a password anyone can read here.
                assertEquals("${" + p + ":?set in secrets/vmauth.env}", env.get(p), e.getKey() + " must require " + p);
            }
            Map<String, Object> doc = new Yaml().load(RepoFiles.text(e.getValue()));
            for (Map<String, Object> user : (List<Map<String, Object>>) doc.get("users")) {
                assertFalse(user.containsKey("url_prefix"), user.get("username") + " must be limited to paths");
                for (Map<String, Object> route : (List<Map<String, Object>>) user.get("url_map")) {
                    List<String> paths = (List<String>) route.get("src_paths");
                    if (String.valueOf(user.get("username")).startsWith("host-")) {
                        assertEquals(List.of("/api/v1/write"), paths, user.get("username") + " may only write");
                    } else {
                        assertTrue(paths.stream().noneMatch(p -> p.contains("write") || p.contains("admin") || p.contains("import")),
                                user.get("username") + " only reads: " + paths);
                    }
                }
            }
        }
    }

    @Test
    void gitIgnoresEverySecretsFolder() throws Exception {
        for (String path : List.of("deploy/central/secrets/prometheus_password", "deploy/central/secrets/vmauth.env",
                "deploy/central/secrets/alertmanager/telegram_bot_token",
                "deploy/host/secrets/remote_write_password", "deploy/central/victoriametrics/secrets/tls.key")) {
            Run r = run(Map.of(), "git", "-C", RepoFiles.root().toString(), "check-ignore", "-q", "--no-index", path);
            assertEquals(0, r.exit(), path + " is not ignored by git: " + r.out());
        }
    }

    /** The README's secret commands, run as written in a scratch copy of deploy/central and deploy/host. */
    @Test
    void readmeSecretCommandsCreateFilesOnlyTheOwnerCanRead() throws Exception {
        String readme = RepoFiles.text("README.md");
        String section = readme.substring(readme.indexOf("### A fleet with a central server"), readme.indexOf("### Kubernetes"));
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        String host = blocks.get(0);
        String central = blocks.stream().filter(b -> b.contains("secrets/vmauth.env")).findFirst().orElseThrow();
        Files.createDirectories(dir.resolve("deploy/central"));
        // Only what writes files; sudo and docker are the operator's.
        String script = "set -eu\numask 022\n" + Stream.of(host.split("\n(?!  )"))
                .filter(l -> !l.startsWith("sudo") && !l.contains("docker compose")).reduce("", (a, b) -> a + b + "\n")
                + central;
        Run r = run(Map.of(), "bash", "-c", script);
        assertEquals(0, r.exit(), r.out());
        Set<String> names = new TreeSet<>();
        for (Path folder : List.of(dir.resolve("deploy/central/secrets"), dir.resolve("deploy/host/secrets"))) {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path f : files.toList()) {
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(f);
                    if (Files.isDirectory(f)) {
                        assertEquals("rwx------", PosixFilePermissions.toString(mode), f + " must be 0700");
                        continue;
                    }
                    names.add(folder.relativize(f).toString());
                    assertEquals("rw-------", PosixFilePermissions.toString(mode), f + " must be 0600");
                    assertTrue(Files.size(f) > 0, f + " is empty");
                }
            }
        }
        assertEquals(new TreeSet<>(List.of("alertmanager/heartbeat_url", "alertmanager/slack_webhook_url", "alertmanager/telegram_bot_token",
                "alertmanager/telegram_chat_id", "grafana_admin_password", "grafana_prometheus_password", "prometheus_password",
                "remote_write_password", "tls.crt", "tls.key", "vmauth.env")), names);
        // vmauth forwards hosts' writes with exactly the central Prometheus' credential.
        Path central0 = dir.resolve("deploy/central/secrets");
        String env = Files.readString(central0.resolve("vmauth.env"));
        Matcher auth = Pattern.compile("GONKA_CENTRAL_BASIC_AUTH=(\\S+)").matcher(env);
        assertTrue(auth.find(), env);
        assertEquals("gonka-central:" + Files.readString(central0.resolve("prometheus_password")),
                new String(Base64.getDecoder().decode(auth.group(1)), StandardCharsets.UTF_8));
        assertTrue(env.contains("GONKA_WRITE_PASSWORD_HOST_A=") && env.contains("GONKA_WRITE_PASSWORD_HOST_B="), env);
    }

    @Test
    void hostStartScriptsRefuseAnUnsetOrMalformedHostName() throws Exception {
        for (String script : List.of("deploy/host/run-prometheus.sh", "deploy/host/vmagent/run-vmagent.sh")) {
            for (String name : new String[] {null, "", "two words", "a/b"}) {
                Map<String, String> env = new java.util.HashMap<>(Map.of(
                        // Were the check missing, `false` would run instead of the server and exit 1.
                        "PROMETHEUS", "false", "VMAGENT", "false",
                        "GONKA_REMOTE_WRITE_URL", "https://127.0.0.1:1/api/v1/write", "GONKA_REMOTE_WRITE_PASSWORD_FILE", "/dev/null"));
                if (name != null) {
                    env.put("GONKA_HOST_NAME", name);
                }
                Run r = run(env, "sh", RepoFiles.path(script).toString(), RepoFiles.path("deploy/host/agent/prometheus.yml").toString());
                assertEquals(64, r.exit(), script + " with GONKA_HOST_NAME=" + name + ": " + r.out());
                assertTrue(r.out().contains("GONKA_HOST_NAME"), r.out());
            }
            // With a name it gets as far as the server (here `false`).
            Run ok = run(Map.of("GONKA_HOST_NAME", "host-a", "PROMETHEUS", "false", "VMAGENT", "false",
                    "GONKA_REMOTE_WRITE_URL", "https://127.0.0.1:1/api/v1/write", "GONKA_REMOTE_WRITE_PASSWORD_FILE", "/dev/null",
                    "GONKA_RENDERED_CONFIG", dir.resolve("rendered.yml").toString()),
                    "sh", RepoFiles.path(script).toString(), RepoFiles.path("deploy/host/agent/prometheus.yml").toString());
            assertEquals(1, ok.exit(), script + ": " + ok.out());
        }
        assertTrue(Files.readString(dir.resolve("rendered.yml")).contains("username: host-a"));
    }

    /** Each remote_write example, in place of the agent config's own block, with the host's name filled in. */
    @Test
    void remoteWriteExamplesAreValidAgentConfig() throws Exception {
        Path password = dir.resolve("remote_write_password");
        Files.writeString(password, "secret");
        String agent = RepoFiles.text("deploy/host/agent/prometheus.yml");
        String head = agent.substring(0, agent.indexOf("\nremote_write:") + 1);
        List<Path> examples;
        try (Stream<Path> files = Files.list(RepoFiles.path("deploy/host/remote-write"))) {
            examples = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertEquals(4, examples.size(), examples.toString());
        for (Path example : examples) {
            Path cfg = dir.resolve(example.getFileName());
            Files.writeString(cfg, head + Files.readString(example).replace("/etc/prometheus/secrets/remote_write_password", password.toString()));
            Run rendered = run(Map.of("GONKA_HOST_NAME", "host-a", "PROMETHEUS", "true", "GONKA_RENDERED_CONFIG", dir.resolve("r-" + example.getFileName()).toString()),
                    "sh", RepoFiles.path("deploy/host/run-prometheus.sh").toString(), cfg.toString());
            assertEquals(0, rendered.exit(), rendered.out());
            Run check = run(Map.of(), "promtool", "check", "config", "--agent", dir.resolve("r-" + example.getFileName()).toString());
            assertEquals(0, check.exit(), example + ": " + check.out());
            Map<String, Object> doc = new Yaml().load(Files.readString(dir.resolve("r-" + example.getFileName())));
            assertTrue(doc.get("remote_write").toString().contains("username=host-a"), example + ": per-host user");
        }
        assertTrue(RepoFiles.text("deploy/host/remote-write/mimir.yml").contains("X-Scope-OrgID:"));
        assertTrue(RepoFiles.text("deploy/host/remote-write/thanos-receive.yml").contains("THANOS-TENANT:"));
        assertTrue(RepoFiles.text("deploy/host/remote-write/victoriametrics-cluster.yml").contains("/insert/1/prometheus/api/v1/write"));
    }
}
