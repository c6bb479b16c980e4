package io.gonka.exporter;

/** The exporter's version, from the build (see {@link BuildInfo}); "dev" when unknown. */
public final class Version {
    private Version() {}

    public static String current() {
        return BuildInfo.current().version();
    }
}
