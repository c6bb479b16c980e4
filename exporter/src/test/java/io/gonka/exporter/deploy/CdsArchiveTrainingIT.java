package io.gonka.exporter.deploy;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/docker/write-cds-archive.sh as the image build, the systemd install and the Maven build run
 * it: with the simulator jar it trains the exporter on a simulated node on loopback, so the archive
 * holds the classes of polling, parsing and scraping, not only those of start-up.
 */
class CdsArchiveTrainingIT {
    /** Loaded only once sources have polled and /metrics has been scraped (none of them at start-up). */
    static final List<String> RUNNING_CLASSES = List.of(
            "io.gonka.exporter.model.Participant",
            "io.gonka.exporter.model.MlNodeHealth$Gpu",
            "io.gonka.exporter.sources.ValidatorLivenessSource$CommitScan",
            "io.gonka.exporter.http.AssembledExposition");

    static ScriptRunner.Result writeArchive(Path dir, Path archive, Map<String, String> extraEnv, String... simulator) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", ScriptRunner.pathWithJdk(), "TMPDIR", dir.toString()));
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>(List.of("sh", Repo.path("deploy/docker/write-cds-archive.sh").toString(),
                Repo.jar().toString(), archive.toString()));
        cmd.addAll(List.of(simulator));
        return ScriptRunner.run(cmd, env, true, dir, 180);
    }

    /** The classes the archive holds, as the JVM lists them. */
    static String archivedClasses(Path dir, Path archive) throws Exception {
        var r = ScriptRunner.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit", "-jar", Repo.jar().toString()),
                Map.of("PATH", "/usr/bin:/bin"), true, dir, 60);
        assertEquals(0, r.exit(), r.output());
        return r.output();
    }

    static boolean archived(String listing, String className) {
        return listing.contains(": " + className + " ");
    }

    @Test
    void trainedOnTheSimulatedNodeTheArchiveHoldsWhatARunningExporterLoads(@TempDir Path dir) throws Exception {
        // a copy under a path of its own, so that a simulator left running would be found below
        Path simulator = Files.copy(io.gonka.exporter.bench.ImageProcess.simulatorJar(), dir.resolve("training-node.jar"));
        // an operator's settings and JVM options in the environment must not reach the training run
        Map<String, String> hostile = Map.of("GONKA_ENABLED", "false", "GONKA_ADMIN_URL", "http://127.0.0.1:1",
                "JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC");
        Path archive = dir.resolve("trained.jsa");
        var r = writeArchive(dir, archive, hostile, simulator.toString());
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains("ERROR"), r.output());
        String trained = archivedClasses(dir, archive);
        for (String c : RUNNING_CLASSES) {
            assertTrue(archived(trained, c), c + " in the trained archive");
        }
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(simulator.toString())),
                "the simulated node is stopped after the training run");
        try (var left = Files.list(dir)) {
            assertEquals(List.of("trained.jsa", "training-node.jar"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the script cleans up its work directory");
        }

        // without a simulator: start-up only, none of those classes
        Path startup = dir.resolve("startup.jsa");
        var s = writeArchive(dir, startup, Map.of());
        assertEquals(0, s.exit(), s.output());
        String startupOnly = archivedClasses(dir, startup);
        assertTrue(archived(startupOnly, "io.gonka.exporter.Application"), "a real archive");
        for (String c : RUNNING_CLASSES) {
            assertFalse(archived(startupOnly, c), c + " is not loaded at start-up: the check above means something");
        }
    }

    /** A training run that cannot do what it was asked fails the build instead of leaving a thinner archive. */
    @Test
    void aFailedTrainingRunExitsNonZero(@TempDir Path dir) throws Exception {
        var r = ScriptRunner.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dgonka.exit-after-polls=0", "-Dmicronaut.server.port=-1", "-Dmicronaut.server.host=127.0.0.1",
                "-Dgonka.nvml-enabled=false", "-jar", Repo.jar().toString()),
                Map.of("PATH", "/usr/bin:/bin", "GONKA_ENABLED", "false", "GONKA_LOG_LEVEL", "ERROR"), true, dir, 60);
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("gonka-exporter: training run failed: java.lang.IllegalArgumentException: "
                + "gonka.exit-after-polls must be at least 1, not 0"), r.output());
    }

    @Test
    void aMissingSimulatorJarIsAnErrorNotAStartUpArchive(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("x.jsa");
        var r = writeArchive(dir, archive, Map.of(), dir.resolve("absent.jar").toString());
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains("no simulator jar at " + dir.resolve("absent.jar")), r.output());
        assertFalse(Files.exists(archive));
    }
}
