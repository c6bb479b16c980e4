package io.gonka.exporter.bench;

import io.gonka.exporter.model.ParticipantsSnapshot;
import io.gonka.exporter.sources.ParticipantsSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing the participants answer of a large network (run with -prof gc for allocation per op). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParticipantsParseBenchmark {
    @Param({"2000"})
    public int participants;

    byte[] body;

    @Setup
    public void generate() {
        body = ScaleBodies.participants(participants, 3);
        System.out.printf("%nparticipants body: %d participants, %.2f MB%n", participants, body.length / 1e6);
    }

    @Benchmark
    public ParticipantsSnapshot parse() {
        return ParticipantsSource.parse(body, 100_000);
    }
}
