package io.gonka.exporter.http;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.context.annotation.Context;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web config named by {@code gonka.web-config-file} ({@code GONKA_WEB_CONFIG_FILE}), if any.
 * Created with the context, so a broken config stops the start instead of failing the first request.
 */
@Context
public class WebSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(WebSecurity.class);
    private final WebConfig config;

    public WebSecurity(@Nullable @Value("${gonka.web-config-file:}") String file) {
        this.config = file == null || file.isBlank() ? null : WebConfig.load(Path.of(file));
        if (config != null) {
            config.warnings().forEach(w -> LOG.warn("{}", w));
        }
    }

    public Optional<WebConfig> config() {
        return Optional.ofNullable(config);
    }

    /** What protects the listener, for the start-up line: e.g. "TLS on (...), basic auth on (1 user)". */
    public String describe() {
        return config == null ? "TLS off, basic auth off (no web config)" : config.describe();
    }
}
