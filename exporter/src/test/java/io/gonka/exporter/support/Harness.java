package io.gonka.exporter.support;

import io.gonka.exporter.config.ExporterConfig;
import io.gonka.exporter.metrics.GonkaCollector;
import io.gonka.exporter.sources.GonkaSources;
import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.upstream.UpstreamClient;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The exporter's core (client, sources, scheduler, collector) wired as production wires it, but
 * driven by hand: tests poll when they want and move a clock instead of waiting.
 */
public final class Harness implements AutoCloseable {
    public final ExporterConfig config;
    public final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    public final Vertx vertx = Vertx.vertx();
    public final UpstreamClient client;
    public final SourceScheduler scheduler;
    public final GonkaSources sources;
    public final GonkaCollector collector;

    public Harness(TestConfig cfg) {
        this.config = cfg.build();
        this.client = new UpstreamClient(vertx, config.timeout(), config.maxBodyBytes(), 8);
        this.scheduler = new SourceScheduler(clock, config.timeout());
        this.sources = new GonkaSources(config, cfg.collectors, client, scheduler, clock);
        this.collector = new GonkaCollector(config, scheduler, sources, clock, "test");
    }

    /** Polls every source once; run twice so sources that need others' data see it. */
    public Harness pollAll() {
        try {
            scheduler.pollAllOnce().get(60, TimeUnit.SECONDS);
            return this;
        } catch (Exception e) {
            throw new AssertionError("poll did not finish", e);
        }
    }

    public Harness pollTwice() {
        return pollAll().pollAll();
    }

    public String scrapeText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, collector.collect());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    public MetricSamples scrape() {
        return new MetricSamples(scrapeText());
    }

    @Override
    public void close() {
        scheduler.close();
        sources.close();
        client.close();
        vertx.close();
    }
}
