package io.gonka.exporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A throw-away Prometheus server on 127.0.0.1 for tests: its own config, TSDB and log in a work directory, stopped by
 * {@link #close()}. Missing binaries fail the test (they are a declared build dependency), never skip it.
 */
public final class LocalPrometheus implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(ProxySelector.of(null))
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final Process process;
    private final URI uri;
    private final Path log;

    private LocalPrometheus(Process process, URI uri, Path log) {
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /** Finds {@code name} (prometheus, promtool) on the PATH or in /usr/bin, or fails the test. */
    public static Path binary(String name) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isBlank()) {
                    candidates.add(Paths.get(dir, name));
                }
            }
        }
        candidates.add(Paths.get("/usr/bin", name));
        candidates.add(Paths.get("/usr/local/bin", name));
        for (Path p : candidates) {
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return fail("'" + name + "' not found on the PATH or in /usr/bin. The dashboard tests run a real Prometheus: "
                + "apt-get install prometheus (Debian/Ubuntu; it brings promtool too)");
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts Prometheus with {@code configYaml} (and any further files, such as rule files, written next to it
     * by name) in {@code workDir}, and waits until it is ready.
     */
    public static LocalPrometheus start(Path workDir, String configYaml, Map<String, String> files)
            throws IOException, InterruptedException {
        Path bin = binary("prometheus");
        Files.createDirectories(workDir);
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, configYaml);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(workDir.resolve(f.getKey()), f.getValue());
        }
        IOException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            Path log = workDir.resolve("prometheus-" + attempt + ".log");
            Process p = new ProcessBuilder(bin.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + workDir.resolve("data-" + attempt),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.retention.time=1d",
                    "--log.level=warn")
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LocalPrometheus prom = new LocalPrometheus(p, URI.create("http://127.0.0.1:" + port), log);
            try {
                prom.awaitReady(Duration.ofSeconds(30));
                return prom;
            } catch (IOException e) {
                prom.close();
                last = e; // most likely the port was taken in between; try another one
            }
        }
        throw last;
    }

    public URI uri() {
        return uri;
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("prometheus not ready after " + timeout + ":\n" + log());
    }

    /** The {@code data.result} of an instant query; fails on a query error. */
    public JsonNode query(String expr) throws IOException, InterruptedException {
        String url = "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Dashboards.mapper().readTree(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IOException("query " + expr + " failed: " + r.body());
        }
        return body.path("data").path("result");
    }

    /** Polls an instant query until {@code done} accepts its result, or fails after {@code timeout}. */
    public void await(String expr, Predicate<JsonNode> done, Duration timeout, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode result = null;
        while (System.nanoTime() < deadline) {
            result = query(expr);
            if (done.test(result)) {
                return;
            }
            Thread.sleep(250);
        }
        fail("timed out after " + timeout + " waiting for " + what + "; last result of " + expr + ": " + result
                + "\nprometheus log:\n" + log());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
