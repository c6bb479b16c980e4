package io.gonka.exporter.http;

import io.gonka.exporter.BuildInfo;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line once the server is bound: where it listens, and whether TLS and basic auth are on. */
@Singleton
public class StartupLine implements ApplicationEventListener<ServerStartupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(StartupLine.class);
    private final WebSecurity security;

    public StartupLine(WebSecurity security) {
        this.security = security;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        LOG.info(describe(event.getSource(), security));
    }

    static String describe(EmbeddedServer server, WebSecurity security) {
        String host = server.getHost().contains(":") ? "[" + server.getHost() + "]" : server.getHost();
        // WebSecurity says what the web config turned on: "TLS on (...), basic auth on (1 user)"
        return BuildInfo.current().describe() + " listening on " + server.getScheme() + "://" + host + ":" + server.getPort()
                + ": " + security.describe();
    }
}
