package io.gonka.exporter.http;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.ManagedProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's command line, run as an operator runs it: exit codes, output, the listen flag. */
class CommandLineIT {
    static final Path JAR = Path.of(System.getProperty("gonka.jar", "target/gonka-exporter.jar"));

    @TempDir
    Path dir;

    record Run(int exit, String stdout, String stderr) {}

    /** Runs the jar to its end (every case here ends by itself within seconds). */
    static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("GONKA_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("still running after 60 s: " + cmd + "\n" + out.getNow("") + err.getNow(""));
        }
        return new Run(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void helpAndVersionPrintAndExitZero() throws Exception {
        Run help = run(Map.of(), "--help");
        assertEquals(0, help.exit(), help.stderr());
        assertTrue(help.stdout().startsWith("Usage: gonka-exporter [options]"), help.stdout());
        for (String flag : List.of("--web.listen-address", "--web.config.file", "--[no-]collector.mlnode_health", "--gonka.admin-url",
                "GONKA_INTERVAL_RPC_STATUS", "--log.level")) {
            assertTrue(help.stdout().contains(flag), flag + " in\n" + help.stdout());
        }
        assertEquals("", help.stderr());

        Run version = run(Map.of(), "--version");
        assertEquals(0, version.exit(), version.stderr());
        assertTrue(version.stdout().matches("gonka-exporter 0\\.1\\.0-SNAPSHOT \\(revision \\S+, branch \\S+, Java 17[^)]*\\)\\n"), version.stdout());
        assertEquals(LandingPageTest.gitRevision(), version.stdout().replaceAll("(?s).*revision (\\S+),.*", "$1"), "the jar knows its revision");
    }

    @Test
    void badSettingsStopStartUpNamingSettingAndValue() throws Exception {
        Run env = run(Map.of("GONKA_INTERVAL_RPC_STATUS", "abc", "GONKA_ADMIN_URL", "notaurl"));
        assertEquals(2, env.exit(), env.stdout() + env.stderr());
        assertTrue(env.stderr().contains("GONKA_INTERVAL_RPC_STATUS, --gonka.interval-rpc-status) = \"abc\": not a duration"), env.stderr());
        assertTrue(env.stderr().contains("GONKA_ADMIN_URL, --gonka.admin-url) = \"notaurl\""), env.stderr());
        assertFalse(env.stderr().contains("\tat "), "a message, not a stack trace:\n" + env.stderr());

        Run port = run(Map.of(), "--web.listen-address=:70000");
        assertEquals(2, port.exit());
        assertTrue(port.stderr().contains("--web.listen-address = \":70000\""), port.stderr());

        Run unknown = run(Map.of(), "--web.listen-adress=:9401");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.stderr().contains("Unknown option: '--web.listen-adress=:9401'"), unknown.stderr());

        java.nio.file.Files.writeString(dir.resolve("web.yml"), "tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n");
        Run web = run(Map.of(), "--web.config.file=" + dir.resolve("web.yml"));
        assertEquals(2, web.exit());
        assertTrue(web.stderr().contains("--web.config.file) = \"" + dir.resolve("web.yml") + "\"") && web.stderr().contains("client_auth_type"),
                web.stderr());
    }

    @Test
    void listensWhereTheFlagSaysAndSaysSo() throws Exception {
        int port = FreePort.next();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (ManagedProcess exporter = ManagedProcess.start("exporter", List.of(java, "-jar", JAR.toString(),
                "--web.listen-address=127.0.0.1:" + port, "--no-collector.nvml", "--gonka.admin-url=http://127.0.0.1:1",
                "--gonka.rpc-url=http://127.0.0.1:1", "--gonka.public-url=http://127.0.0.1:1"), Map.of("GONKA_EXPORTER_PORT", "1"), dir)) {
            exporter.awaitHttpOk("http://127.0.0.1:" + port + "/", Duration.ofSeconds(60), null);
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("gonka_exporter_build_info{branch="), metrics.body());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes{area=\"heap\"}"));
            assertFalse(metrics.body().contains("source=\"nvml\""), "--no-collector.nvml");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!exporter.log().contains("listening on") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(exporter.log().contains("listening on http://127.0.0.1:" + port + ": TLS off, basic auth off (no web config)"), exporter.log());
        }
    }
}
