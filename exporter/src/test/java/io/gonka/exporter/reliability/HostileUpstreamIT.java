package io.gonka.exporter.reliability;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import io.gonka.exporter.bench.ImageProcess;
import io.gonka.exporter.support.FreePort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, findings 4-6, on the jar run as the image runs it (its JVM flags: -Xmx96m, and its
 * 16 MiB body cap): a 65,000-node admin answer just under the cap, credentials in the upstream URL,
 * and upstream strings built to forge log lines.
 */
class HostileUpstreamIT {
    static final String ADMIN_USER = "gonka";
    static final String ADMIN_PASS = "s3cr3t-in-url";

    /** One admin API node entry as the admin API writes it, padded to {@code size} bytes. */
    static String node(String id, String host, int size) {
        String head = "{\"node\":{\"id\":\"" + id + "\",\"host\":\"" + host + "\",\"poc_port\":1},"
                + "\"state\":{\"intended_status\":\"INFERENCE\",\"current_status\":\"INFERENCE\",\"failure_reason\":\"";
        String tail = "\",\"epoch_ml_nodes\":{\"Qwen/Qwen3-32B-FP8\":{\"poc_weight\":1234,\"timeslot_allocation\":[true,false]}}}}";
        return head + "x".repeat(Math.max(0, size - head.length() - tail.length())) + tail;
    }

    static byte[] nodes(List<String> entries) {
        return ("[" + String.join(",", entries) + "]").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aHugeNodeListCredentialsInTheUrlAndForgedLogLines(@TempDir Path work) throws Exception {
        int count = 65_000;
        List<String> big = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            big.add(node("node-" + i, "127.0.0.1", 240));
        }
        byte[] huge = nodes(big);
        long cap = Long.parseLong(ImageProcess.imageEnv().get("GONKA_MAX_BODY_BYTES"));
        assertTrue(huge.length > 15_000_000 && huge.length < cap, "body " + huge.length + " vs cap " + cap);

        AtomicReference<byte[]> adminNodes = new AtomicReference<>(huge);
        Map<String, String> authSeen = new ConcurrentHashMap<>();
        HttpServer admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        admin.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authSeen.put(path, String.valueOf(auth));
            byte[] body = "not here".getBytes(StandardCharsets.UTF_8);
            int status = 404;
            String expected = "Basic " + Base64.getEncoder().encodeToString((ADMIN_USER + ":" + ADMIN_PASS).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(auth)) {
                status = 401;
            } else if (path.equals("/admin/v1/nodes")) {
                status = 200;
                body = adminNodes.get();
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        admin.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        admin.start();
        String base = "http://" + ADMIN_USER + ":" + ADMIN_PASS + "@127.0.0.1:" + admin.getAddress().getPort();
        Path jna = ImageProcess.extractJna(work);
        Map<String, String> env = Map.of("GONKA_ADMIN_URL", base, "GONKA_RPC_URL", base, "GONKA_PUBLIC_URL", base,
                "GONKA_INTERVAL_ADMIN_NODES", "1s", "GONKA_NVML_ENABLED", "false");
        try (ImageProcess exporter = ImageProcess.start("hostile", work, jna, FreePort.next(), env)) {
            // 5: the whole list is read (every node counted), 512 become series, and the JVM lives on.
            String metrics = await(exporter, m -> m.contains("gonka_source_up{source=\"admin_nodes\"} 1.0"));
            assertEquals(512, metrics.lines().filter(l -> l.startsWith("gonka_mlnode_info{")).count());
            awaitLog(exporter, "65000 ML nodes, more than 512");
            int pollsBefore = countLog(exporter, "65000 ML nodes");
            Thread.sleep(4_000); // a few more 1 s polls of the same 15.6 MB answer
            exporter.requireAlive();
            assertTrue(countLog(exporter, "65000 ML nodes") > pollsBefore, "the exporter kept polling the huge list");
            assertFalse(exporter.logText().contains("java.lang.OutOfMemoryError"), exporter.logText());
            System.out.printf("65,000 nodes (%d bytes) under the image's flags: peak RSS %d MB%n", huge.length, exporter.statusKb("VmHWM") / 1024);

            // 4: credentials in the URL are sent as Basic auth (the server answers 401 otherwise)
            // and never printed; ML-node hosts with user info are exported without it.
            assertTrue(authSeen.get("/admin/v1/nodes").startsWith("Basic "));
            adminNodes.set(nodes(List.of(node("worker-1", "mluser:ml-pass@127.0.0.1", 0),
                    node("worker-2", "https://mluser:ml-pass@127.0.0.2:8443", 0))));
            metrics = await(exporter, m -> m.contains("node_id=\"worker-2\""));
            assertTrue(metrics.contains("host=\"***@127.0.0.1\""), metrics);
            assertTrue(metrics.contains("host=\"https://***@127.0.0.2:8443\""), metrics);
            assertFalse(metrics.contains("ml-pass"));
            assertFalse(metrics.contains(ADMIN_PASS));

            // 6: a node id made to forge a log line, recolour a terminal and cut a line.
            String forged = "x\nFORGED ERROR\u001b[2J\u0000\r"; // ids are clipped to 40 characters in messages
            String escaped = forged.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
                    .replace("\u001b", "\\u001b").replace("\u0000", "\\u0000");
            adminNodes.set(nodes(List.of(node(escaped, "127.0.0.1", 0), node(escaped, "127.0.0.1", 0))));
            awaitLog(exporter, "duplicate node id");
            String log = exporter.logText();
            assertTrue(log.contains("duplicate node id \"x\\nFORGED ERROR\\u001b[2J\\u0000\\r\""), log);
            assertFalse(log.lines().anyMatch(l -> l.startsWith("FORGED")), "a forged line: " + log);
            byte[] raw = Files.readAllBytes(exporter.log);
            for (byte b : raw) {
                assertTrue(b == '\n' || (b >= 0x20 && b != 0x7f) || b < 0, "control byte " + b + " in the log");
            }
            assertFalse(log.contains(ADMIN_PASS), "the URL password was printed:\n" + log);
            assertFalse(log.contains("ml-pass"), "an ML node's password was printed:\n" + log);
            assertTrue(log.contains("admin http://***@127.0.0.1:"), "the start-up line names the admin URL, redacted:\n" + log);
            exporter.requireAlive();
        } finally {
            admin.stop(0);
        }
    }

    static String await(ImageProcess e, Predicate<String> ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            e.requireAlive();
            HttpResponse<String> r = e.get("/metrics");
            if (r != null && r.statusCode() == 200) {
                last = r.body();
                if (ok.test(last)) {
                    return last;
                }
            }
            Thread.sleep(250);
        }
        fail("no such scrape within 60 s; last:\n" + last + "\nlog:\n" + e.logText());
        return null;
    }

    static void awaitLog(ImageProcess e, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            e.requireAlive();
            if (e.logText().contains(fragment)) {
                return;
            }
            Thread.sleep(250);
        }
        fail("no log line with '" + fragment + "' within 60 s:\n" + e.logText());
    }

    static int countLog(ImageProcess e, String fragment) {
        return (int) e.logText().lines().filter(l -> l.contains(fragment)).count();
    }
}
