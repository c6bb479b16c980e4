package io.gonka.exporter.http;

import static org.junit.jupiter.api.Assertions.*;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.gonka.exporter.BuildInfo;
import io.gonka.exporter.support.LogCapture;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.RepoFiles;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The landing page, the start-up line, the build info and the JVM families of the real application. */
class LandingPageTest {
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    static EmbeddedServer start(Map<String, Object> extra) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                "micronaut.server.port", "-1",
                "gonka.admin-url", "http://127.0.0.1:1",
                "gonka.rpc-url", "http://127.0.0.1:1",
                "gonka.public-url", "http://127.0.0.1:1",
                "gonka.nvml-enabled", "false",
                "gonka.collector.setup-report", "false"));
        props.putAll(extra);
        return ApplicationContext.run(EmbeddedServer.class, props);
    }

    static HttpResponse<String> get(EmbeddedServer server, String path, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path)).timeout(Duration.ofSeconds(10));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void landingPageLinksMetricsAndHealthAndNamesTheBuild() throws Exception {
        try (LogCapture logs = new LogCapture(); EmbeddedServer server = start(Map.of())) {
            HttpResponse<String> r = get(server, "/", null);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), r.headers().toString());
            String html = r.body();
            for (String link : new String[] {"href=\"metrics\"", "href=\"health\"", "href=\"health/liveness\"", "href=\"health/readiness\""}) {
                assertTrue(html.contains(link), link + " in " + html);
            }
            BuildInfo b = BuildInfo.current();
            assertTrue(html.contains("Version " + b.version() + ", revision " + b.revision() + ", branch " + b.branch()), html);
            assertTrue(html.contains("<code>rpc_status</code>"), html);
            assertFalse(html.contains("<code>setup_report</code>"), "a switched-off source is not listed");
            // every link answers
            for (String path : new String[] {"/metrics", "/health", "/health/liveness"}) {
                assertEquals(200, get(server, path, null).statusCode(), path);
            }
            String line = "listening on http://127.0.0.1:" + server.getPort() + ": TLS off, basic auth off";
            awaitLog(logs, line);
            assertEquals(1, logs.count(line), logs.all());
            assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("INFO " + b.describe() + " listening on")), logs.all());
        }
    }

    @Test
    void landingPageNeedsTheCredentialsWhenBasicAuthIsOn() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(6, "s3cret".toCharArray());
        Path web = dir.resolve("web-config.yml");
        Files.writeString(web, "basic_auth_users:\n  prometheus: " + hash + "\n");
        try (LogCapture logs = new LogCapture(); EmbeddedServer server = start(Map.of("gonka.web-config-file", web.toString()))) {
            HttpResponse<String> denied = get(server, "/", null);
            assertEquals(401, denied.statusCode());
            assertFalse(denied.body().contains("gonka-exporter</h1>"));
            String wrong = "Basic " + Base64.getEncoder().encodeToString("prometheus:nope".getBytes(StandardCharsets.UTF_8));
            assertEquals(401, get(server, "/", wrong).statusCode());
            String right = "Basic " + Base64.getEncoder().encodeToString("prometheus:s3cret".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> ok = get(server, "/", right);
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("href=\"metrics\""));
            awaitLog(logs, "listening on http://127.0.0.1:" + server.getPort() + ": TLS off, basic auth on (1 user)");
        }
    }

    @Test
    void overTlsTheStartUpLineSaysSo() throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        Path web = dir.resolve("web-config.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n");
        int port = io.gonka.exporter.support.FreePort.next();
        Map<String, Object> props = new java.util.HashMap<>(WebConfig.load(web).serverProperties(port));
        props.put("micronaut.server.port", port);
        props.put("gonka.web-config-file", web.toString());
        try (LogCapture logs = new LogCapture(); EmbeddedServer server = start(props)) {
            awaitLog(logs, "listening on https://127.0.0.1:" + port + ": TLS on (TLS 1.2+, certificate ");
            awaitLog(logs, "reloaded on change), basic auth off");
        }
    }

    @Test
    void buildInfoHasVersionRevisionBranchAndJavaAndTheJvmFamiliesAreThere() throws Exception {
        try (EmbeddedServer server = start(Map.of())) {
            HttpResponse<String> r = get(server, "/metrics", null);
            assertEquals(200, r.statusCode());
            MetricSamples m = new MetricSamples(r.body());
            BuildInfo b = BuildInfo.current();
            assertEquals(1, m.value("gonka_exporter_build_info", "version", "0.1.0-SNAPSHOT", "revision", gitRevision(),
                    "branch", b.branch(), "java_version", System.getProperty("java.version")), r.body());
            assertTrue(m.value("jvm_memory_used_bytes", "area", "heap") > 0);
            assertTrue(m.value("process_cpu_seconds_total") > 0);
            assertTrue(m.value("process_resident_memory_bytes") > 0);
            assertTrue(m.value("jvm_threads_current") > 0);
            io.gonka.exporter.support.Promtool.checkMetrics(r.body());
        }
    }

    /** What git says about the checkout the classes were built from; "unknown" outside git (a source tarball). */
    static String gitRevision() throws Exception {
        if (!Files.exists(RepoFiles.root().resolve(".git"))) {
            return BuildInfo.UNKNOWN; // the build asks git only where there is a .git (file or directory)
        }
        Process p;
        try {
            p = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").directory(RepoFiles.root().toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return BuildInfo.UNKNOWN; // no git at all
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? out : BuildInfo.UNKNOWN;
    }

    static void awaitLog(LogCapture logs, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (logs.count(fragment) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(logs.count(fragment) > 0, "no '" + fragment + "' in\n" + logs.all());
    }

    @Test
    void unfilledBuildPlaceholdersReadAsUnknown() {
        assertEquals("unknown", BuildInfo.filled("${gonka.build.revision}", "unknown"));
        assertEquals("unknown", BuildInfo.filled("  ", "unknown"));
        assertEquals("abc123", BuildInfo.filled("abc123", "unknown"));
    }
}
