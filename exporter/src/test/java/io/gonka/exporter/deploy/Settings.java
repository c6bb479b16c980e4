package io.gonka.exporter.deploy;

import io.gonka.exporter.config.Setting;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every environment setting the exporter reads, with its default ("" when it has none), taken
 * from the exporter's own list ({@link io.gonka.exporter.config.Settings}, read off the typed
 * configuration) so that the deployment files cannot drift from the code.
 */
final class Settings {
    private Settings() {}

    static Map<String, String> defaults() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting s : io.gonka.exporter.config.Settings.all()) {
            out.put(s.env(), s.defaultValue());
        }
        return out;
    }
}
