package io.gonka.exporter.bench;

import io.gonka.simulator.Scenarios;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every figure of the README's performance section in one run. The simulated node in the scale
 * scenario (2,000 network participants with 3 ML nodes each; 64 local ML nodes with 8 GPUs each,
 * every one its own loopback server), every source polled every 10 s, network-wide series on (the
 * workload of issue 17), and the exporter jar started two ways: the README's command
 * ({@code exporter/bin/gonka-exporter}) and as the image starts it (ENTRYPOINT with the class-data
 * archive its build writes, JAVA_TOOL_OPTIONS and body cap of {@code deploy/docker/Dockerfile}; the
 * systemd unit has the same flags but no archive). For each: start to the first
 * complete scrape, CPU in the first minute, a Prometheus-like scrape every 15 s throughout, CPU in a
 * steady-state window after warm-up, {@code wrk} against /metrics while polls run, RSS and the heap
 * after a full GC; then RSS at twice the scale (4,000 participants, 128 ML nodes). Prints every
 * figure; asserts none. Needs wrk (apt-get install wrk). Run: mvn -B -Pbench verify -DskipTests
 *
 * <p>Knobs (system properties): {@code gonka.bench.warmup} seconds from start to the steady window
 * (120), {@code gonka.bench.steady} its length (60), {@code gonka.bench.wrk} seconds of wrk (30),
 * {@code gonka.bench.modes} (readme,image; {@code custom} takes {@code gonka.bench.flags}),
 * {@code gonka.bench.double} (true: the 2x scale too).
 */
public final class ScaleBenchmark {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final List<String> SOURCES = List.of("ADMIN_NODES", "ADMIN_CONFIG", "SETUP_REPORT", "RPC_STATUS", "RPC_NET_INFO", "EPOCH",
            "PARTICIPANTS", "PARTICIPANT_STATS", "MLNODE_HEALTH");

    record Scale(int participants, int mlNodes) {}

    public static void main(String[] args) throws Exception {
        int warmup = Integer.getInteger("gonka.bench.warmup", 120);
        int steady = Integer.getInteger("gonka.bench.steady", 60);
        int wrkSeconds = Integer.getInteger("gonka.bench.wrk", 30);
        List<String> modes = List.of(System.getProperty("gonka.bench.modes", "readme,image").split(","));
        boolean twice = Boolean.parseBoolean(System.getProperty("gonka.bench.double", "true"));
        Path dir = Files.createTempDirectory("gonka-bench");
        Map<String, Map<String, String>> table = new LinkedHashMap<>();

        Scale one = new Scale(2000, 64);
        try (SimulatedGonkaNode sim = new SimulatedGonkaNode(Scenarios.scale(one.participants(), 3, one.mlNodes(), 8, Clock.systemUTC())).start()) {
            sim.startBlockProduction(Duration.ofMillis(5400));
            System.out.printf("scale scenario: participants answer %.2f MB, %d local ML nodes x 8 GPUs%n", participantsBytes(sim) / 1e6, one.mlNodes());
            for (String mode : modes) {
                table.put(mode, fullRun(sim, one, mode, dir, warmup, steady, wrkSeconds));
            }
        }
        if (twice) {
            Scale two = new Scale(4000, 128);
            try (SimulatedGonkaNode sim = new SimulatedGonkaNode(Scenarios.scale(two.participants(), 3, two.mlNodes(), 8, Clock.systemUTC())).start()) {
                sim.startBlockProduction(Duration.ofMillis(5400));
                System.out.printf("2x scale: participants answer %.2f MB, %d local ML nodes x 8 GPUs%n", participantsBytes(sim) / 1e6, two.mlNodes());
                for (String mode : modes) {
                    table.get(mode).putAll(doubleRun(sim, two, mode, dir, warmup, wrkSeconds));
                }
            }
        }

        System.out.println("\nsummary (machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average at start "
                + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + ", Java " + System.getProperty("java.version") + "):");
        List<String> rows = new ArrayList<>();
        table.values().forEach(m -> m.keySet().forEach(k -> {
            if (!rows.contains(k)) {
                rows.add(k);
            }
        }));
        System.out.printf("  %-62s", "figure");
        modes.forEach(m -> System.out.printf(" | %-34s", m));
        System.out.println();
        for (String row : rows) {
            System.out.printf("  %-62s", row);
            for (String mode : modes) {
                System.out.printf(" | %-34s", table.get(mode).getOrDefault(row, ""));
            }
            System.out.println();
        }
    }

    static Map<String, String> fullRun(SimulatedGonkaNode sim, Scale scale, String mode, Path dir, int warmup, int steady, int wrkSeconds) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        System.out.println("\n== " + mode + ", " + scale);
        try (Exporter e = Exporter.start(sim, scale, mode, dir.resolve(mode + "-1x"))) {
            out.put("first answer / first complete scrape after start", String.format("%.2f s / %.2f s", e.firstAnswerSeconds, e.completeSeconds));
            String text = e.scrape();
            out.put("bytes / series per scrape", String.format("%,d B / %,d", text.length(), new MetricSamples(text).samples().size()));
            Scraper prometheus = Scraper.every15s(e);
            e.sleepUntil(60);
            out.put("CPU in the first minute (start included)", String.format("%.2f s", e.cpuSeconds()));
            e.sleepUntil(warmup);
            double c0 = e.cpuSeconds();
            Map<String, Double> threads0 = threadCpu(e.process.pid());
            e.sleepUntil(warmup + steady);
            Map<String, Double> threads1 = threadCpu(e.process.pid());
            System.out.println("CPU seconds per thread in the steady window:");
            threads1.forEach((t, c) -> {
                double d = c - threads0.getOrDefault(t, 0.0);
                if (d >= 0.01) {
                    System.out.printf("  %-24s %.2f%n", t, d);
                }
            });
            out.put(String.format("CPU per minute, steady state (%d-%d s after start)", warmup, warmup + steady),
                    String.format("%.2f s", (e.cpuSeconds() - c0) * 60.0 / steady));
            out.put("RSS after the steady window", String.format("%.0f MiB", JvmProbe.rssMiB(e.process.pid())));
            prometheus.stop();
            out.put("scrapes every 15 s from start: n / p50 / max", prometheus.summary());
            String[] wrk = wrk(e.port, wrkSeconds);
            out.put(String.format("/metrics, wrk -t1 -c1 -d%ds (polls running): p50 / p99 / max", wrkSeconds), wrk[0]);
            out.put("scrapes in the wrk run", wrk[1]);
            // the same wrk against a tiny endpoint: how much of the tail is this machine, not /metrics
            out.put("noise floor: wrk on /health/liveness, p50 / p99 / max", wrk(e.port, "/health/liveness", 10)[0]);
            out.put("RSS after wrk (peak VmHWM)", String.format("%.0f MiB (%.0f MiB)", JvmProbe.rssMiB(e.process.pid()), hwmMiB(e.process.pid())));
            out.put("heap in use after a full GC", String.format("%.1f MiB", JvmProbe.heapAfterGcMiB(e.process.pid())));
            out.put("threads", Long.toString(threads(e.process.pid())));
            if (System.getProperty("gonka.bench.flags", "").contains("NativeMemoryTracking")) {
                System.out.println(JvmProbe.jcmd(e.process.pid(), "VM.native_memory"));
            }
        }
        return out;
    }

    static Map<String, String> doubleRun(SimulatedGonkaNode sim, Scale scale, String mode, Path dir, int warmup, int wrkSeconds) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        System.out.println("\n== " + mode + ", " + scale);
        try (Exporter e = Exporter.start(sim, scale, mode, dir.resolve(mode + "-2x"))) {
            out.put("2x: first complete scrape after start", String.format("%.2f s", e.completeSeconds));
            String text = e.scrape();
            out.put("2x: bytes / series per scrape", String.format("%,d B / %,d", text.length(), new MetricSamples(text).samples().size()));
            Scraper prometheus = Scraper.every15s(e);
            e.sleepUntil(warmup);
            prometheus.stop();
            out.put("2x: scrapes every 15 s: n / p50 / max", prometheus.summary());
            String[] wrk = wrk(e.port, Math.max(5, wrkSeconds / 3));
            out.put("2x: /metrics under wrk: p50 / p99 / max", wrk[0]);
            out.put("2x: RSS at the end (peak VmHWM)", String.format("%.0f MiB (%.0f MiB)", JvmProbe.rssMiB(e.process.pid()), hwmMiB(e.process.pid())));
            out.put("2x: heap in use after a full GC", String.format("%.1f MiB", JvmProbe.heapAfterGcMiB(e.process.pid())));
        }
        return out;
    }

    static int participantsBytes(SimulatedGonkaNode sim) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sim.publicBaseUrl() + "/v1/epochs/current/participants")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }

    /** Runs wrk against /metrics; returns {"p50 / p99 / max", "N"}. */
    static String[] wrk(int port, int seconds) throws Exception {
        return wrk(port, "/metrics", seconds);
    }

    static String[] wrk(int port, String path, int seconds) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("wrk", "-t1", "-c1", "-d" + seconds + "s", "--latency", "http://127.0.0.1:" + port + path)
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return new String[] {"wrk not installed (apt-get install wrk)", "-"};
        }
        p.waitFor(seconds + 60L, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(out);
        String p50 = find(out, "\\s50%\\s+(\\S+)");
        String p99 = find(out, "\\s99%\\s+(\\S+)");
        String max = find(out, "Latency\\s+\\S+\\s+\\S+\\s+(\\S+)");
        String n = find(out, "(\\d+) requests in");
        return new String[] {p50 + " / " + p99 + " / " + max, n};
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    static double hwmMiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** CPU seconds per thread name (threads of the same name summed), from /proc/PID/task. */
    static Map<String, Double> threadCpu(long pid) throws Exception {
        Map<String, Double> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
                } catch (java.io.IOException gone) {
                    // the thread ended
                }
            }
        }
        return out;
    }

    static long threads(long pid) throws Exception {
        try (var s = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return s.count();
        }
    }

    /** A Prometheus-like scraper: one GET of /metrics every 15 s, its latency recorded. */
    static final class Scraper {
        final List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        volatile boolean stopped;
        Thread thread;

        static Scraper every15s(Exporter e) {
            Scraper s = new Scraper();
            s.thread = new Thread(() -> {
                while (!s.stopped) {
                    try {
                        long t0 = System.nanoTime();
                        e.scrapeBytes();
                        s.millis.add((System.nanoTime() - t0) / 1e6);
                        Thread.sleep(15_000);
                    } catch (InterruptedException ie) {
                        return;
                    } catch (Exception ignored) {
                        // counted as missing
                    }
                }
            }, "scraper");
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join();
        }

        String summary() {
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return "none";
            }
            return String.format(Locale.ROOT, "%d / %.1f ms / %.1f ms", sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        }
    }

    /** The exporter jar, started by the README's command or with the shipped flags. */
    static final class Exporter implements AutoCloseable {
        ManagedProcess process;
        int port;
        long t0;
        double firstAnswerSeconds = Double.NaN;
        double completeSeconds;

        static Exporter start(SimulatedGonkaNode sim, Scale scale, String mode, Path dir) throws Exception {
            Exporter e = new Exporter();
            e.port = FreePort.next();
            Map<String, String> env = new HashMap<>();
            SOURCES.forEach(s -> env.put("GONKA_INTERVAL_" + s, "10s"));
            env.put("GONKA_ADMIN_URL", sim.adminBaseUrl());
            env.put("GONKA_RPC_URL", sim.rpcBaseUrl());
            env.put("GONKA_PUBLIC_URL", sim.publicBaseUrl());
            env.put("GONKA_EXPORTER_HOST", "127.0.0.1");
            env.put("GONKA_EXPORTER_PORT", Integer.toString(e.port));
            env.put("GONKA_NETWORK_SERIES", "true");
            env.put("GONKA_NVML_ENABLED", "false");
            String jar = System.getProperty("gonka.jar", RepoFiles.path("exporter/target/gonka-exporter.jar").toString());
            List<String> command;
            switch (mode) {
                case "readme" -> {
                    env.put("JAVA_TOOL_OPTIONS", ""); // exactly the README's command, nothing inherited
                    env.put("GONKA_EXPORTER_JAR", jar);
                    command = List.of("sh", RepoFiles.path("exporter/bin/gonka-exporter").toString());
                }
                case "image" -> {
                    env.put("GONKA_MAX_BODY_BYTES", "16777216");
                    env.put("JAVA_TOOL_OPTIONS", imageJvmFlags());
                    // the image's ENTRYPOINT, with the class-data archive its build writes
                    command = ImageProcess.entrypoint(Path.of(jar), ImageProcess.cdsArchiveIn(Files.createDirectories(dir)));
                }
                case "custom" -> {
                    env.put("JAVA_TOOL_OPTIONS", System.getProperty("gonka.bench.flags", ""));
                    command = List.of("java", "-jar", jar);
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
            e.t0 = System.nanoTime();
            e.process = ManagedProcess.start("exporter", command, env, Files.createDirectories(dir));
            // first complete scrape: every source up, every ML node answered, network series there
            while (true) {
                try {
                    MetricSamples m = new MetricSamples(e.scrape());
                    if (Double.isNaN(e.firstAnswerSeconds)) {
                        e.firstAnswerSeconds = e.elapsed();
                    }
                    boolean sourcesUp = m.all("gonka_source_up").stream().allMatch(s -> s.value() == 1) && !m.all("gonka_source_up").isEmpty();
                    if (sourcesUp && m.all("gonka_mlnode_up").stream().filter(s -> s.value() == 1).count() == scale.mlNodes()
                            && m.has("gonka_network_participant_weight")) {
                        break;
                    }
                } catch (java.io.IOException ignored) {
                    // not listening yet
                }
                if (e.elapsed() > 60) {
                    throw new IllegalStateException("no complete scrape within 60 s:\n" + e.process.log());
                }
                Thread.sleep(20);
            }
            e.completeSeconds = e.elapsed();
            return e;
        }

        double elapsed() {
            return (System.nanoTime() - t0) / 1e9;
        }

        void sleepUntil(double secondsAfterStart) throws InterruptedException {
            long ms = (long) ((secondsAfterStart - elapsed()) * 1000);
            if (ms > 0) {
                Thread.sleep(ms);
            }
        }

        int scrapeBytes() throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length;
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

        @Override
        public void close() throws Exception {
            process.stop(Duration.ofSeconds(10));
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
