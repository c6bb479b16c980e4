package io.gonka.exporter.sources.nvml;

import com.sun.jna.NativeLibrary;
import io.gonka.exporter.support.RepoFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The stub libnvidia-ml.so.1 of src/test/c, compiled with gcc into target/, and its test controls. */
public final class NvmlStub {
    private NvmlStub() {}

    /** Compiles (once per variant) and returns the path of the stub library. */
    public static synchronized Path build(String variant, String... defines) throws Exception {
        Path dir = RepoFiles.path("exporter/target/nvml-stub/" + variant);
        Path lib = dir.resolve("libnvidia-ml.so.1");
        Path source = RepoFiles.path("exporter/src/test/c/nvml_stub.c");
        if (Files.exists(lib) && Files.getLastModifiedTime(lib).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return lib;
        }
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O1", "-Wall", "-Werror"));
        cmd.addAll(List.of(defines));
        cmd.addAll(List.of("-o", lib.toString(), source.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("gcc is needed to build the NVML stub: apt-get install gcc", e);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("gcc failed:\n" + new String(p.getInputStream().readAllBytes()));
        }
        return lib;
    }

    static void call(Path lib, String function, Object... args) {
        NativeLibrary.getInstance(lib.toString()).getFunction(function).invokeVoid(args);
    }

    static void reset(Path lib) {
        call(lib, "stub_reset");
    }

    static void setLost(Path lib, int gpu, boolean lost) {
        call(lib, "stub_set_lost", gpu, lost ? 1 : 0);
    }

    static void setMismatch(Path lib, boolean on) {
        call(lib, "stub_set_mismatch", on ? 1 : 0);
    }

    static void pushXid(Path lib, int gpu, long xid) {
        call(lib, "stub_push_xid", gpu, xid);
    }
}
