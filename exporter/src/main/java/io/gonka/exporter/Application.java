package io.gonka.exporter;

import io.gonka.exporter.http.WebConfig;
import io.micronaut.runtime.Micronaut;
import java.nio.file.Path;
import java.util.Map;

public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut app = Micronaut.build(args).mainClass(Application.class).banner(false);
        String webConfig = ApplicationArgs.webConfigFile(args);
        if (!webConfig.isBlank()) {
            // TLS has to be in place before the server binds, so the web config is read here too.
            WebConfig cfg = WebConfig.load(Path.of(webConfig));
            cfg.applyJvmWideTlsSettings();
            int port = Integer.parseInt(ApplicationArgs.firstNonBlank(System.getProperty("micronaut.server.port"), System.getenv("GONKA_EXPORTER_PORT"), "9401"));
            Map<String, Object> props = new java.util.HashMap<>(cfg.serverProperties(port));
            props.put("gonka.web-config-file", webConfig);
            app.properties(props);
        }
        app.start();
    }

}
