package io.gonka.exporter.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository (the shipped configs tests run for real). */
public final class RepoFiles {
    private RepoFiles() {}

    public static Path root() {
        String p = System.getProperty("gonka.repo.dir");
        Path dir = p != null ? Path.of(p) : Path.of("..");
        if (!Files.isRegularFile(dir.resolve("pom.xml")) || !Files.isDirectory(dir.resolve("exporter"))) {
            throw new IllegalStateException("repository root not found at " + dir.toAbsolutePath());
        }
        return dir.toAbsolutePath().normalize();
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    public static String text(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
