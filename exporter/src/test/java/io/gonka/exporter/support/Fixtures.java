package io.gonka.exporter.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Gonka API payloads the tests use, from this repository's
 * {@code exporter/src/test/resources/gonka-api/} (see its README for which endpoint and release each
 * file represents). Read from the test classpath, so nothing outside the repository is needed.
 */
public final class Fixtures {
    private Fixtures() {}

    /** {@code gonka-api/} on the test classpath. */
    public static Path apiDir() {
        URL url = Fixtures.class.getResource("/gonka-api/README.md");
        if (url == null) {
            throw new IllegalStateException("gonka-api fixtures are not on the test classpath");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path example(String name) {
        return apiDir().resolve("examples").resolve(name);
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(example(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture of one release's folder ({@code newest/}, {@code v0.2.0/}). */
    public static byte[] release(String release, String name) {
        try {
            return Files.readAllBytes(apiDir().resolve(release).resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The metric contract, {@code exporter/METRICS.md}. */
    public static Path metricsContract() {
        Path p = RepoFiles.root().resolve("exporter/METRICS.md");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no metric contract at " + p);
        }
        return p;
    }
}
