package io.gonka.exporter.bench;

import io.gonka.simulator.Scenarios;
import io.gonka.simulator.SimulatedGonkaNode;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.TestConfig;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full poll cycle at fleet scale: every source polled once (admin nodes/config/setup report,
 * RPC status/net_info, epoch, the 2,000-participant answer, participant stats, and the health of 64
 * ML nodes with 8 GPUs each, each its own loopback server) against the in-process simulator,
 * through the production client, sources and scheduler ({@link Harness#pollAll()}), then one
 * scrape's families ({@code collect}). JMH's time is wall time (it includes the simulator); the
 * exporter's own CPU time and allocation per cycle are measured on the exporter's threads only
 * (the Vert.x event loops and the benchmark thread, not the simulator's) and printed per iteration.
 * Runs on the JVM's default flags (C2), so expect the shipped C1-only image to need somewhat more CPU.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class PollCycleBenchmark {
    @Param({"2000"})
    public int participants;

    @Param({"64"})
    public int mlNodes;

    SimulatedGonkaNode sim;
    Harness harness;
    final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long cpu0;
    long alloc0;
    long ops0;
    long ops;

    @Setup
    public void start() throws Exception {
        sim = new SimulatedGonkaNode(Scenarios.scale(participants, 3, mlNodes, 8, Clock.systemUTC())).start();
        TestConfig cfg = TestConfig.allAt(sim.baseUrl());
        cfg.networkSeries = true;
        harness = new Harness(cfg);
        harness.pollTwice(); // the ML node list and the participant address are known from here on
        String text = harness.scrapeText();
        System.out.printf("%nafter two cycles: %,d series, %,d bytes of /metrics text%n",
                text.lines().filter(l -> !l.startsWith("#")).count(), text.length());
    }

    @TearDown
    public void stop() {
        harness.close();
        sim.close();
    }

    /** Exporter threads: Vert.x event loops, the scheduler and this (benchmark) thread. */
    long[] exporterThreads() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith("vert.x-") || n.startsWith("gonka-poll") || t == Thread.currentThread()) {
                ids.add(t.getId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(0, v);
        }
        return s;
    }

    @Setup(Level.Iteration)
    public void iterationStart() {
        long[] ids = exporterThreads();
        cpu0 = sum(threads.getThreadCpuTime(ids));
        alloc0 = sum(threads.getThreadAllocatedBytes(ids));
        ops0 = ops;
    }

    @TearDown(Level.Iteration)
    public void iterationEnd() {
        long[] ids = exporterThreads();
        long n = Math.max(1, ops - ops0);
        double cpuMs = (sum(threads.getThreadCpuTime(ids)) - cpu0) / 1e6 / n;
        double allocMb = (sum(threads.getThreadAllocatedBytes(ids)) - alloc0) / 1e6 / n;
        System.out.printf(Locale.ROOT, "  [exporter threads] %d cycles: %.2f ms CPU and %.2f MB allocated per poll cycle%n", n, cpuMs, allocMb);
    }

    @Benchmark
    public Object pollAllSourcesOnce() {
        ops++;
        harness.pollAll();
        return harness.collector.collect();
    }
}
