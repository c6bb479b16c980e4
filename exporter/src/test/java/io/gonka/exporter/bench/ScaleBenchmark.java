package io.gonka.exporter.bench;

import io.gonka.simulator.Scenarios;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale scenario of the README's performance section: 2,000 network participants with 3 ML
 * nodes each, 64 local ML nodes with 8 GPUs each (each its own loopback server), network series on;
 * the exporter jar run with the image's JVM flags and body cap. Prints every figure; asserts none.
 * Needs wrk (apt-get install wrk). Run: mvn -B -Pbench verify -DskipTests
 */
public final class ScaleBenchmark {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final List<String> SOURCES = List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH",
            "PARTICIPANTS", "PARTICIPANT_STATS", "MLNODE_HEALTH");

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("gonka-bench");
        List<String[]> summary = new ArrayList<>();
        try (SimulatedGonkaNode sim = new SimulatedGonkaNode(Scenarios.scale(2000, 3, 64, 8, Clock.systemUTC())).start()) {
            sim.startBlockProduction(Duration.ofMillis(5400));
            byte[] participants = HTTP.send(HttpRequest.newBuilder(URI.create(sim.publicBaseUrl() + "/v1/epochs/current/participants")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
            System.out.printf("scale scenario: participants answer %.2f MB, 64 local ML nodes x 8 GPUs%n", participants.length / 1e6);

            // 1. Default intervals.
            Exporter e = Exporter.start(sim, dir.resolve("default"), Map.of());
            summary.add(new String[] {"start to first complete scrape", String.format("%.2f s", e.startSeconds), "< 3 s"});
            String text = e.scrape();
            MetricSamples m = new MetricSamples(text);
            summary.add(new String[] {"bytes / series per scrape", String.format("%,d B / %,d series", text.length(), m.samples().size()), ""});

            sim.requestLog().clear();
            double cpu0 = e.cpuSeconds();
            Thread.sleep(60_000);
            double cpuIdle = e.cpuSeconds() - cpu0;
            Map<String, Long> perMinute = sim.requestLog().countsByPath();
            summary.add(new String[] {"CPU per minute, default intervals, no scrapes", String.format("%.2f s", cpuIdle), ""});
            summary.add(new String[] {"RSS at steady state", String.format("%.0f MiB", JvmProbe.rssMiB(e.process.pid())), "< 128 MiB"});
            summary.add(new String[] {"heap after GC", String.format("%.1f MiB", JvmProbe.heapAfterGcMiB(e.process.pid())), ""});

            String[] wrk = wrk(e.port);
            summary.add(new String[] {"/metrics latency (wrk -t1 -c1 -d30s, polls running)", wrk[0], "p99 < 10 ms"});
            summary.add(new String[] {"scrapes in 30 s", wrk[1], ">= 1,000"});
            summary.add(new String[] {"RSS after the scrape run", String.format("%.0f MiB", JvmProbe.rssMiB(e.process.pid())), "< 128 MiB"});
            e.process.stop(Duration.ofSeconds(10));

            System.out.println("\nrequests in one minute at default intervals (path: count):");
            perMinute.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(en -> {
                String path = en.getKey().replaceAll("/participant/gonka1\\w+", "/participant/{address}");
                System.out.printf("  %-80s %4d%n", path, en.getValue());
            });
            long health = sim.requestLog().count(SimEndpoint.MLNODE_HEALTH);
            System.out.printf("  (ML-node health requests after the window: %d total)%n", health);

            // 2. Every source every 10 s.
            Map<String, String> every10 = new HashMap<>();
            SOURCES.forEach(s -> every10.put("GONKA_INTERVAL_" + s, "10s"));
            Exporter fast = Exporter.start(sim, dir.resolve("every10s"), every10);
            Thread.sleep(10_000);
            double c0 = fast.cpuSeconds();
            Thread.sleep(60_000);
            summary.add(new String[] {"CPU per minute, every source every 10 s", String.format("%.2f s", fast.cpuSeconds() - c0), "< 0.4 s"});
            summary.add(new String[] {"RSS, every source every 10 s", String.format("%.0f MiB", JvmProbe.rssMiB(fast.process.pid())), "< 128 MiB"});
            fast.process.stop(Duration.ofSeconds(10));
        }
        System.out.println("\nsummary (machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + "):");
        for (String[] row : summary) {
            System.out.printf("  %-55s %-45s %s%n", row[0], row[1], row[2]);
        }
    }

    /** Runs wrk against /metrics; returns {"p50 .. / p99 .. / max ..", "N"}. */
    static String[] wrk(int port) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("wrk", "-t1", "-c1", "-d30s", "--latency", "http://127.0.0.1:" + port + "/metrics")
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return new String[] {"wrk not installed (apt-get install wrk)", "-"};
        }
        p.waitFor(90, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(out);
        String p50 = find(out, "\\s50%\\s+(\\S+)");
        String p99 = find(out, "\\s99%\\s+(\\S+)");
        String max = find(out, "Latency\\s+\\S+\\s+\\S+\\s+(\\S+)");
        String n = find(out, "(\\d+) requests in");
        return new String[] {"p50 " + p50 + " / p99 " + p99 + " / max " + max, n};
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    /** The exporter jar as the image runs it (JVM flags and body cap from the Dockerfile). */
    static final class Exporter {
        ManagedProcess process;
        int port;
        double startSeconds;

        static Exporter start(SimulatedGonkaNode sim, Path dir, Map<String, String> extra) throws Exception {
            Exporter e = new Exporter();
            e.port = FreePort.next();
            Map<String, String> env = new HashMap<>(extra);
            env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
            env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
            env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
            env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
            env.put("GONKA_EXPORTER_PORT", Integer.toString(e.port));
            env.put("GONKA_NETWORK_SERIES", "true");
            env.put("GONKA_NVML_ENABLED", "false");
            env.put("GONKA_MAX_BODY_BYTES", "16777216");
            env.put("JAVA_TOOL_OPTIONS", imageJvmFlags());
            String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
            long t0 = System.nanoTime();
            e.process = ManagedProcess.start("exporter", List.of("java", "-jar", jar), env, dir);
            // first complete scrape: every source up and all 64 ML nodes answered
            while (true) {
                try {
                    MetricSamples m = new MetricSamples(e.scrape());
                    boolean sourcesUp = m.all("gonka_source_up").stream().allMatch(s -> s.value() == 1) && !m.all("gonka_source_up").isEmpty();
                    if (sourcesUp && m.all("gonka_mlnode_up").stream().filter(s -> s.value() == 1).count() == 64
                            && m.has("gonka_network_participant_weight")) {
                        break;
                    }
                } catch (java.io.IOException ignored) {
                    // not listening yet
                }
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException("no complete scrape within 60 s:\n" + e.process.log());
                }
                Thread.sleep(20);
            }
            e.startSeconds = (System.nanoTime() - t0) / 1e9;
            return e;
        }

        String scrape() throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        /** utime + stime of the process, in seconds. */
        double cpuSeconds() throws Exception {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        }
    }

    /** JAVA_TOOL_OPTIONS of the image, without the JNA directory that exists only in the image. */
    static String imageJvmFlags() throws Exception {
        Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(RepoFiles.text("deploy/docker/Dockerfile"));
        if (!m.find()) {
            throw new IllegalStateException("no JAVA_TOOL_OPTIONS in the Dockerfile");
        }
        return m.group(1).replaceAll("-Djna\\.\\S+", "").trim();
    }
}
