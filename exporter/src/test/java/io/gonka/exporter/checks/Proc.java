package io.gonka.exporter.checks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real Prometheus / Alertmanager tools with a bounded wait. */
final class Proc {
    static final String INSTALL_HINT = "apt-get install prometheus prometheus-alertmanager";

    record Result(int exit, String output) {
        String describe(List<String> command) {
            return String.join(" ", command) + " exited " + exit + ":\n" + output;
        }
    }

    private Proc() {
    }

    /** The absolute path of a tool on PATH; fails (never skips) when it is missing. */
    static String requireTool(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail(name + " not found on PATH (" + path + "); these checks need the real tools: "
                + INSTALL_HINT);
    }

    /**
     * Runs a command with stdout and stderr merged. {@code env} replaces the inherited
     * environment entirely (except PATH), so a developer's own TELEGRAM_* variables cannot leak in.
     */
    static Result run(List<String> command, Path workDir, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        if (env != null) {
            String path = pb.environment().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
            pb.environment().clear();
            pb.environment().put("PATH", path);
            pb.environment().put("LC_ALL", "C.UTF-8");
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile("gonka-proc", ".out");
        try {
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return fail(String.join(" ", command) + " did not finish within " + timeout
                        + "; output so far:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Result run(List<String> command, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        return run(command, workDir, null, timeout);
    }
}
