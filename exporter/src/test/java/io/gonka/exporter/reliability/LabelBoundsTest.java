package io.gonka.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.TestConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile admin API on loopback: 100,000 ML nodes and 100,000 setup checks, with 10 kB node ids,
 * hosts, versions, model names and check ids. Label values must be cut to gonka.max-label-length
 * (128), at most gonka.max-ml-nodes (512) ML nodes become series (setup checks: 512 + 64, as
 * GonkaSources wires it), no label set appears twice, and what stays in memory is small.
 */
class LabelBoundsTest {
    static final int HUGE_COUNT = 100_000;
    static final int MAX_LABEL = 128;
    static final int MAX_NODES = 512;
    static final String MODEL = "M".repeat(10_000);

    HttpServer server;
    final Map<String, byte[]> bodies = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] b = bodies.get(ex.getRequestURI().getPath());
            try (ex) {
                if (b == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static String node(String id, String host, String version, String model) {
        return "{\"node\":{\"id\":\"" + id + "\",\"host\":\"" + host + "\",\"poc_port\":1,\"models\":{}},"
                + "\"state\":{\"intended_status\":\"INFERENCE\",\"current_status\":\"INFERENCE\",\"poc_current_status\":\"IDLE\","
                + "\"admin_state\":{\"enabled\":true},\"ml_node_version\":\"" + version + "\","
                + "\"epoch_ml_nodes\":{\"" + model + "\":{\"poc_weight\":7,\"timeslot_allocation\":[true,false]}}}}";
    }

    static byte[] nodes(List<String> first, int total) {
        StringBuilder sb = new StringBuilder(total * 330).append('[');
        for (int i = 0; i < total; i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (i < first.size()) {
                sb.append(first.get(i));
            } else {
                sb.append(node(String.format("node-%06d", i), "127.0.0.1", "3.0.12", "Qwen/Qwen3"));
            }
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    Harness harness() {
        TestConfig cfg = TestConfig.allAt("http://127.0.0.1:" + server.getAddress().getPort());
        cfg.maxBodyBytes = 128L << 20;
        cfg.maxLabelLength = MAX_LABEL;
        cfg.maxMlNodes = MAX_NODES;
        return new Harness(cfg);
    }

    static void poll(Harness h, io.gonka.exporter.polling.Source<?> s) throws Exception {
        h.scheduler.pollOnce(s).get(60, TimeUnit.SECONDS);
        assertTrue(h.scheduler.state(s).up(), s.name() + " failed: " + h.scheduler.state(s).lastProblem());
    }

    static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** Every label set of every family appears once. */
    static void assertNoDuplicateSeries(MetricSamples m) {
        Set<String> seen = new HashSet<>();
        for (MetricSamples.Sample s : m.samples()) {
            assertTrue(seen.add(s.name() + s.labels()), "duplicate series " + s.name() + " " + s.labels());
        }
    }

    @Test
    void hundredThousandNodesWithTenKilobyteLabels() throws Exception {
        String longId = "I".repeat(10_000);
        String longHost = "h".repeat(10_000);
        String longVersion = "v".repeat(10_000);
        bodies.put("/admin/v1/nodes", nodes(List.of(node(longId, longHost, longVersion, MODEL)), HUGE_COUNT));
        System.out.println("hostile /admin/v1/nodes: " + bodies.get("/admin/v1/nodes").length + " bytes, " + HUGE_COUNT + " nodes");
        try (Harness h = harness()) {
            long before = usedAfterGc();
            poll(h, h.sources.adminNodes);
            String text = h.scrapeText();
            MetricSamples m = new MetricSamples(text);
            long retained = usedAfterGc() - before;

            assertEquals(MAX_NODES, m.all("gonka_mlnode_info").size(), "ML nodes exported");
            assertEquals(6 * MAX_NODES, m.all("gonka_mlnode_status").size());
            assertEquals(6 * MAX_NODES, m.all("gonka_mlnode_intended_status").size());
            assertEquals(3 * MAX_NODES, m.all("gonka_mlnode_poc_status").size());
            assertEquals(MAX_NODES, m.all("gonka_mlnode_enabled").size());
            assertEquals(MAX_NODES, m.all("gonka_mlnode_poc_weight").size());
            // The first 512 in the answer's order: node-000001 .. node-000511 after the long one.
            assertTrue(m.has("gonka_mlnode_enabled", "node_id", "node-000511"));
            assertTrue(!m.has("gonka_mlnode_enabled", "node_id", "node-000512"), "node 513 must not be exported");

            String cutId = "I".repeat(MAX_LABEL);
            var info = m.all("gonka_mlnode_info", "node_id", cutId);
            assertEquals(1, info.size(), "the 10 kB id cut to 128 characters");
            assertEquals("h".repeat(MAX_LABEL), info.get(0).labels().get("host"));
            assertEquals("v".repeat(MAX_LABEL), info.get(0).labels().get("version"));
            assertEquals(7.0, m.value("gonka_mlnode_poc_weight", "node_id", cutId, "model", "M".repeat(MAX_LABEL)));
            int longest = 0;
            for (MetricSamples.Sample s : m.samples()) {
                for (String v : s.labels().values()) {
                    longest = Math.max(longest, v.length());
                }
            }
            assertEquals(MAX_LABEL, longest, "the longest label value of the whole scrape");
            assertNoDuplicateSeries(m);
            System.out.printf("scrape: %d bytes, %d samples, %d ML nodes; retained heap after GC %+.1f MB%n",
                    text.length(), m.samples().size(), m.all("gonka_mlnode_info").size(), retained / 1048576.0);
            assertTrue(text.length() < 4 << 20, "scrape size " + text.length());
            // Polling the same hostile answer again must not add to what stays in memory.
            poll(h, h.sources.adminNodes);
            h.scrapeText();
            poll(h, h.sources.adminNodes);
            h.scrapeText();
            long retained3 = usedAfterGc() - before;
            System.out.printf("retained heap after GC: %+.1f MB after one poll, %+.1f MB after three%n",
                    retained / 1048576.0, retained3 / 1048576.0);
            if (Boolean.getBoolean("gonka.histo")) {
                Process p = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                out.lines().limit(15).forEach(System.out::println);
            }
            assertTrue(retained3 - retained < 8L << 20, "heap grows with every poll of the same answer: "
                    + retained + " -> " + retained3);
        }
    }

    /** Two 10 kB ids that differ only after the cut become one label value: one series, never two identical ones. */
    @Test
    void idsThatCollideAfterTheCutGiveOneSeries() throws Exception {
        String prefix = "C".repeat(10_000);
        bodies.put("/admin/v1/nodes", nodes(List.of(node(prefix + "-a", "127.0.0.1", "3.0.12", "m"),
                node(prefix + "-b", "127.0.0.1", "3.0.12", "m")), 4));
        try (Harness h = harness()) {
            poll(h, h.sources.adminNodes);
            MetricSamples m = h.scrape();
            assertNoDuplicateSeries(m);
            assertEquals(3, m.all("gonka_mlnode_info").size(), "2 colliding + node-000002 + node-000003");
            assertEquals(1, m.all("gonka_mlnode_enabled", "node_id", "C".repeat(MAX_LABEL)).size());
        }
    }

    @Test
    void hundredThousandSetupChecksWithTenKilobyteIds() throws Exception {
        StringBuilder sb = new StringBuilder("{\"overall_status\":\"FAIL\",\"checks\":[");
        sb.append("{\"id\":\"").append("K".repeat(10_000)).append("\",\"status\":\"PASS\",\"message\":\"").append("m".repeat(10_000)).append("\"}");
        for (int i = 1; i < HUGE_COUNT; i++) {
            sb.append(",{\"id\":\"check-").append(String.format("%06d", i)).append("\",\"status\":\"").append(i % 2 == 0 ? "PASS" : "FAIL")
                    .append("\",\"message\":\"x\"}");
        }
        bodies.put("/admin/v1/setup/report", sb.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        try (Harness h = harness()) {
            long before = usedAfterGc();
            poll(h, h.sources.setupReport);
            MetricSamples m = h.scrape();
            long retained = usedAfterGc() - before;
            // GonkaSources caps setup checks at max-ml-nodes + 64.
            assertEquals(MAX_NODES + 64, m.all("gonka_setup_check_passed").size());
            assertEquals(1.0, m.value("gonka_setup_check_passed", "check", "K".repeat(MAX_LABEL)));
            assertEquals(0.0, m.value("gonka_setup_check_passed", "check", "check-000575"));
            assertTrue(!m.has("gonka_setup_check_passed", "check", "check-000576"));
            assertNoDuplicateSeries(m);
            System.out.printf("setup checks exported: %d of %d; retained heap after GC %+.1f MB%n",
                    m.all("gonka_setup_check_passed").size(), HUGE_COUNT, retained / 1048576.0);
            assertTrue(retained < 16L << 20, "heap retained: " + retained);
        }
    }

}
