package io.gonka.exporter.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository under test; the root comes from {@code -Dgonka.repo.dir} (set by the pom). */
final class Repo {
    private Repo() {}

    static Path root() {
        String dir = System.getProperty("gonka.repo.dir");
        if (dir == null || dir.isBlank()) {
            throw new AssertionError("system property gonka.repo.dir (the repository root) is not set; run the tests through Maven");
        }
        Path root = Path.of(dir).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new AssertionError("gonka.repo.dir=" + root + " is not the repository root (no pom.xml)");
        }
        return root;
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        Path p = path(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("missing file " + relative);
        }
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The packaged jar; fails (never skips) when it has not been built. */
    static Path jar() {
        String prop = System.getProperty("gonka.jar");
        Path jar = prop == null || prop.isBlank() ? path("exporter/target/gonka-exporter.jar") : Path.of(prop);
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("the exporter jar " + jar + " is missing: build it first with `mvn -B -q package -DskipTests` "
                    + "(this is a Failsafe *IT test; `mvn verify` builds the jar before running it)");
        }
        return jar;
    }
}
