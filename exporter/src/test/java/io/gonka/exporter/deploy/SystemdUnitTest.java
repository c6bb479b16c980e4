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

/** deploy/systemd: the unit verifies with systemd's own tools and runs the image's JVM. */
class SystemdUnitTest {
    static final String UNIT = "deploy/systemd/gonka-exporter.service";
    final String text = Repo.read(UNIT);

    /** [Service] directives; a repeated key keeps every value in order. */
    Map<String, List<String>> service() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String section = "";
        StringBuilder cont = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (cont == null && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (cont != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                line = cont + " " + line;
                cont = null;
            }
            if (line.endsWith("\\")) {
                cont = new StringBuilder(line.substring(0, line.length() - 1).strip());
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            if (section.equals("[Service]")) {
                int eq = line.indexOf('=');
                out.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1).replaceAll("\\s+", " ").strip());
            }
        }
        return out;
    }

    String one(String key) {
        List<String> v = service().get(key);
        assertNotNull(v, key + "= in [Service]");
        return v.get(v.size() - 1);
    }

    /** Runs systemd-analyze on {@code unitText} saved under the unit's own name. */
    static ScriptRunner.Result analyze(Path tmp, String unitText, String... args) throws Exception {
        Path unit = tmp.resolve("gonka-exporter.service");
        Files.writeString(unit, unitText);
        List<String> cmd = new ArrayList<>(List.of("systemd-analyze"));
        cmd.addAll(List.of(args));
        cmd.add(unit.toString());
        return ScriptRunner.run(cmd, Map.of(), false, tmp, 60);
    }

    @Test
    void systemdAnalyzeVerifyIsClean(@TempDir Path tmp) throws Exception {
        var r = analyze(tmp, text, "verify");
        // verify exits 0 on unknown keys or bad values and only prints them: any output is a finding.
        assertEquals(0, r.exit(), r.output());
        assertEquals("", r.output().strip(), "systemd-analyze verify printed findings");
    }

    @Test
    void systemdAnalyzeVerifyCatchesMistakes(@TempDir Path tmp) throws Exception {
        // The check above can fail: the same unit with a typo in a value is reported.
        var r = analyze(tmp, text.replace("ProtectSystem=strict", "ProtectSystem=strikt"), "verify");
        assertTrue(r.output().contains("strikt"), r.output());
    }

    @Test
    void exposureScoreStaysLow(@TempDir Path tmp) throws Exception {
        // Exposure on systemd's 0-10 scale times 10: 25 = "2.5 OK".
        var r = analyze(tmp, text, "security", "--offline=yes", "--threshold=25", "--no-pager");
        assertEquals(0, r.exit(), "exposure above 2.5:\n" + r.output());
        assertTrue(r.output().contains("Overall exposure level"), r.output());
    }

    @Test
    void runsTheImagesJvmOnTheInstalledJar() {
        List<String> exec = List.of(one("ExecStart").split(" "));
        assertEquals("/usr/bin/java", exec.get(0));
        int jarAt = exec.indexOf("-jar");
        assertTrue(jarAt > 0, "-jar");
        assertEquals(List.of("-jar", DockerfileTest.IMAGE_DIR + "gonka-exporter.jar"), exec.subList(jarAt, exec.size()),
                "the same install path as the image, so extract-jna.sh and jna.boot.library.path match");
        // the image's JAVA_TOOL_OPTIONS, then what its ENTRYPOINT puts between java and -jar (the class-data archive)
        List<String> entrypoint = DockerfileModel.execForm(DockerfileModel.load().finalStage().last("ENTRYPOINT").args());
        List<String> expected = new java.util.ArrayList<>(JvmFlags.ofImage().flags());
        expected.addAll(entrypoint.subList(1, entrypoint.indexOf("-jar")));
        assertTrue(expected.contains("-XX:SharedArchiveFile=" + DockerfileTest.IMAGE_DIR + "gonka-exporter.jsa"), expected.toString());
        assertEquals(expected, exec.subList(1, jarAt), "ExecStart's JVM flags equal the Dockerfile's JAVA_TOOL_OPTIONS and ENTRYPOINT");
    }

    @Test
    void hardening() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("DynamicUser", "yes");
        expected.put("EnvironmentFile", "-/etc/gonka-exporter/env");
        expected.put("ProtectSystem", "strict");
        expected.put("ProtectHome", "yes");
        expected.put("PrivateTmp", "yes");
        expected.put("NoNewPrivileges", "yes");
        expected.put("ReadOnlyPaths", "/");
        expected.put("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX");
        expected.put("Restart", "on-failure");
        expected.put("RestartPreventExitStatus", String.valueOf(io.gonka.exporter.ApplicationArgs.EXIT_USAGE));
        expected.put("CapabilityBoundingSet", "");
        expected.forEach((k, v) -> assertEquals(v, one(k), k));
        assertTrue(List.of(one("SuccessExitStatus").split(" ")).contains("143"), "a SIGTERM exit is a clean stop");
        assertFalse(service().containsKey("MemoryDenyWriteExecute"), "the JIT needs W+X memory");
        assertFalse(service().containsKey("PrivateDevices"), "NVML needs /dev/nvidia*");
    }

    @Test
    void memoryLimitAboveTheJvmsCaps() {
        long max = JvmFlags.bytes(one("MemoryMax"));
        long caps = JvmFlags.ofImage().cappedPoolsBytes();
        assertTrue(max >= caps, "MemoryMax " + max + " below heap+metaspace+code cache+direct " + caps);
    }

    /** Environment= lines of the unit (the env file overrides them). */
    Map<String, String> unitEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : service().getOrDefault("Environment", List.of())) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        return env;
    }

    @Test
    void mallocArenasLikeTheImage() {
        String image = DockerfileModel.load().finalStage().env().get("MALLOC_ARENA_MAX");
        assertEquals("2", image);
        assertEquals(image, unitEnvironment().get("MALLOC_ARENA_MAX"));
    }

    @Test
    void capsUpstreamAnswersLikeTheImage() {
        String image = DockerfileModel.load().finalStage().env().get("GONKA_MAX_BODY_BYTES");
        String unit = unitEnvironment().get("GONKA_MAX_BODY_BYTES");
        assertEquals(image, unit, "the same heap needs the same cap");
        assertTrue(JvmFlags.ofImage().heapHoldsBody(Long.parseLong(unit)));
    }

    /** env.example names every setting the exporter reads, each commented out with what it is under this unit. */
    @Test
    void envExampleListsEverySettingWithItsDefault() {
        Map<String, String> defaults = Settings.defaults();
        unitEnvironment().forEach((k, v) -> {
            if (k.startsWith("GONKA_")) {
                defaults.put(k, v);
            }
        });
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : Repo.read("deploy/systemd/env.example").split("\n")) {
            String l = line.strip();
            assertFalse(l.matches("GONKA_\\w+=.*"), "defaults stay commented out: " + l);
            if (l.matches("#GONKA_\\w+=.*")) {
                int eq = l.indexOf('=');
                assertNull(listed.put(l.substring(1, eq), l.substring(eq + 1)), "listed once: " + l);
            }
        }
        assertEquals(defaults.keySet(), listed.keySet(), "env.example lists exactly the exporter's settings");
        defaults.forEach((k, v) -> assertEquals(v, listed.get(k), "default of " + k));
    }

    @Test
    void readmeInstallsTheJnaLibraryWhereTheUnitLooks() {
        String readme = Repo.read("deploy/systemd/README.md");
        String jnaPath = JvmFlags.ofImage().property("jna.boot.library.path").orElseThrow();
        assertTrue(readme.contains("sh deploy/docker/extract-jna.sh " + DockerfileTest.IMAGE_DIR + "gonka-exporter.jar " + jnaPath), readme);
        assertTrue(readme.contains("deploy/systemd/gonka-exporter.service /etc/systemd/system/gonka-exporter.service"));
        assertTrue(readme.contains("/etc/gonka-exporter/env"));
        // the archive ExecStart maps, written by the unit's own JVM
        assertTrue(readme.contains("JAVA=/usr/bin/java sh deploy/docker/write-cds-archive.sh " + DockerfileTest.IMAGE_DIR + "gonka-exporter.jar "
                + DockerfileTest.IMAGE_DIR + "gonka-exporter.jsa exporter/simulator/target/gonka-simulator.jar"), readme);
        assertTrue(one("ExecStart").contains("-XX:SharedArchiveFile=" + DockerfileTest.IMAGE_DIR + "gonka-exporter.jsa"));
    }
}
