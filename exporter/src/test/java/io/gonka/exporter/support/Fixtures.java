package io.gonka.exporter.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared example payloads ({@code ../shared/gonka-api/examples}), read from disk. */
public final class Fixtures {
    private Fixtures() {}

    public static Path sharedDir() {
        String p = System.getProperty("gonka.shared.dir");
        Path dir = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(dir.resolve("gonka-api"))) {
            throw new IllegalStateException("shared/gonka-api not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    public static Path example(String name) {
        return sharedDir().resolve("gonka-api/examples").resolve(name);
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(example(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), java.nio.charset.StandardCharsets.UTF_8);
    }
}
