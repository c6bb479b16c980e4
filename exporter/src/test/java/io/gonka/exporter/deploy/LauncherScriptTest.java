package io.gonka.exporter.deploy;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exporter/bin/gonka-exporter, the README's run command, run with a stand-in {@code java} that
 * prints what it was started with: the image's JVM flags (without its JNA paths), the image's
 * malloc arenas, and the class-data-sharing archive only while it is newer than the jar.
 */
class LauncherScriptTest {
    static final Path SCRIPT = Repo.path("exporter/bin/gonka-exporter");

    /** A JAVA_HOME whose bin/java prints MALLOC_ARENA_MAX, GONKA_MAX_BODY_BYTES and then one argument per line. */
    static Path fakeJavaHome(Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX\"\necho \"GONKA_MAX_BODY_BYTES=$GONKA_MAX_BODY_BYTES\"\nfor a in \"$@\"; do echo \"$a\"; done\n");
        assertTrue(java.toFile().setExecutable(true));
        return tmp.resolve("jdk");
    }

    static List<String> run(Path tmp, Path jar, Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", fakeJavaHome(tmp).toString(),
                "GONKA_EXPORTER_JAR", jar.toString()));
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>(List.of("sh", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ScriptRunner.Result r = ScriptRunner.run(cmd, env, true, tmp, 30);
        assertEquals(0, r.exit(), r.output());
        return List.of(r.output().strip().split("\n"));
    }

    static List<String> imageFlagsWithoutJna() {
        return JvmFlags.ofImage().flags().stream().filter(f -> !f.startsWith("-Djna.")).toList();
    }

    @Test
    void startsTheJarWithTheImagesJvmFlagsAndMallocArenas(@TempDir Path tmp) throws Exception {
        Path jar = Files.writeString(tmp.resolve("gonka-exporter.jar"), "not a jar");
        List<String> out = run(tmp, jar, Map.of(), "--web.config.file=web.yml");
        Map<String, String> imageEnv = DockerfileModel.load().finalStage().env();
        assertEquals("MALLOC_ARENA_MAX=" + imageEnv.get("MALLOC_ARENA_MAX"), out.get(0));
        assertEquals("GONKA_MAX_BODY_BYTES=" + imageEnv.get("GONKA_MAX_BODY_BYTES"), out.get(1), "the body cap the image's heap is sized for");
        List<String> expected = new ArrayList<>(imageFlagsWithoutJna());
        expected.addAll(List.of("-jar", jar.toString(), "--web.config.file=web.yml"));
        assertEquals(expected, out.subList(2, out.size()), "no archive next to the jar: no CDS flag");
        assertTrue(imageFlagsWithoutJna().stream().anyMatch(f -> f.startsWith("-Xmx")), "a bounded heap");
    }

    @Test
    void usesTheClassDataArchiveOnlyWhileItIsNewerThanTheJar(@TempDir Path tmp) throws Exception {
        Path jar = Files.writeString(tmp.resolve("gonka-exporter.jar"), "not a jar");
        Path jsa = Files.writeString(tmp.resolve("gonka-exporter.jsa"), "archive");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        assertTrue(run(tmp, jar, Map.of()).contains("-XX:SharedArchiveFile=" + jsa));

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60))); // the jar was rebuilt
        assertFalse(run(tmp, jar, Map.of()).stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")));
    }

    @Test
    void ownFlagsAndArenasWin(@TempDir Path tmp) throws Exception {
        Path jar = Files.writeString(tmp.resolve("gonka-exporter.jar"), "not a jar");
        List<String> out = run(tmp, jar, Map.of("GONKA_JAVA_OPTS", "-Xmx256m", "MALLOC_ARENA_MAX", "4"));
        assertEquals(List.of("MALLOC_ARENA_MAX=4", "GONKA_MAX_BODY_BYTES=", "-Xmx256m", "-jar", jar.toString()), out,
                "own flags: the exporter's own body cap");
        assertEquals("GONKA_MAX_BODY_BYTES=1000", run(tmp, jar, Map.of("GONKA_MAX_BODY_BYTES", "1000")).get(1), "an operator's cap wins");
    }

    @Test
    void saysHowToBuildWhenTheJarIsMissing(@TempDir Path tmp) throws Exception {
        ScriptRunner.Result r = ScriptRunner.run(List.of("sh", SCRIPT.toString()),
                Map.of("PATH", "/usr/bin:/bin", "GONKA_EXPORTER_JAR", tmp.resolve("none.jar").toString()), true, tmp, 30);
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("mvn -B -q package -DskipTests"), r.output());
    }
}
