package io.gonka.exporter.upstream;

/** URL joining for configured base URLs. */
public final class ExporterUrls {
    private ExporterUrls() {}

    public static String trimSlash(String url) {
        String u = url == null ? "" : url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
