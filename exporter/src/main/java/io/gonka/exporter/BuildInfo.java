package io.gonka.exporter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What was built: the version, the git revision and branch it was built from (written into
 * {@code gonka-exporter-build.properties} by Maven), and the Java it runs on. A build outside git
 * (the Docker build stage has no .git) says "unknown" rather than guessing.
 */
public record BuildInfo(String version, String revision, String branch, String javaVersion) {
    public static final String UNKNOWN = "unknown";
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** Test builds: a given version, the rest as unknown as a build outside git. */
    public static BuildInfo of(String version) {
        return new BuildInfo(version, UNKNOWN, UNKNOWN, javaRuntime());
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/gonka-exporter-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource is a broken jar; the build info then says unknown
        }
        String manifest = BuildInfo.class.getPackage().getImplementationVersion();
        String version = filled(p.getProperty("version"), filled(manifest, "dev"));
        String branch = filled(p.getProperty("branch"), UNKNOWN);
        // a detached checkout (CI) has no branch: git says "HEAD"
        return new BuildInfo(version, filled(p.getProperty("revision"), UNKNOWN), branch.equals("HEAD") ? UNKNOWN : branch, javaRuntime());
    }

    /** An unset Maven placeholder stays as "${...}" in the file. */
    public static String filled(String value, String otherwise) {
        return value == null || value.isBlank() || value.contains("${") ? otherwise : value.trim();
    }

    private static String javaRuntime() {
        String v = System.getProperty("java.version", "");
        return v.isBlank() ? UNKNOWN : v;
    }

    /** One line for --version and the start-up log. */
    public String describe() {
        return "gonka-exporter " + version + " (revision " + revision + ", branch " + branch + ", Java " + javaVersion + ")";
    }
}
