package io.gonka.exporter.bench;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.simulator.Fault;
import io.gonka.simulator.RequestLog;
import io.gonka.simulator.SimEndpoint;
import io.gonka.simulator.SimulatedGonkaNode;
import io.gonka.exporter.support.FreePort;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar, run as the image runs it, is a polite client of its upstreams: per interval at most one
 * request to each endpoint, exactly one health request per ML node, only GETs, and when an upstream
 * hangs past its interval, never a second request to it while the first is still open. Two
 * exporters run side by side (one per simulated node) to keep this under a minute. Asserts request
 * counts from the simulator's log, never timings.
 */
class PolitePollingIT {
    static final List<String> INTERVALS = List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO",
            "REFERENCE_HEIGHTS", "EPOCH", "PARTICIPANTS", "PARTICIPANT_STATS", "MLNODE_HEALTH", "NVML");

    /** How often each ML node's /health is asked (the cheap /api/v1/state in between). */
    static final Duration DETAIL_INTERVAL = Duration.ofSeconds(6);

    static Map<String, String> env(SimulatedGonkaNode sim, String interval, String timeout) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
        env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
        env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
        env.put("GONKA_TIMEOUT", timeout);
        for (String s : INTERVALS) {
            env.put("GONKA_INTERVAL_" + s, interval);
        }
        env.put("GONKA_MLNODE_DETAIL_INTERVAL", DETAIL_INTERVAL.toSeconds() + "s");
        return env;
    }

    static void awaitFirstScrape(ImageProcess e) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            e.requireAlive();
            HttpResponse<String> r = e.get("/health/readiness");
            if (r != null && r.statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        fail("the exporter did not become ready within 30 s:\n" + e.logText());
    }

    /** Requests per (server, endpoint or path) that arrived in [from, to). */
    static Map<String, List<Instant>> byUpstream(RequestLog log, Instant from, Instant to) {
        Map<String, List<Instant>> out = new TreeMap<>();
        for (RequestLog.Entry en : log.entries()) {
            if (!en.time().isBefore(from) && en.time().isBefore(to)) {
                String key = en.server() + " " + (en.endpoint() == null ? en.path() : en.endpoint().wireName());
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(en.time());
            }
        }
        return out;
    }

    /**
     * The most requests to one upstream open at the same time, when each stays open for
     * {@code open} (a hung request lasts until the client's deadline).
     */
    static int maxInFlight(List<Instant> arrivals, Duration open) {
        List<Instant> sorted = arrivals.stream().sorted().toList();
        int max = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Instant end = sorted.get(i).plus(open);
            int n = 1;
            for (int j = i + 1; j < sorted.size() && sorted.get(j).isBefore(end); j++) {
                n++;
            }
            max = Math.max(max, n);
        }
        return max;
    }

    @Test
    void onePollPerIntervalAndNoStackingOnAHungUpstream(@TempDir Path work) throws Exception {
        Path jna = ImageProcess.extractJna(work);
        try (SimulatedGonkaNode normal = SimulatedGonkaNode.standard().start();
             SimulatedGonkaNode hanging = SimulatedGonkaNode.standard().start()) {
            normal.startBlockProduction(Duration.ofSeconds(1));
            long firstHeight = normal.state().height();
            // Hung past the 1 s interval, cut off by the 3 s timeout: one chain endpoint, the big
            // public answer, and one ML node's health (the other ML node keeps answering).
            hanging.state().setFault(SimEndpoint.RPC_STATUS, Fault.HANG);
            hanging.state().setFault(SimEndpoint.PUBLIC_EPOCH_PARTICIPANTS, Fault.HANG);
            hanging.state().setMlNodeFault("node1", SimEndpoint.MLNODE_HEALTH, io.gonka.simulator.FaultSpec.of(Fault.HANG));

            try (ImageProcess polite = ImageProcess.start("every2s", work, jna, FreePort.next(), env(normal, "2s", "5s"));
                 ImageProcess hung = ImageProcess.start("hung", work, jna, FreePort.next(), env(hanging, "1s", "3s"))) {
                awaitFirstScrape(polite);
                awaitFirstScrape(hung);
                Thread.sleep(2_000); // past start-up: the first polls of every source are done
                Instant from = Instant.now();
                Duration window = Duration.ofSeconds(20);
                Thread.sleep(window.toMillis());
                Instant to = from.plus(window);
                polite.requireAlive();
                hung.requireAlive();

                // ---- all intervals 2 s, everything answering
                Map<String, List<Instant>> seen = byUpstream(normal.requestLog(), from, to);
                long maxPerUpstream = (long) Math.ceil(window.toMillis() / 2000.0) + 1;
                StringBuilder report = new StringBuilder();
                seen.forEach((k, v) -> report.append(k).append(": ").append(v.size()).append('\n'));
                // The validator's commits: each height read once, the slashing window (100 blocks) after the
                // start and then one per new block (1 s here), not one per interval.
                seen.remove("node rpc_commit");
                List<String> heights = normal.requestLog().entries().stream()
                        .filter(en -> en.endpoint() == SimEndpoint.RPC_COMMIT).map(RequestLog.Entry::query).toList();
                assertEquals(heights.size(), new java.util.HashSet<>(heights).size(), "a commit height read twice: " + heights);
                long blocksSinceStart = normal.state().height() - firstHeight;
                assertTrue(heights.size() <= 100 + blocksSinceStart + 1,
                        heights.size() + " commit requests for the window of 100 and " + blocksSinceStart + " new blocks");
                for (var en : seen.entrySet()) {
                    assertTrue(en.getValue().size() <= maxPerUpstream,
                            en.getKey() + ": " + en.getValue().size() + " requests in " + window + " at a 2 s interval (at most "
                                    + maxPerUpstream + ")\n" + report);
                }
                for (String must : List.of("node admin_nodes", "node admin_config", "node rpc_status", "node public_epochs_latest",
                        "node public_epoch_participants")) {
                    assertTrue(seen.containsKey(must), "no request to " + must + " in the window:\n" + report);
                }
                // One request per reachable ML node per interval, give or take one at the edges: /health (which
                // runs an NVML enumeration on the ML node) at most once per detail interval (6 s here), the
                // cheap /api/v1/state in between.
                List<String> reachable = normal.state().mlNodeSnapshots().stream().filter(n -> n.reachable()).map(n -> n.id()).toList();
                assertFalse(reachable.isEmpty());
                long perInterval = window.toMillis() / 2000;
                long maxHealth = window.toMillis() / DETAIL_INTERVAL.toMillis() + 1;
                for (String node : reachable) {
                    int health = seen.getOrDefault(node + " mlnode_health", List.of()).size();
                    int state = seen.getOrDefault(node + " mlnode_state", List.of()).size();
                    assertTrue(Math.abs(health + state - perInterval) <= 1,
                            node + ": " + health + " health and " + state + " state requests in " + window
                                    + " at a 2 s interval (expected " + perInterval + " +-1 in all)\n" + report);
                    assertTrue(health >= 1 && health <= maxHealth, node + ": " + health + " health requests in " + window
                            + " with a detail interval of " + DETAIL_INTERVAL + " (expected 1.." + maxHealth + ")\n" + report);
                }
                assertEquals(Set.of("GET"), normal.requestLog().methods(), "the exporter only ever sends GET");

                // ---- a hung upstream: never two requests open at once, however short the interval
                Map<String, List<Instant>> hungSeen = byUpstream(hanging.requestLog(), from, to);
                StringBuilder hungReport = new StringBuilder();
                hungSeen.forEach((k, v) -> hungReport.append(k).append(": ").append(v.size()).append('\n'));
                Duration timeout = Duration.ofSeconds(3);
                // A hung request stays open until the exporter's 3 s deadline; 500 ms of slack
                // between the client's timer and the simulator's clock.
                Duration open = timeout.minusMillis(500);
                long maxHung = (long) Math.ceil(window.toMillis() / (double) timeout.toMillis()) + 1;
                for (String key : List.of("node rpc_status", "node public_epoch_participants", "node1 mlnode_health")) {
                    List<Instant> arrivals = hungSeen.getOrDefault(key, List.of());
                    assertTrue(arrivals.size() >= 3, key + ": the hung upstream was not polled again:\n" + hungReport);
                    assertEquals(1, maxInFlight(arrivals, open), key + ": requests stacked up on a hung upstream (interval 1 s, "
                            + "timeout 3 s): " + arrivals + "\n" + hungReport);
                    assertTrue(arrivals.size() <= maxHung, key + ": " + arrivals.size() + " requests in " + window
                            + " to an upstream that hangs for the 3 s timeout (at most " + maxHung + ")\n" + hungReport);
                }
                for (var en : hungSeen.entrySet()) {
                    long max = (long) Math.ceil(window.toMillis() / 1000.0) + 1;
                    assertTrue(en.getValue().size() <= max, en.getKey() + ": " + en.getValue().size() + " requests at a 1 s interval\n"
                            + hungReport);
                }
                assertEquals(Set.of("GET"), hanging.requestLog().methods(), "the exporter only ever sends GET");
                System.out.println("PolitePollingIT, requests per upstream in " + window + " (intervals 2 s):\n" + report
                        + "with hung upstreams (intervals 1 s, timeout 3 s):\n" + hungReport);
            }
        }
    }
}
