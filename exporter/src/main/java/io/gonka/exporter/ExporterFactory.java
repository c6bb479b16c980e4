package io.gonka.exporter;

import io.gonka.exporter.config.CollectorsConfig;
import io.gonka.exporter.config.ExporterConfig;
import io.gonka.exporter.metrics.GonkaCollector;
import io.gonka.exporter.metrics.Prerenderer;
import io.gonka.exporter.sources.GonkaSources;
import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.upstream.UpstreamClient;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires the data flow: upstream client -> sources -> scheduler -> collector -> registry. */
@Factory
public class ExporterFactory {

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    @Bean(preDestroy = "close")
    Vertx vertx() {
        // A sidecar: one event loop is plenty for a few dozen requests a second.
        // No class-path file resolving or caching: Vert.x would otherwise create a vertx-cache
        // directory under java.io.tmpdir and fail on a read-only root filesystem.
        return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setInternalBlockingPoolSize(2)
                .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
    }

    @Singleton
    @Bean(preDestroy = "close")
    UpstreamClient upstreamClient(Vertx vertx, ExporterConfig config) {
        return new UpstreamClient(vertx, config.timeout(), config.maxBodyBytes(), Math.max(4, config.mlnodeConcurrency()));
    }

    @Singleton
    @Bean(preDestroy = "close")
    SourceScheduler sourceScheduler(Clock clock, ExporterConfig config) {
        return new SourceScheduler(clock, config.timeout());
    }

    @Singleton
    @Bean(preDestroy = "close")
    GonkaSources gonkaSources(ExporterConfig config, CollectorsConfig collectors, UpstreamClient client, SourceScheduler scheduler, Clock clock) {
        return new GonkaSources(config, collectors, client, scheduler, clock);
    }

    @Singleton
    GonkaCollector gonkaCollector(ExporterConfig config, SourceScheduler scheduler, GonkaSources sources, Clock clock) {
        return new GonkaCollector(config, scheduler, sources, clock, BuildInfo.current());
    }

    /**
     * Collectors whose values change between polls, rendered afresh at every scrape after the
     * GonkaCollector's cached exposition (which is therefore not registered here).
     */
    @Singleton
    PrometheusRegistry registry() {
        PrometheusRegistry registry = new PrometheusRegistry();
        // jvm_* and process_*: read from the JVM's MXBeans at scrape time, no polling of their own
        JvmMetrics.builder().register(registry);
        return registry;
    }

    /** Renders what a finished poll changed on a thread of its own, so that scrapes find it done. */
    @Context
    @Bean(preDestroy = "close")
    Prerenderer prerenderer(GonkaCollector collector, SourceScheduler scheduler) {
        Prerenderer p = new Prerenderer(collector::prerender);
        scheduler.onPollFinished(p::request);
        return p;
    }
}
