package io.gonka.exporter.deploy;

import io.gonka.exporter.config.ExporterConfig;
import io.micronaut.core.bind.annotation.Bindable;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every environment setting the exporter reads, with its default ("" when it has none), taken
 * from {@link ExporterConfig} itself so that the deployment files cannot drift from the code.
 */
final class Settings {
    private Settings() {}

    static Map<String, String> defaults() {
        Map<String, String> out = new LinkedHashMap<>();
        // Read before Micronaut's configuration, or by application.yml / logback.xml placeholders.
        out.put("GONKA_EXPORTER_HOST", "127.0.0.1");
        out.put("GONKA_EXPORTER_PORT", "9401");
        out.put("GONKA_LOG_LEVEL", "INFO");
        out.put("GONKA_WEB_CONFIG_FILE", "");
        RecordComponent[] components = ExporterConfig.class.getRecordComponents();
        Class<?>[] types = java.util.Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Constructor<ExporterConfig> canonical;
        try {
            canonical = ExporterConfig.class.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
        for (int i = 0; i < components.length; i++) {
            Bindable b = canonical.getParameters()[i].getAnnotation(Bindable.class);
            String def = b == null ? "" : b.defaultValue();
            out.put(envName("gonka." + kebab(components[i].getName())), def);
        }
        return out;
    }

    /** gonka.admin-url -> GONKA_ADMIN_URL, as Micronaut maps environment variables. */
    static String envName(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
