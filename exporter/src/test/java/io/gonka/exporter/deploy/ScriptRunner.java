package io.gonka.exporter.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short external command with a deadline and returns its exit code and output. */
final class ScriptRunner {
    record Result(int exit, String output) {}

    private ScriptRunner() {}

    static Result run(List<String> command, Map<String, String> env, boolean clearEnv, Path dir, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (clearEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + " (is it installed?): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        // Output is small; read it on another thread so a chatty command cannot block on a full pipe.
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<output unreadable: " + e + ">";
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), out.join());
    }

    /** PATH with this JDK's bin first, so scripts find `jar` as the Maven build image does. */
    static String pathWithJdk() {
        String jdkBin = Path.of(System.getProperty("java.home"), "bin").toString();
        String path = System.getenv("PATH");
        return jdkBin + (path == null || path.isEmpty() ? ":/usr/bin:/bin" : ":" + path);
    }
}
