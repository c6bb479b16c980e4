package io.gonka.exporter.deploy;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.deploy.DockerfileModel.Instruction;
import io.gonka.exporter.deploy.DockerfileModel.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What deploy/docker/Dockerfile promises, read back from the file (no Docker engine needed). */
class DockerfileTest {
    static final String IMAGE_DIR = "/opt/gonka-exporter/";
    final DockerfileModel df = DockerfileModel.load();
    final Stage runtime = df.finalStage();
    final Map<String, String> env = runtime.env();

    @Test
    void twoStagesMavenBuildAndGlibcJreRuntime() {
        assertEquals(2, df.stages.size(), "a build stage and a runtime stage");
        Stage build = df.stages.get(0);
        assertEquals("build", build.name());
        assertTrue(build.from().startsWith("maven:3.9-eclipse-temurin-17"), build.from());
        List<String> runs = build.all("RUN").stream().map(Instruction::args).toList();
        assertTrue(runs.stream().anyMatch(r -> r.endsWith("mvn -B -q package -DskipTests -Dgonka.build.revision=\"$REVISION\""
                + " -Dgonka.build.branch=\"$BRANCH\"")), runs.toString());
        // no .git in the build context: the build info's revision and branch are build arguments
        assertTrue(build.all("ARG").stream().anyMatch(a -> a.args().equals("REVISION=unknown")), "ARG REVISION");
        assertTrue(build.all("ARG").stream().anyMatch(a -> a.args().equals("BRANCH=unknown")), "ARG BRANCH");
        List<String> copies = build.all("COPY").stream().map(Instruction::args).toList();
        for (String src : List.of("pom.xml ", "exporter/pom.xml ", "exporter/src ")) {
            assertTrue(copies.stream().anyMatch(c -> c.startsWith(src)), "build stage copies " + src + copies);
        }

        String base = runtime.from();
        assertFalse(base.toLowerCase().contains("alpine"), "musl cannot load the NVIDIA driver's glibc libnvidia-ml.so.1: " + base);
        assertTrue(base.startsWith("eclipse-temurin:17-jre"), "a Java 17 JRE image: " + base);
        assertFalse(base.endsWith(":latest") || !base.contains(":"), "a pinned tag: " + base);
    }

    @Test
    void runsAsNumericNonRootUser() {
        Instruction user = runtime.last("USER");
        assertNotNull(user, "USER");
        assertTrue(user.args().matches("\\d+(:\\d+)?"), "numeric, so Kubernetes runAsNonRoot can verify it: " + user.args());
        String uid = user.args().split(":")[0];
        assertNotEquals("0", uid);
        assertEquals("10001", uid);
        // The uid has a passwd entry (user.home, logs naming the user).
        assertTrue(runtime.all("RUN").stream().anyMatch(r -> r.args().contains("useradd") && r.args().contains("--uid " + uid)),
                "useradd --uid " + uid);
        // USER comes after every RUN, so nothing of the image is owned or writable by it.
        int userLine = user.line();
        assertTrue(runtime.all("RUN").stream().allMatch(r -> r.line() < userLine), "no RUN after USER");
        assertTrue(runtime.all("COPY").stream().noneMatch(c -> c.args().contains("--chown")), "files stay owned by root");
    }

    @Test
    void listensOnTheContainerInterfaceOnTheExposedPort() {
        assertEquals("0.0.0.0", env.get("GONKA_EXPORTER_HOST"));
        String port = env.get("GONKA_EXPORTER_PORT");
        assertEquals("9401", port);
        assertEquals(List.of(port), runtime.all("EXPOSE").stream().map(Instruction::args).toList());
    }

    @Test
    void heapHoldsTheLargestAcceptedUpstreamAnswer() {
        String cap = env.get("GONKA_MAX_BODY_BYTES");
        assertNotNull(cap, "the image caps upstream answers to fit its heap (the exporter's default is 32 MiB)");
        assertTrue(JvmFlags.ofImage().heapHoldsBody(Long.parseLong(cap)), "-Xmx below 6 x GONKA_MAX_BODY_BYTES=" + cap);
    }

    @Test
    void nvidiaRuntimeEnvironment() {
        assertEquals("all", env.get("NVIDIA_VISIBLE_DEVICES"));
        assertEquals("utility", env.get("NVIDIA_DRIVER_CAPABILITIES"), "NVML needs only the utility capability");
    }

    @Test
    void envValuesAreLiteral() {
        // ContainerRuntimeIT reads ENV as written; a $VAR would need Docker's substitution.
        env.forEach((k, v) -> assertFalse(v.contains("$"), k + "=" + v));
    }

    @Test
    void jvmFlagsForASidecarOnAReadOnlyFilesystem() {
        JvmFlags f = JvmFlags.ofImage();
        assertFalse(String.join(" ", f.flags()).contains("\""), "no quotes: the JVM splits JAVA_TOOL_OPTIONS on spaces");
        assertTrue(f.size("-Xmx").isPresent(), "-Xmx");
        assertTrue(f.requiredSize("-Xmx") <= 128L << 20, "a sidecar's heap");
        assertTrue(f.requiredSize("-Xms") <= f.requiredSize("-Xmx"));
        for (String flag : List.of("-XX:-UsePerfData", "-Djna.nounpack=true", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                "-Dvertx.disableFileCPResolving=true")) {
            assertTrue(f.has(flag), flag + " in " + f.flags());
        }
        assertEquals(IMAGE_DIR + "native", f.property("jna.boot.library.path").orElseThrow(() -> new AssertionError("jna.boot.library.path")));
        assertTrue(f.size("-XX:MaxMetaspaceSize=").isPresent() && f.size("-XX:MaxDirectMemorySize=").isPresent()
                && f.size("-XX:ReservedCodeCacheSize=").isPresent(), "every large pool capped: " + f.flags());
    }

    /** The jar and the JNA library end up where ENTRYPOINT and jna.boot.library.path expect them. */
    @Test
    void layoutMatchesEntrypointAndJnaPath() {
        Stage build = df.stage("build");
        Instruction extract = build.all("RUN").stream().filter(r -> r.args().contains("extract-jna.sh")).findFirst()
                .orElseThrow(() -> new AssertionError("the build stage runs extract-jna.sh"));
        List<String> words = DockerfileModel.words(extract.args());
        int at = -1;
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).endsWith("extract-jna.sh")) {
                at = i;
            }
        }
        String builtJar = words.get(at + 1);
        String nativeDir = words.get(at + 2);
        assertEquals("$TARGETARCH", words.get(at + 3), "the image's own architecture");
        assertTrue(build.all("ARG").stream().anyMatch(a -> a.args().equals("TARGETARCH")), "ARG TARGETARCH in the build stage");

        Instruction copy = runtime.all("COPY").stream().filter(c -> c.args().startsWith("--from=build ")).findFirst()
                .orElseThrow(() -> new AssertionError("COPY --from=build"));
        List<String> cw = DockerfileModel.words(copy.args());
        String src = cw.get(1);
        String dest = cw.get(2);
        assertTrue(builtJar.startsWith(src) && nativeDir.startsWith(src), src + " holds " + builtJar + " and " + nativeDir);
        String imageJar = dest + builtJar.substring(src.length());
        String imageNative = dest + nativeDir.substring(src.length());

        String archive = IMAGE_DIR + "gonka-exporter.jsa";
        assertEquals(List.of("java", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-jar", imageJar),
                DockerfileModel.execForm(runtime.last("ENTRYPOINT").args()));
        // the archive is written in the final stage by its own JVM, for the jar where ENTRYPOINT runs it, before USER
        Instruction cds = runtime.all("RUN").stream().filter(r -> r.args().contains("write-cds-archive.sh")).findFirst()
                .orElseThrow(() -> new AssertionError("no RUN writing " + archive));
        // trained against the simulated node the build stage built, bind-mounted for this step only
        String simulator = "/tmp/gonka-simulator.jar";
        assertEquals(List.of("--mount=type=bind,from=build,source=" + build.last("WORKDIR").args() + "/exporter/simulator/target/gonka-simulator.jar,target="
                + simulator, "sh", "/usr/local/bin/write-cds-archive.sh", imageJar, archive, simulator), DockerfileModel.words(cds.args()));
        assertTrue(Repo.read("exporter/simulator/pom.xml").contains("<finalName>gonka-simulator</finalName>"), "the simulator jar's name");
        assertTrue(runtime.all("COPY").stream().anyMatch(c -> c.args().equals("deploy/docker/write-cds-archive.sh /usr/local/bin/write-cds-archive.sh")));
        assertTrue(cds.line() < runtime.last("USER").line(), "written as root, read-only for the exporter's user");
        assertEquals(imageNative, JvmFlags.ofImage().property("jna.boot.library.path").orElseThrow());
        assertEquals(IMAGE_DIR + "gonka-exporter.jar", imageJar);
    }

    @Test
    void healthCheckNeedsNoCurl() {
        Instruction hc = runtime.last("HEALTHCHECK");
        assertNotNull(hc, "HEALTHCHECK");
        DockerfileModel.HealthCheck h = DockerfileModel.healthCheck(hc.args());
        assertEquals(List.of("bash", "-c"), h.command().subList(0, 2));
        String script = h.command().get(2);
        assertTrue(script.contains("/dev/tcp/127.0.0.1/${GONKA_EXPORTER_PORT:-9401}"), script);
        assertTrue(script.contains("GET /health/liveness "), script);
        assertFalse(script.matches(".*\\b(curl|wget)\\b.*"), script);
        for (String opt : List.of("interval", "timeout", "start-period", "retries")) {
            assertTrue(h.options().containsKey(opt), opt);
        }
    }

    /** Every file a stage copies from the build context gets past Dockerfile.dockerignore. */
    @Test
    void dockerignoreLetsThroughWhatIsCopiedAndNothingElse() throws Exception {
        List<String> patterns = Repo.read("deploy/docker/Dockerfile.dockerignore").lines()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals("*", patterns.get(0), "everything is excluded first");
        assertTrue(patterns.contains("**/target/"), "no stale local build output");
        List<String> included = patterns.stream().filter(p -> p.startsWith("!")).map(p -> p.substring(1)).toList();
        List<String> sources = new ArrayList<>();
        for (Stage s : df.stages) {
            for (Instruction c : s.all("COPY")) {
                List<String> w = DockerfileModel.words(c.args());
                w.removeIf(x -> x.startsWith("--"));
                if (c.args().startsWith("--from=")) {
                    continue;
                }
                sources.addAll(w.subList(0, w.size() - 1));
            }
        }
        assertFalse(sources.isEmpty());
        for (String src : sources) {
            assertTrue(Files.exists(Repo.path(src)), "COPY source exists in the repository: " + src);
            String norm = src.endsWith("/") ? src : src + (Files.isDirectory(Repo.path(src)) ? "/" : "");
            assertTrue(included.stream().anyMatch(i -> i.equals(norm) || i.equals(src) || norm.startsWith(i.endsWith("/") ? i : i + "/")),
                    src + " is re-included by a !pattern in Dockerfile.dockerignore: " + included);
        }
    }

    /** extract-jna.sh on a jar shaped like the shaded one, for each architecture name it accepts. */
    @Test
    void extractJnaScriptPicksTheRightArchitecture(@TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("fake.jar");
        byte[] x86 = "x86-64 library".getBytes();
        byte[] arm = "aarch64 library".getBytes();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("com/sun/jna/linux-x86-64/libjnidispatch.so"));
            out.write(x86);
            out.putNextEntry(new JarEntry("com/sun/jna/linux-aarch64/libjnidispatch.so"));
            out.write(arm);
        }
        Path script = Repo.path("deploy/docker/extract-jna.sh");
        Map<String, String> env = Map.of("PATH", ScriptRunner.pathWithJdk(), "TMPDIR", tmp.toString());
        for (var c : Map.of("amd64", x86, "x86_64", x86, "arm64", arm, "aarch64", arm).entrySet()) {
            Path dest = tmp.resolve("out-" + c.getKey());
            var r = ScriptRunner.run(List.of("sh", script.toString(), jar.toString(), dest.toString(), c.getKey()), env, true, tmp, 60);
            assertEquals(0, r.exit(), r.output());
            assertArrayEquals(c.getValue(), Files.readAllBytes(dest.resolve("libjnidispatch.so")), c.getKey());
            try (var files = Files.list(dest)) {
                assertEquals(1, files.count(), "only the library");
            }
        }
        var unknown = ScriptRunner.run(List.of("sh", script.toString(), jar.toString(), tmp.resolve("o1").toString(), "s390x"), env, true, tmp, 60);
        assertEquals(1, unknown.exit(), unknown.output());
        assertTrue(unknown.output().contains("no JNA native library for architecture 's390x'"), unknown.output());

        Path emptyJar = tmp.resolve("empty.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(emptyJar))) {
            out.putNextEntry(new JarEntry("README"));
        }
        var missing = ScriptRunner.run(List.of("sh", script.toString(), emptyJar.toString(), tmp.resolve("o2").toString(), "amd64"), env, true, tmp, 60);
        assertNotEquals(0, missing.exit(), missing.output());
        assertTrue(missing.output().contains("is not in"), missing.output());
        assertFalse(Files.exists(tmp.resolve("o2/libjnidispatch.so")));
        // Its scratch directory is gone again.
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("tmp.")), "mktemp dirs removed");
        }
    }
}
