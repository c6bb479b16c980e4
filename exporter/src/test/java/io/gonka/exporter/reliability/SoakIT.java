package io.gonka.exporter.reliability;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.simulator.SimGpu;
import io.gonka.simulator.SimMlNode;
import io.gonka.simulator.SimParticipant;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Churn at every poll for {@code gonka.soak.seconds} (90 s in the suite; exporter/src/test/soak/soak.sh
 * runs an hour): ML nodes added and removed, GPUs appearing and disappearing, participants joining
 * and leaving, epochs rolling over. After each step the number of series must match the simulated
 * state exactly (no ghost series, no label growth) and the heap after GC must not grow.
 */
class SoakIT {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void seriesTrackTheStateAndTheHeapStaysFlat() throws Exception {
        long seconds = Long.getLong("gonka.soak.seconds", 90);
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            sim.startBlockProduction(Duration.ofSeconds(1));
            int port = FreePort.next();
            Map<String, String> env = new HashMap<>();
            env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
            env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
            env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
            env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
            env.put("GONKA_EXPORTER_PORT", Integer.toString(port));
            env.put("GONKA_NVML_ENABLED", "false");
            env.put("GONKA_NETWORK_SERIES", "true");
            for (String s : List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH",
                    "PARTICIPANTS", "PARTICIPANT_STATS", "MLNODE_HEALTH")) {
                env.put("GONKA_INTERVAL_" + s, "1s");
            }
            // GPU lists come from /health, asked once per detail interval (60 s by default): every poll here,
            // so that the ML nodes' GPU series follow the churn at each step.
            env.put("GONKA_MLNODE_DETAIL_INTERVAL", "1s");
            String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
            try (ManagedProcess exporter = ManagedProcess.start("exporter", List.of("java", "-XX:+UseSerialGC", "-Xmx96m", "-jar", jar), env, dir)) {
                exporter.awaitHttpOk("http://127.0.0.1:" + port + "/health/readiness", Duration.ofSeconds(60), null);
                Thread.sleep(3000);

                Deque<String> added = new ArrayDeque<>();
                Deque<String> joined = new ArrayDeque<>();
                List<double[]> samples = new ArrayList<>(); // [elapsed s, series, heap MiB]
                long start = System.nanoTime();
                int step = 0;
                System.out.printf("%6s %6s %9s %8s %10s %8s%n", "t s", "nodes", "node GPUs", "network", "series", "heap MB");
                while (System.nanoTime() - start < Duration.ofSeconds(seconds).toNanos()) {
                    churn(sim, step++, added, joined);
                    Thread.sleep(3500); // three poll intervals: every source has seen the change
                    MetricSamples m = new MetricSamples(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body());

                    int nodes = sim.state().mlNodeIds().size();
                    int gpus = 0;
                    for (SimMlNode n : sim.state().mlNodeSnapshots()) {
                        if (n.reachable() && n.healthIncludesGpus()) {
                            gpus += n.gpus().size();
                        }
                    }
                    int participants = sim.state().participantCount();
                    assertEquals(6 * nodes, m.all("gonka_mlnode_status").size(), "step " + step + ": status series for " + nodes + " nodes");
                    assertEquals(nodes, m.all("gonka_mlnode_info").size(), "step " + step);
                    assertEquals(nodes, m.all("gonka_mlnode_up").size(), "step " + step);
                    assertEquals(gpus, m.all("gonka_mlnode_gpu_available").size(), "step " + step + ": ML-node GPU series");
                    assertEquals(participants, m.all("gonka_network_participant_weight").size(), "step " + step);
                    assertEquals(participants, (int) m.value("gonka_network_participants"), "step " + step);
                    if (step % 4 == 0) {
                        double heap = JvmProbe.heapAfterGcMiB(exporter.pid());
                        double t = (System.nanoTime() - start) / 1e9;
                        samples.add(new double[] {t, m.samples().size(), heap});
                        System.out.printf("%6.0f %6d %9d %8d %10d %8.1f%n", t, nodes, gpus, participants, m.samples().size(), heap);
                    }
                }
                assertTrue(samples.size() >= 3, "too short a soak: " + samples.size() + " heap samples");
                int third = Math.max(1, samples.size() / 3);
                double first = samples.subList(0, third).stream().mapToDouble(s -> s[2]).average().orElseThrow();
                double last = samples.subList(samples.size() - third, samples.size()).stream().mapToDouble(s -> s[2]).average().orElseThrow();
                System.out.printf("soak %d s, %d steps: heap after GC %.1f MiB in the first third, %.1f MiB in the last, RSS %.0f MiB%n",
                        seconds, step, first, last, JvmProbe.rssMiB(exporter.pid()));
                assertTrue(last < first + 4, "heap after GC grew from " + first + " to " + last + " MiB");
                assertTrue(exporter.alive());
            }
        }
    }

    /** One change per step, cycling through the kinds of churn an operator's node sees. */
    static void churn(SimulatedGonkaNode sim, int step, Deque<String> added, Deque<String> joined) {
        switch (step % 6) {
            case 0 -> {
                String id = "soak-" + step;
                SimMlNode node = new SimMlNode(id, "127.0.1." + (10 + step % 200));
                sim.state().addMlNode(node);
                sim.state().addGpu(id, new SimGpu(0, "NVIDIA H100 80GB HBM3", 81559, 1000 + step, 50, 60));
                sim.state().addGpu(id, new SimGpu(1, "NVIDIA H100 80GB HBM3", 81559, 2000 + step, 55, 61));
                added.add(id);
            }
            case 1 -> sim.state().addGpu("node1", new SimGpu(sim.state().mlNode("node1").gpus().size(), "NVIDIA H100 80GB HBM3", 81559, 1, 1, 40));
            case 2 -> {
                String address = String.format("gonka1soak%032d", step);
                sim.state().addParticipant(new SimParticipant(address, "", 1000 + step, "http://127.0.0.1:1"));
                joined.add(address);
            }
            case 3 -> {
                if (added.size() > 1) {
                    sim.state().removeMlNode(added.poll());
                }
                int gpus = sim.state().mlNode("node1").gpus().size();
                if (gpus > 1) {
                    sim.state().removeGpu("node1", gpus - 1);
                }
            }
            case 4 -> {
                if (joined.size() > 1) {
                    sim.state().removeParticipant(joined.poll());
                }
            }
            default -> {
                if (step % 12 == 5) {
                    sim.state().startNextPoc();
                } else {
                    sim.state().rollEpoch();
                }
            }
        }
    }
}
