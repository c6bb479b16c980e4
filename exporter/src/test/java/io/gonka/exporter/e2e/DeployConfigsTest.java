package io.gonka.exporter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.RepoFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The shipped host and central Prometheus configs pass the real promtool and say what the README promises. */
class DeployConfigsTest {
    @TempDir
    Path dir;

    String promtool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("promtool missing: apt-get install prometheus", e);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    /** The shipped file with only paths substituted, as a deployment mounts it. */
    Path staged(String relative, Map<String, String> paths) throws Exception {
        String text = RepoFiles.text(relative);
        for (var e : paths.entrySet()) {
            assertTrue(text.contains(e.getKey()), relative + " has no " + e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        Path out = dir.resolve(relative.replace('/', '_'));
        Files.writeString(out, text);
        return out;
    }

    @Test
    void hostConfigsPassPromtoolAndPushWithUniqueLabels() throws Exception {
        Path secret = dir.resolve("remote_write_password");
        Files.writeString(secret, "change-me");
        for (String file : List.of("deploy/host/prometheus.yml", "deploy/host/plain/prometheus.yml", "deploy/host/agent/prometheus.yml")) {
            Path cfg = staged(file, Map.of("/etc/prometheus/secrets/remote_write_password", secret.toString()));
            promtool("check", "config", cfg.toString());
            Map<String, Object> doc = new Yaml().load(Files.readString(cfg));
            @SuppressWarnings("unchecked")
            Map<String, Object> labels = (Map<String, Object>) ((Map<String, Object>) doc.get("global")).get("external_labels");
            assertEquals("${GONKA_HOST_NAME}", labels.get("host"), file);
            assertEquals("${GONKA_PARTICIPANT}", labels.get("participant"), file);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rw = (List<Map<String, Object>>) doc.get("remote_write");
            assertEquals(1, rw.size());
            assertTrue(rw.get(0).containsKey("basic_auth"), "credentials from a file");
            String text = Files.readString(cfg);
            assertTrue(text.contains("job_name: gonka-exporter"), file);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> jobs = new java.util.TreeMap<>();
            for (Map<String, Object> job : (List<Map<String, Object>>) doc.get("scrape_configs")) {
                jobs.put((String) job.get("job_name"), job);
            }
            assertTrue(jobs.containsKey("prometheus"), file + ": the host Prometheus scrapes itself (remote_write health)");
            // node_exporter is optional: its target comes from a file that exists only where it runs,
            // so a host without it has no node target that is always down.
            assertFalse(jobs.get("node").containsKey("static_configs"), file + ": a static node target is down wherever node_exporter is not running");
            assertTrue(jobs.get("node").containsKey("file_sd_configs"), file);
            Path example = RepoFiles.path(file).resolveSibling("targets/node.yml.example");
            assertTrue(Files.isRegularFile(example), "an example target file next to " + file);
            assertFalse(Files.exists(example.resolveSibling("node.yml")), "no node.yml shipped: node_exporter is opt-in");
        }
        // The container starts through the script that refuses an unset GONKA_HOST_NAME.
        assertTrue(RepoFiles.text("deploy/host/docker-compose.yml").contains("\"/etc/prometheus/run-prometheus.sh\""));
        assertFalse(RepoFiles.text("deploy/host/docker-compose.yml").contains("ports:"), "a host publishes no port");
    }

    @Test
    void centralConfigPassesPromtoolWithTheShippedRules() throws Exception {
        Path secret = dir.resolve("prometheus_password");
        Files.writeString(secret, "a-test-password");
        Path cfg = staged("deploy/central/prometheus.yml", Map.of(
                "/etc/prometheus/rules/", RepoFiles.path("alerts").toString() + "/",
                "/etc/prometheus/secrets/prometheus_password", secret.toString()));
        String out = promtool("check", "config", cfg.toString());
        assertTrue(out.contains("SUCCESS"), out);
        // The shipped web config is refused until a hash is set (FleetBundlesTest); with one it passes.
        Path webConfig = staged("deploy/central/web-config.yml", Map.of("replace-with-a-bcrypt-hash",
                at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(10, "a-test-password".toCharArray())));
        promtool("check", "web-config", webConfig.toString());
    }

    /**
     * render-config.sh takes exactly one argument, the file Alertmanager then loads, in every
     * compose file that runs it; the central bundles' images can read secret files.
     */
    @Test
    @SuppressWarnings("unchecked")
    void centralComposeRendersTheAlertmanagerConfigItLoads() throws Exception {
        for (String file : List.of("deploy/central/docker-compose.yml", "deploy/central/victoriametrics/docker-compose.yml",
                "deploy/demo/docker-compose.yml")) {
            Map<String, Object> compose = new Yaml().load(RepoFiles.text(file));
            Map<String, Object> am = ((Map<String, Map<String, Object>>) compose.get("services")).get("alertmanager");
            String script = String.join(" ", (List<String>) am.get("entrypoint"));
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("/etc/alertmanager/render-config\\.sh ([^ &]+) && exec /bin/alertmanager --config\\.file=([^ ]+) ").matcher(script);
            assertTrue(m.find(), file + ": render-config.sh OUTPUT && exec alertmanager --config.file=OUTPUT: " + script);
            assertEquals(m.group(1), m.group(2), file + ": Alertmanager loads what the script wrote");
            assertFalse(m.group(1).startsWith("/alertmanager"), file + ": the rendered config does not go onto the data volume");
            if (file.contains("demo")) {
                continue; // made-up secrets in the environment, delivered to the simulator's recorder
            }
            String image = (String) am.get("image");
            java.util.regex.Matcher v = java.util.regex.Pattern.compile("prom/alertmanager:v(0\\.(\\d+)\\.\\d+)").matcher(image);
            assertTrue(v.matches() && Integer.parseInt(v.group(2)) >= 26, file + ": 0.26 or newer reads bot_token_file: " + image);
            Map<String, Object> env = (Map<String, Object>) am.get("environment");
            assertEquals(v.group(1), env.get("ALERTMANAGER_VERSION"), file + ": the script is told the image's version");
            assertEquals("/run/secrets/alertmanager", env.get("SECRETS_DIR"), file);
        }
    }
}
