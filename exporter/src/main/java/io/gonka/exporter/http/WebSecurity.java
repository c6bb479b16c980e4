package io.gonka.exporter.http;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;

/** The web config named by {@code gonka.web-config-file} ({@code GONKA_WEB_CONFIG_FILE}), if any. */
@Singleton
public class WebSecurity {
    private final WebConfig config;

    public WebSecurity(@Nullable @Value("${gonka.web-config-file:}") String file) {
        this.config = file == null || file.isBlank() ? null : WebConfig.load(Path.of(file));
    }

    public Optional<WebConfig> config() {
        return Optional.ofNullable(config);
    }
}
