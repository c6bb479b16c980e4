package io.gonka.exporter.reliability;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.simulator.Fault;
import io.gonka.simulator.FaultSpec;
import io.gonka.simulator.SimEndpoint;
import io.gonka.simulator.SimulatedGonkaNode;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.JvmProbe;
import io.gonka.exporter.support.ManagedProcess;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.RepoFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault on every upstream, against the exporter jar (heap and body cap as in the image) and
 * the simulated node. The upstreams are split in two groups; each fault hits one group while the
 * other must stay untouched. For each case: the process stays up, every scrape answers within
 * 1 s, the affected sources say what happened (gonka_source_up, gonka_source_errors_total{reason}),
 * their values disappear once past their max age, the other group keeps its values, recovery comes
 * with the first good poll, and the heap after GC stays bounded. A table of numbers is printed.
 */
class UpstreamFaultsIT {
    /** Endpoint -> the source that polls it and a series that exists only while that source has fresh data. */
    /** A source and the endpoints it reads: every one of them gets the fault (a source with fallback routes too). */
    record Upstream(List<SimEndpoint> endpoints, String source, String series) {
        Upstream(SimEndpoint endpoint, String source, String series) {
            this(List.of(endpoint), source, series);
        }
    }

    static final List<Upstream> GROUP_A = List.of(
            new Upstream(SimEndpoint.ADMIN_NODES, "admin_nodes", "gonka_mlnode_status"),
            new Upstream(SimEndpoint.ADMIN_CONFIG, "admin_config", "gonka_api_block_processing_lag_blocks"),
            new Upstream(SimEndpoint.ADMIN_SETUP_REPORT, "setup_report", "gonka_setup_check_passed"),
            new Upstream(SimEndpoint.PUBLIC_EPOCHS_LATEST, "epoch", "gonka_epoch_index"));
    static final List<Upstream> GROUP_B = List.of(
            new Upstream(SimEndpoint.RPC_STATUS, "rpc_status", "gonka_chain_block_height"),
            new Upstream(SimEndpoint.RPC_NET_INFO, "rpc_net_info", "gonka_chain_peers"),
            new Upstream(SimEndpoint.PUBLIC_EPOCH_PARTICIPANTS, "participants", "gonka_network_participants"),
            new Upstream(List.of(SimEndpoint.PUBLIC_V2_PARTICIPANT, SimEndpoint.CHAIN_PARTICIPANT), "participant_stats",
                    "gonka_participant_miss_rate"));

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    static final Duration FAULT_WINDOW = Duration.ofSeconds(7); // > max age (3 x 1 s) + one 2 s timeout

    @TempDir
    static Path dir;
    static SimulatedGonkaNode sim;
    static ManagedProcess exporter;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        sim = SimulatedGonkaNode.standard().start();
        sim.startBlockProduction(Duration.ofSeconds(1));
        port = FreePort.next();
        Map<String, String> env = new HashMap<>();
        env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
        env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
        env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
        env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
        env.put("GONKA_EXPORTER_PORT", Integer.toString(port));
        env.put("GONKA_NVML_ENABLED", "false");
        env.put("GONKA_TIMEOUT", "2s");
        env.put("GONKA_MAX_BODY_BYTES", "16777216"); // as in the image
        for (String s : List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH",
                "PARTICIPANTS", "PARTICIPANT_STATS", "MLNODE_HEALTH")) {
            env.put("GONKA_INTERVAL_" + s, "1s");
        }
        String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
        // The image's heap settings: a 200 MB answer must not take a 96 MB heap down.
        exporter = ManagedProcess.start("exporter", List.of("java", "-XX:+UseSerialGC", "-Xms16m", "-Xmx96m",
                "-XX:+ExitOnOutOfMemoryError", "-jar", jar), env, dir);
        exporter.awaitHttpOk("http://127.0.0.1:" + port + "/health/readiness", Duration.ofSeconds(60), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (exporter != null) {
            exporter.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    /** One scrape, with the 1 s bound of the issue as the client timeout. */
    static MetricSamples scrape(long[] maxMillis) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        maxMillis[0] = Math.max(maxMillis[0], ms);
        assertEquals(200, r.statusCode());
        return new MetricSamples(r.body());
    }

    static boolean allUp(MetricSamples m, List<Upstream> group) {
        return group.stream().allMatch(u -> m.find("gonka_source_up", "source", u.source()).orElse(0) == 1 && m.has(u.series()));
    }

    static double errors(MetricSamples m, String source, String reason) {
        return m.value("gonka_source_errors_total", "source", source, "reason", reason);
    }

    static MetricSamples awaitAllUp(long[] maxMs, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        MetricSamples m = scrape(maxMs);
        while (!(allUp(m, GROUP_A) && allUp(m, GROUP_B)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            m = scrape(maxMs);
        }
        return m;
    }

    @Test
    void everyFaultOnEveryUpstream() throws Exception {
        Map<Fault, String> expectedReason = new LinkedHashMap<>();
        expectedReason.put(Fault.HTTP_500, "http");
        expectedReason.put(Fault.HTTP_404, "http");
        expectedReason.put(Fault.HANG, "timeout");
        expectedReason.put(Fault.SLOW_DRIP, "timeout");
        expectedReason.put(Fault.MALFORMED, "parse");
        expectedReason.put(Fault.TRUNCATED, "parse");
        expectedReason.put(Fault.HUGE, "parse");
        expectedReason.put(Fault.WRONG_TYPES, "parse");
        expectedReason.put(Fault.FLAPPING, "http");
        expectedReason.put(Fault.UNKNOWN_ENUMS, null); // tolerated by design: kept as UNKNOWN

        List<String> table = new ArrayList<>();
        table.add(String.format("%-14s %-5s %-60s %8s %8s %9s", "fault", "group", "affected sources: reason counted",
                "max ms", "heap MB", "recover s"));
        long[] overallMax = {0};
        double maxHeap = 0;
        for (Map.Entry<Fault, String> f : expectedReason.entrySet()) {
            for (List<Upstream> group : List.of(GROUP_A, GROUP_B)) {
                List<Upstream> other = group == GROUP_A ? GROUP_B : GROUP_A;
                String name = group == GROUP_A ? "A" : "B";
                long[] maxMs = {0};
                MetricSamples before = awaitAllUp(maxMs, Duration.ofSeconds(20));
                assertTrue(allUp(before, GROUP_A) && allUp(before, GROUP_B), "all up before " + f.getKey() + ":\n" + before.text());

                for (Upstream u : group) {
                    for (SimEndpoint e : u.endpoints()) {
                        sim.state().setFault(e, f.getKey() == Fault.HUGE ? FaultSpec.huge(200) : FaultSpec.of(f.getKey()));
                    }
                }
                long end = System.nanoTime() + FAULT_WINDOW.toNanos();
                MetricSamples during = scrape(maxMs);
                while (System.nanoTime() < end) {
                    assertTrue(exporter.alive(), "the exporter died under " + f.getKey() + ":\n" + exporter.log());
                    Thread.sleep(250);
                    during = scrape(maxMs);
                }

                StringBuilder affected = new StringBuilder();
                for (Upstream u : group) {
                    String reason = f.getValue();
                    // A 404 from every route of an optional source, or from both participant routes (/v2 and chain REST):
                    // the node does not have it, which is "unsupported", not down.
                    boolean optional404 = f.getKey() == Fault.HTTP_404
                            && (u.source().equals("admin_config") || u.source().equals("setup_report") || u.source().equals("participant_stats"));
                    if (reason == null) {
                        assertEquals(1, during.value("gonka_source_up", "source", u.source()), u.source() + " under unknown enums");
                        affected.append(u.source()).append(":up ");
                    } else if (optional404) {
                        assertEquals(1, during.value("gonka_source_unsupported", "source", u.source()), u.source() + " answering 404");
                        assertFalse(during.has(u.series()), u.series() + " of an unsupported source");
                        affected.append(u.source()).append(":unsupported ");
                    } else if (f.getKey() == Fault.WRONG_TYPES && errors(during, u.source(), reason) == errors(before, u.source(), reason)) {
                        // The sim swapped the types of fields this source does not read (the setup
                        // report's details): nothing it exports changed kind, so it stays up with the same values.
                        assertEquals(1, during.value("gonka_source_up", "source", u.source()), u.source() + " under " + f.getKey());
                        assertEquals(before.all(u.series()), during.all(u.series()), u.series() + " changed under " + f.getKey());
                        affected.append(u.source()).append(":up(fields it reads untouched) ");
                    } else {
                        double counted = errors(during, u.source(), reason) - errors(before, u.source(), reason);
                        assertTrue(counted >= 1, u.source() + " under " + f.getKey() + " counted no " + reason + " error:\n"
                                + during.all("gonka_source_errors_total", "source", u.source()));
                        if (f.getKey() != Fault.FLAPPING) {
                            assertEquals(0, during.value("gonka_source_up", "source", u.source()), u.source() + " under " + f.getKey());
                            assertFalse(during.has(u.series()), u.series() + " served past its max age under " + f.getKey());
                        }
                        affected.append(u.source()).append(':').append(reason).append('+').append((long) counted).append(' ');
                    }
                }
                assertTrue(allUp(during, other), "the untouched group lost data under " + f.getKey() + ":\n" + during.text());

                sim.state().clearFaults();
                long t0 = System.nanoTime();
                MetricSamples after = awaitAllUp(maxMs, Duration.ofSeconds(15));
                double recover = (System.nanoTime() - t0) / 1e9;
                assertTrue(allUp(after, GROUP_A) && allUp(after, GROUP_B), "no recovery after " + f.getKey() + ":\n" + after.text());
                double heap = JvmProbe.heapAfterGcMiB(exporter.pid());
                maxHeap = Math.max(maxHeap, heap);
                overallMax[0] = Math.max(overallMax[0], maxMs[0]);
                table.add(String.format("%-14s %-5s %-60s %8d %8.1f %9.1f", f.getKey(), name, affected.toString().trim(), maxMs[0], heap, recover));
                assertTrue(heap < 64, "heap after GC " + heap + " MiB after " + f.getKey());
            }
        }
        table.forEach(System.out::println);
        System.out.printf("max scrape latency %d ms, max heap after GC %.1f MiB, RSS %.0f MiB%n",
                overallMax[0], maxHeap, JvmProbe.rssMiB(exporter.pid()));
        assertTrue(exporter.alive());
    }
}
