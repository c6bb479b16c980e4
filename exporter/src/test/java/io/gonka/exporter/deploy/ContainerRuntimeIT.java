package io.gonka.exporter.deploy;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged jar exactly as the container image would (no Docker engine here): the
 * Dockerfile's ENTRYPOINT, its ENV (JAVA_TOOL_OPTIONS included), and libjnidispatch.so extracted
 * by the same script as the image build. Only the listen address (loopback) and port, the paths of
 * the jar and the JNA directory, and empty stand-ins for the read-only filesystem (java.io.tmpdir,
 * the working directory, HOME) differ. Those must still be empty while it runs and after it stops,
 * which is what lets the image run with a read-only root filesystem and no writable /tmp.
 */
class ContainerRuntimeIT {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static Path jar;
    static DockerfileModel dockerfile;
    static Map<String, String> imageEnv;
    static String imageNativeDir;
    static Path cdsArchive;

    @TempDir
    static Path shared;
    static Path nativeDir;

    @BeforeAll
    static void extractJnaAsTheImageBuildDoes() throws Exception {
        jar = Repo.jar();
        dockerfile = DockerfileModel.load();
        imageEnv = dockerfile.finalStage().env();
        imageNativeDir = JvmFlags.ofImage().property("jna.boot.library.path").orElseThrow();
        nativeDir = shared.resolve("native");
        // The build stage runs: sh extract-jna.sh /out/gonka-exporter.jar /out/native "$TARGETARCH".
        var r = ScriptRunner.run(List.of("sh", Repo.path("deploy/docker/extract-jna.sh").toString(), jar.toString(), nativeDir.toString()),
                Map.of("PATH", ScriptRunner.pathWithJdk(), "TMPDIR", shared.toString()), true, shared, 120);
        assertEquals(0, r.exit(), r.output());
        assertTrue(Files.size(nativeDir.resolve("libjnidispatch.so")) > 10_000, "a real shared library");
        // The final stage's RUN writes the class-data archive ENTRYPOINT maps.
        cdsArchive = io.gonka.exporter.bench.ImageProcess.cdsArchive(shared, jar);
        assertTrue(Files.size(cdsArchive) > 1_000_000, "an archive of the classes loaded at start");
    }

    /** The image's JAVA_TOOL_OPTIONS with only the JNA directory moved to where this test put it. */
    static String javaToolOptions(Path jnaDir) {
        String opts = imageEnv.get("JAVA_TOOL_OPTIONS");
        String from = "-Djna.boot.library.path=" + imageNativeDir;
        assertTrue(opts.contains(from + " ") || opts.endsWith(from), opts);
        return opts.replace(from, "-Djna.boot.library.path=" + jnaDir);
    }

    /** Empty directories standing in for the image's read-only filesystem. */
    record Sandbox(Path tmp, Path cwd, Path home, Path log) {
        static Sandbox in(Path root) throws IOException {
            return new Sandbox(Files.createDirectories(root.resolve("tmp")), Files.createDirectories(root.resolve("cwd")),
                    Files.createDirectories(root.resolve("home")), root.resolve("exporter.log"));
        }

        void assertUntouched(String when) throws IOException {
            for (Path dir : List.of(tmp, cwd, home)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    List<Path> written = s.filter(p -> !p.equals(dir)).toList();
                    assertEquals(List.of(), written, when + ": the exporter wrote into " + dir.getFileName()
                            + " (a read-only container has no writable directory)");
                }
            }
        }

        String logText() throws IOException {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }
    }

    final class Exporter implements AutoCloseable {
        final Sandbox box;
        final int port;
        final Map<String, String> env;
        final Process process;

        Exporter(Path root, Map<String, String> overrides) throws Exception {
            box = Sandbox.in(root);
            port = freePort();
            env = new LinkedHashMap<>(imageEnv);
            env.putAll(overrides);
            env.put("JAVA_TOOL_OPTIONS", javaToolOptions(nativeDir));
            env.put("GONKA_EXPORTER_HOST", "127.0.0.1"); // tests stay on loopback; the image says 0.0.0.0
            env.put("GONKA_EXPORTER_PORT", String.valueOf(port));
            env.put("HOME", box.home().toString());
            env.put("PATH", "/usr/bin:/bin");
            List<String> command = new ArrayList<>(DockerfileModel.execForm(dockerfile.finalStage().last("ENTRYPOINT").args()));
            assertEquals("java", command.get(0));
            command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add(1, "-Djava.io.tmpdir=" + box.tmp());
            int jarAt = command.indexOf(DockerfileTest.IMAGE_DIR + "gonka-exporter.jar");
            assertTrue(jarAt > 0, "ENTRYPOINT runs the image's jar: " + command);
            command.set(jarAt, jar.toString());
            command.replaceAll(w -> w.replace("/opt/gonka-exporter/gonka-exporter.jsa", cdsArchive.toString()));
            ProcessBuilder pb = new ProcessBuilder(command).directory(box.cwd().toFile()).redirectErrorStream(true)
                    .redirectOutput(box.log().toFile());
            pb.environment().clear(); // a container starts with the image's ENV only
            pb.environment().putAll(env);
            process = pb.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        HttpResponse<String> get(String path) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Polls until the path answers 200 (the exporter is starting up). */
        HttpResponse<String> await200(String path, Duration within) throws Exception {
            return await(path, r -> r.statusCode() == 200, "200", within);
        }

        /** Polls {@code path} until an answer satisfies {@code ok}; fails at once if the exporter exits. */
        HttpResponse<String> await(String path, java.util.function.Predicate<HttpResponse<String>> ok, String what, Duration within)
                throws Exception {
            long deadline = System.nanoTime() + within.toNanos();
            String last = "no answer";
            while (System.nanoTime() < deadline) {
                assertTrue(process.isAlive(), "the exporter exited (" + (process.isAlive() ? "" : process.exitValue()) + "):\n" + box.logText());
                try {
                    HttpResponse<String> r = get(path);
                    if (ok.test(r)) {
                        return r;
                    }
                    last = r.statusCode() + " " + r.body();
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(200);
            }
            throw new AssertionError(path + " did not answer " + what + " within " + within + ": " + last + "\n" + box.logText());
        }

        void assertNoPerfDataFile() {
            // hsperfdata always goes to /tmp (not java.io.tmpdir); -XX:-UsePerfData means none.
            Path perf = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), String.valueOf(process.pid()));
            assertFalse(Files.exists(perf), perf + " exists: the JVM writes perf data");
        }

        /** docker stop: SIGTERM, then an orderly exit well within Docker's 10 s grace period. */
        int stop() throws Exception {
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "no exit within 10 s of SIGTERM:\n" + box.logText());
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void assertCleanLog(String log) {
        assertFalse(log.contains("Exception"), "an exception in the log:\n" + log);
        assertFalse(log.lines().anyMatch(l -> l.startsWith("\tat ") || l.matches("\\s+at [\\w.$]+\\(.*\\)")), "a stack trace in the log:\n" + log);
        assertFalse(log.contains(" ERROR "), "an ERROR line:\n" + log);
    }

    static List<String> probePaths(String kind, String name) throws Exception {
        var w = KubernetesManifestsTest.one(kind, name);
        List<String> paths = new ArrayList<>();
        for (Map<String, Object> c : KubernetesManifestsTest.containers(w)) {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                paths.add(String.valueOf(Yamls.mapAt(c, w.what(), probe, "httpGet").get("path")));
            }
        }
        return paths;
    }

    @Test
    void theImageStartsFromTheClassDataArchiveItsBuildWrote() throws Exception {
        List<String> command = io.gonka.exporter.bench.ImageProcess.entrypoint(jar, cdsArchive);
        assertTrue(command.contains("-XX:SharedArchiveFile=" + cdsArchive), "ENTRYPOINT maps the archive: " + command);
        // -Xshare:on turns "start without it" into an error: the archive must map and match the jar
        List<String> strict = new ArrayList<>(command);
        strict.add(1, "-Xshare:on");
        strict.add("--version");
        var r = ScriptRunner.run(strict, Map.of("JAVA_TOOL_OPTIONS", javaToolOptions(nativeDir), "PATH", "/usr/bin:/bin"), true, shared, 60);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("gonka-exporter"), r.output());
    }

    @Test
    void runsAsTheImageWithoutWritingAnything(@TempDir Path root) throws Exception {
        try (Exporter e = new Exporter(root, Map.of())) {
            e.await200("/health/liveness", Duration.ofSeconds(60));
            HttpResponse<String> metrics = e.await200("/metrics", Duration.ofSeconds(10));
            assertTrue(metrics.body().contains("gonka_exporter_build_info{"), metrics.body());
            // Every source is polled once (the node's ports are closed here), then it is ready.
            e.await200("/health/readiness", Duration.ofSeconds(30));
            for (String path : probePaths("Deployment", "gonka-exporter")) {
                assertEquals(200, e.get(path).statusCode(), "the Deployment's probe " + path);
            }

            // The image's HEALTHCHECK, run as Docker would: its command with the container's env.
            List<String> hc = DockerfileModel.healthCheck(dockerfile.finalStage().last("HEALTHCHECK").args()).command();
            var ok = ScriptRunner.run(hc, e.env, true, e.box.cwd(), 10);
            assertEquals(0, ok.exit(), "HEALTHCHECK against the running exporter: " + ok.output());
            Map<String, String> closed = new LinkedHashMap<>(e.env);
            closed.put("GONKA_EXPORTER_PORT", String.valueOf(freePort()));
            var down = ScriptRunner.run(hc, closed, true, e.box.cwd(), 10);
            assertNotEquals(0, down.exit(), "HEALTHCHECK must fail when nothing listens");

            e.assertNoPerfDataFile();
            e.box.assertUntouched("while running");
            String log = e.box.logText();
            assertTrue(log.contains("Picked up JAVA_TOOL_OPTIONS: " + e.env.get("JAVA_TOOL_OPTIONS")), "the JVM took the image's options:\n" + log);

            int code = e.stop();
            assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code + "\n" + e.box.logText());
            e.box.assertUntouched("after stopping");
            assertCleanLog(e.box.logText());
        }
    }

    /** gpu-daemonset.yaml's environment on the image: no Gonka sources, ready at once. */
    @Test
    void runsWithTheGpuDaemonSetEnvironment(@TempDir Path root) throws Exception {
        var ds = KubernetesManifestsTest.one("DaemonSet", "gonka-exporter-gpu");
        Map<String, String> dsEnv = KubernetesManifestsTest.containerEnv(ds, KubernetesManifestsTest.containers(ds).get(0));
        try (Exporter e = new Exporter(root, dsEnv)) {
            assertEquals("false", e.env.get("GONKA_ENABLED"));
            e.await200("/health/liveness", Duration.ofSeconds(60));
            e.await200("/health/readiness", Duration.ofSeconds(30));
            for (String path : probePaths("DaemonSet", "gonka-exporter-gpu")) {
                assertEquals(200, e.get(path).statusCode(), "the DaemonSet's probe " + path);
            }
            String body = e.get("/metrics").body();
            assertTrue(body.contains("gonka_exporter_build_info{"), body);
            assertFalse(body.contains("gonka_source_up{source=\"rpc_status\"}"), "Gonka sources are off:\n" + body);
            e.box.assertUntouched("while running");
            int code = e.stop();
            assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code);
            e.box.assertUntouched("after stopping");
            assertCleanLog(e.box.logText());
        }
    }

    /**
     * The image's heap holds the largest upstream answer its GONKA_MAX_BODY_BYTES lets through
     * (a participants list just under the cap, polled every second), and a larger one is refused
     * without harm: a container that ran out of heap would exit and restart over and over.
     */
    @Test
    void heapHoldsTheLargestAcceptedAnswer(@TempDir Path root) throws Exception {
        long cap = Long.parseLong(imageEnv.get("GONKA_MAX_BODY_BYTES"));
        byte[] largest = participantsAnswer(cap - 64 * 1024);
        byte[] tooLarge = participantsAnswer(cap + 1024 * 1024);
        var body = new java.util.concurrent.atomic.AtomicReference<>(largest);
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/epochs/current/participants", ex -> {
            byte[] b = body.get();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (var out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        try (Exporter e = new Exporter(root, Map.of("GONKA_PUBLIC_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "GONKA_INTERVAL_PARTICIPANTS", "1s"))) {
            e.await200("/health/liveness", Duration.ofSeconds(60));
            awaitMetric(e, "gonka_source_up{source=\"participants\"} 1.0", Duration.ofSeconds(60));
            Thread.sleep(10_000); // ten more polls of the largest answer
            assertTrue(e.process.isAlive(), "the exporter died:\n" + e.box.logText());
            assertTrue(e.get("/metrics").body().contains("gonka_source_up{source=\"participants\"} 1.0"));

            body.set(tooLarge);
            awaitMetric(e, "gonka_source_errors_total{reason=\"parse\",source=\"participants\"} 1.0", Duration.ofSeconds(30));
            assertTrue(e.process.isAlive(), "the exporter died:\n" + e.box.logText());
            assertTrue(e.box.logText().contains("body larger than " + cap + " bytes"), e.box.logText());
            int code = e.stop();
            assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code + " (3 = out of memory)\n" + e.box.logText());
            assertFalse(e.box.logText().contains("java.lang.OutOfMemoryError"), e.box.logText());
            e.box.assertUntouched("after stopping");
        } finally {
            server.stop(0);
        }
    }

    static void awaitMetric(Exporter e, String sample, Duration within) throws Exception {
        e.await("/metrics", r -> r.statusCode() == 200 && r.body().contains(sample), "with " + sample, within);
    }

    /**
     * A /v1/epochs/current/participants answer of exactly {@code size} bytes: the fixture's
     * participants repeated (10,000 is the exporter's default limit) and its proof bytes padded.
     */
    static byte[] participantsAnswer(long size) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path example = io.gonka.exporter.support.Fixtures.example("public-epoch-participants.json");
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(example.toFile());
        var list = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("active_participants").get("participants");
        var template = list.deepCopy();
        list.removeAll();
        for (int i = 0; i < 10_000; i++) {
            var p = (com.fasterxml.jackson.databind.node.ObjectNode) template.get(i % template.size()).deepCopy();
            p.put("index", String.format("gonka1%038d", i));
            list.add(p);
        }
        root.put("active_participants_bytes", "");
        long rest = size - json.writeValueAsBytes(root).length;
        assertTrue(rest >= 0, "10,000 participants already exceed " + size + " bytes");
        root.put("active_participants_bytes", "a".repeat((int) rest));
        byte[] out = json.writeValueAsBytes(root);
        assertEquals(size, out.length);
        return out;
    }

    /**
     * The exporter loads JNA only for NVML; JNA's own entry point loads libjnidispatch.so the same
     * way, with the image's options: from the pre-extracted directory, unpacking nothing.
     */
    @Test
    void jnaLoadsThePreExtractedLibraryAndNeverUnpacks(@TempDir Path root) throws Exception {
        Sandbox box = Sandbox.in(root);
        Map<String, String> env = new LinkedHashMap<>(imageEnv);
        env.put("HOME", box.home().toString());
        env.put("JAVA_TOOL_OPTIONS", javaToolOptions(nativeDir));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Djava.io.tmpdir=" + box.tmp(), "-cp", jar.toString(), "com.sun.jna.Native");
        var r = ScriptRunner.run(cmd, env, true, box.cwd(), 60);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(" Native: "), "the native library answered:\n" + r.output());
        box.assertUntouched("after loading JNA");

        // Control: without the library in that directory JNA fails instead of unpacking one,
        // so the success above came from the pre-extracted file.
        Path empty = Files.createDirectories(root.resolve("no-native"));
        env.put("JAVA_TOOL_OPTIONS", javaToolOptions(empty));
        var missing = ScriptRunner.run(cmd, env, true, box.cwd(), 60);
        assertNotEquals(0, missing.exit(), missing.output());
        assertTrue(missing.output().contains("Could not find JNA native support"), missing.output());
        box.assertUntouched("after a failed JNA load");
    }
}
