package io.gonka.exporter.bench;

import io.gonka.exporter.deploy.DockerfileModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The exporter jar started as the container image starts it (no Docker engine here): the final
 * stage's ENV (JAVA_TOOL_OPTIONS included) and {@code java -jar}, with libjnidispatch.so extracted
 * by the image build's own script. Only the listen address (loopback), the port, the JNA directory,
 * the jar path and the upstream URLs differ. Also reads the process's CPU time and RSS from /proc.
 */
public final class ImageProcess implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final String IMAGE_JNA_DIR = "/opt/gonka-exporter/native";

    public final Process process;
    public final int port;
    public final Path log;
    public final Map<String, String> env;
    public final long startedNanos;

    private ImageProcess(Process process, int port, Path log, Map<String, String> env, long startedNanos) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.env = env;
        this.startedNanos = startedNanos;
    }

    public static Path repoRoot() {
        String dir = System.getProperty("gonka.repo.dir");
        Path root = dir == null || dir.isBlank() ? Path.of("").toAbsolutePath() : Path.of(dir).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("deploy/docker/Dockerfile")) && Files.isRegularFile(root.resolve("../deploy/docker/Dockerfile"))) {
            root = root.resolve("..").normalize();
        }
        if (!Files.isRegularFile(root.resolve("deploy/docker/Dockerfile"))) {
            throw new IllegalStateException("no deploy/docker/Dockerfile under " + root + " (set -Dgonka.repo.dir)");
        }
        return root;
    }

    public static Path jar() {
        String prop = System.getProperty("gonka.jar");
        Path jar = prop == null || prop.isBlank() ? repoRoot().resolve("exporter/target/gonka-exporter.jar") : Path.of(prop);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the exporter jar " + jar + " is missing: mvn -B -q package -DskipTests");
        }
        return jar;
    }

    /** The simulated node's jar the build leaves, which trains the class-data archive as in the image build. */
    public static Path simulatorJar() {
        Path jar = repoRoot().resolve("exporter/simulator/target/gonka-simulator.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the simulator jar " + jar + " is missing: mvn -B -q package -DskipTests");
        }
        return jar;
    }

    /** The Dockerfile's final stage (the image). */
    static DockerfileModel.Stage imageStage() throws IOException {
        return new DockerfileModel(Files.readString(repoRoot().resolve("deploy/docker/Dockerfile"), StandardCharsets.UTF_8)).finalStage();
    }

    /** The ENV of the Dockerfile's final stage, in order. */
    public static Map<String, String> imageEnv() throws IOException {
        return imageStage().env();
    }

    /** Extracts libjnidispatch.so as the image build does: sh extract-jna.sh JAR DIR. */
    public static Path extractJna(Path workDir) throws IOException, InterruptedException {
        Path dir = workDir.resolve("native");
        runDeployScript(workDir, "extract-jna.sh", Map.of(), jar().toString(), dir.toString());
        return dir;
    }

    /** Runs {@code deploy/docker/SCRIPT ARGS} in {@code workDir} as the image build does; its output goes to SCRIPT.log there. */
    private static void runDeployScript(Path workDir, String script, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", repoRoot().resolve("deploy/docker/" + script).toString()));
        cmd.addAll(List.of(args));
        Path log = workDir.resolve(script + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(script + " failed: " + Files.readString(log));
        }
    }

    static final String IMAGE_JAR = "/opt/gonka-exporter/gonka-exporter.jar";
    static final String IMAGE_CDS_ARCHIVE = "/opt/gonka-exporter/gonka-exporter.jsa";

    /** The image's ENTRYPOINT for this machine: this JDK's java, the jar and the class-data archive where they are here. */
    public static List<String> entrypoint(Path jar, Path cdsArchive) throws IOException {
        List<String> cmd = new ArrayList<>(DockerfileModel.execForm(imageStage().last("ENTRYPOINT").args()));
        if (!cmd.get(0).equals("java") || !cmd.contains(IMAGE_JAR)) {
            throw new IllegalStateException("unexpected ENTRYPOINT in the Dockerfile: " + cmd);
        }
        cmd.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.replaceAll(w -> w.replace(IMAGE_JAR, jar.toString()).replace(IMAGE_CDS_ARCHIVE, cdsArchive.toString()));
        return cmd;
    }

    /**
     * Writes the class-data archive of {@code jar} as the image build does (its final stage runs
     * {@code deploy/docker/write-cds-archive.sh}), with this JDK, to {@code workDir/gonka-exporter.jsa}.
     */
    public static Path cdsArchive(Path workDir, Path jar) throws IOException, InterruptedException {
        Path jsa = workDir.resolve("gonka-exporter.jsa");
        runDeployScript(workDir, "write-cds-archive.sh", Map.of("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                jar.toString(), jsa.toString(), simulatorJar().toString());
        if (!Files.isRegularFile(jsa)) {
            throw new IllegalStateException("write-cds-archive.sh wrote no " + jsa);
        }
        return jsa;
    }

    /** The archive already written in {@code workDir} for {@link #jar()}, or a new one: one per work directory. */
    public static Path cdsArchiveIn(Path workDir) throws IOException, InterruptedException {
        Path jsa = workDir.resolve("gonka-exporter.jsa");
        return Files.isRegularFile(jsa) ? jsa : cdsArchive(workDir, jar());
    }

    /**
     * Starts the jar as the image's ENTRYPOINT does, with the image's ENV plus {@code overrides} and the
     * class-data archive the image build would write (made once per work directory); stdout and stderr
     * go to {@code workDir/name/name.log}.
     */
    public static ImageProcess start(String name, Path workDir, Path jnaDir, int port, Map<String, String> overrides)
            throws IOException, InterruptedException {
        Map<String, String> env = new LinkedHashMap<>(imageEnv());
        String opts = env.get("JAVA_TOOL_OPTIONS");
        if (opts == null || !opts.contains("-Djna.boot.library.path=" + IMAGE_JNA_DIR)) {
            throw new IllegalStateException("unexpected JAVA_TOOL_OPTIONS in the Dockerfile: " + opts);
        }
        env.put("JAVA_TOOL_OPTIONS", opts.replace("-Djna.boot.library.path=" + IMAGE_JNA_DIR, "-Djna.boot.library.path=" + jnaDir));
        env.putAll(overrides);
        env.put("GONKA_EXPORTER_HOST", "127.0.0.1"); // loopback only; the image says 0.0.0.0
        env.put("GONKA_EXPORTER_PORT", String.valueOf(port));
        Path box = Files.createDirectories(workDir.resolve(name));
        Path tmp = Files.createDirectories(box.resolve("tmp"));
        env.put("HOME", Files.createDirectories(box.resolve("home")).toString());
        env.put("PATH", "/usr/bin:/bin");
        List<String> cmd = new ArrayList<>(entrypoint(jar(), cdsArchiveIn(workDir)));
        cmd.add(1, "-Djava.io.tmpdir=" + tmp);
        Path log = box.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(box.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear(); // a container starts with the image's ENV only
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        return new ImageProcess(p, port, log, env, t0);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** GET path; null when nothing answers yet. */
    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the exporter exited with " + process.exitValue() + ":\n" + logText());
        }
    }

    /** utime + stime of the process (all threads), in clock ticks (USER_HZ, 100 on Linux). */
    public long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after "(comm)": state=3 ... utime=14, stime=15 -> index 11, 12 here
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A line of /proc/PID/status in kB, e.g. VmRSS or VmHWM. */
    public long statusKb(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/" + process.pid() + "/status");
    }

    /** SIGTERM, then SIGKILL after 10 s; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
