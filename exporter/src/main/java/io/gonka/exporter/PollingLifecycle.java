package io.gonka.exporter;

import io.gonka.exporter.config.ExporterConfig;
import io.gonka.exporter.sources.GonkaSources;
import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.upstream.UrlCredentials;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts polling once the application is up; the scheduler bean stops it on shutdown. */
@Singleton
public class PollingLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(PollingLifecycle.class);

    private final SourceScheduler scheduler;
    private final GonkaSources sources;
    private final ExporterConfig config;

    public PollingLifecycle(SourceScheduler scheduler, GonkaSources sources, ExporterConfig config) {
        this.scheduler = scheduler;
        this.sources = sources;
        this.config = config;
    }

    @EventListener
    public void onStartup(StartupEvent event) {
        if (sources.enabled) {
            LOG.info("gonka-exporter {}: admin {}, rpc {}, public {}, participant {}", Version.current(),
                    UrlCredentials.redact(config.adminUrl()), UrlCredentials.redact(config.rpcUrl()), UrlCredentials.redact(config.publicUrl()),
                    config.participantAddressOrEmpty().isEmpty() ? "to be detected from the node" : config.participantAddressOrEmpty());
            if (config.referenceUrlsOrEmpty().isEmpty()) {
                LOG.info("no reference nodes configured (gonka.reference-urls): block lag is not exported");
            }
        } else {
            LOG.info("gonka-exporter {}: Gonka sources switched off (gonka.enabled=false): GPU metrics only", Version.current());
        }
        scheduler.start();
    }
}
