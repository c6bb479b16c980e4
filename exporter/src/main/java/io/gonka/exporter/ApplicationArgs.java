package io.gonka.exporter;

/** Start-up settings that must be known before Micronaut reads its configuration. */
public final class ApplicationArgs {
    private ApplicationArgs() {}

    /** {@code --web.config.file=} (as the Prometheus exporters spell it), {@code -Dgonka.web-config-file} or {@code GONKA_WEB_CONFIG_FILE}. */
    public static String webConfigFile(String[] args) {
        for (String a : args) {
            for (String prefix : new String[] {"--web.config.file=", "--gonka.web-config-file="}) {
                if (a.startsWith(prefix)) {
                    return a.substring(prefix.length());
                }
            }
        }
        return firstNonBlank(System.getProperty("gonka.web-config-file"), System.getenv("GONKA_WEB_CONFIG_FILE"), "");
    }

    static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }
}
