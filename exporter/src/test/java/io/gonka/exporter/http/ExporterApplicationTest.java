package io.gonka.exporter.http;

import io.gonka.exporter.polling.SourceScheduler;
import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.MetricSamples;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real Micronaut application on a machine with no Gonka node at all. */
class ExporterApplicationTest {
    static EmbeddedServer server;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", "-1",
                "gonka.admin-url", "http://127.0.0.1:1",
                "gonka.rpc-url", "http://127.0.0.1:1",
                "gonka.public-url", "http://127.0.0.1:1/",
                "gonka.reference-urls", "http://127.0.0.1:1,http://127.0.0.1:2",
                "gonka.interval-rpc-status", "2s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMetricsWithEverySourceDown() throws Exception {
        SourceScheduler scheduler = server.getApplicationContext().getBean(SourceScheduler.class);
        scheduler.pollAllOnce().get();
        HttpResponse<String> r = get("/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        MetricSamples m = new MetricSamples(r.body());
        assertEquals(0, m.value("gonka_source_up", "source", "rpc_status"));
        assertEquals(0, m.value("gonka_source_up", "source", "reference_heights"));
        assertTrue(m.value("gonka_source_errors_total", "source", "reference_heights", "reason", "connect") >= 1);
        assertFalse(m.has("gonka_chain_block_height"));
        io.gonka.exporter.support.Promtool.checkMetrics(r.body());
    }

    @Test
    void negotiatesOpenMetrics() throws Exception {
        HttpResponse<String> r = get("/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(r.body().endsWith("# EOF\n"));
    }

    @Test
    void answersWhatPrometheusAsksFor() throws Exception {
        HttpResponse<String> r = get("/metrics",
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("gonka_source_up"));
    }

    @Test
    void healthAndReadiness() throws Exception {
        assertEquals(200, get("/health/liveness", null).statusCode());
        server.getApplicationContext().getBean(SourceScheduler.class).pollAllOnce().get();
        HttpResponse<String> ready = get("/health/readiness", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("UP"));
        assertEquals(200, get("/health", null).statusCode());
    }

    @Test
    void configurationBindsFromProperties() {
        var cfg = server.getApplicationContext().getBean(io.gonka.exporter.config.ExporterConfig.class);
        assertEquals(Duration.ofSeconds(2), cfg.intervalRpcStatus());
        assertEquals(Duration.ofSeconds(10), cfg.intervalAdminNodes(), "default");
        assertEquals(Duration.ofSeconds(5), cfg.timeout(), "default");
        assertEquals(33554432L, cfg.maxBodyBytes());
        assertEquals(java.util.List.of("http://127.0.0.1:1", "http://127.0.0.1:2"), cfg.referenceUrlsOrEmpty());
        assertTrue(cfg.enabled());
        assertFalse(cfg.networkSeries());
    }
}
