package io.gonka.exporter.sources;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.gonka.exporter.support.Fixtures;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Polling the ML nodes' own health and GPU routes, however they are registered and however they answer. */
class MlNodeHealthTest {
    WireMockServer admin;
    WireMockServer plain;   // registered as host + poc_port
    WireMockServer proxied; // registered with a scheme, like a RunPod proxy
    Harness h;

    static WireMockServer server(String address) {
        WireMockServer s = new WireMockServer(WireMockConfiguration.options().bindAddress(address).dynamicPort().containerThreads(8));
        s.start();
        return s;
    }

    static String node(String id, String host, int port) {
        return "{\"node\":{\"id\":\"" + id + "\",\"host\":\"" + host + "\",\"poc_port\":" + port + ",\"poc_segment\":\"\"},"
                + "\"state\":{\"intended_status\":\"INFERENCE\",\"current_status\":\"INFERENCE\",\"admin_state\":{\"enabled\":true,\"epoch\":1}}}";
    }

    @BeforeEach
    void start() {
        admin = server("127.0.0.1");
        plain = server("127.0.0.41");
        proxied = server("127.0.0.42");
        admin.stubFor(get("/admin/v1/config").willReturn(okJson("{\"current_node_version\":\"v3.0.13\"}")));
        TestConfig cfg = TestConfig.allAt(admin.baseUrl());
        cfg.timeout = Duration.ofMillis(800);
        h = new Harness(cfg);
    }

    @AfterEach
    void stop() {
        h.close();
        admin.stop();
        plain.stop();
        proxied.stop();
    }

    void register(String... nodes) {
        admin.stubFor(get("/admin/v1/nodes").willReturn(okJson("[" + String.join(",", nodes) + "]")));
    }

    MetricSamples poll() throws Exception {
        h.scheduler.pollOnce(h.sources.adminConfig).get();
        h.scheduler.pollOnce(h.sources.adminNodes).get();
        h.scheduler.pollOnce(h.sources.mlNodeHealth).get();
        return h.scrape();
    }

    @Test
    void healthIsAskedOncePerDetailIntervalAndStateInBetween() throws Exception {
        h.close();
        TestConfig cfg = TestConfig.allAt(admin.baseUrl());
        cfg.mlnodeDetailInterval = Duration.ofSeconds(60);
        h = new Harness(cfg);
        register(node("n", "127.0.0.41", plain.port()));
        plain.stubFor(get("/v3.0.13/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        plain.stubFor(get("/v3.0.13/api/v1/state").willReturn(okJson(Fixtures.text("mlnode-state.json"))));
        MetricSamples first = poll();
        assertEquals(1, first.value("gonka_mlnode_healthy", "node_id", "n"));
        for (int i = 0; i < 3; i++) {
            h.clock.advance(Duration.ofSeconds(15));
            MetricSamples between = poll();
            assertEquals(1, between.value("gonka_mlnode_up", "node_id", "n"));
            assertEquals(1, between.value("gonka_mlnode_healthy", "node_id", "n"), "the last verdict stays");
            assertEquals(2, between.all("gonka_mlnode_gpu_available", "node_id", "n").size(), "and the GPU list");
        }
        plain.verify(1, getRequestedFor(urlEqualTo("/v3.0.13/health")));
        plain.verify(3, getRequestedFor(urlEqualTo("/v3.0.13/api/v1/state")));
        h.clock.advance(Duration.ofSeconds(15)); // 60 s after the first /health
        poll();
        plain.verify(2, getRequestedFor(urlEqualTo("/v3.0.13/health")));

        // the node goes away: the cheap route notices within one interval
        plain.stubFor(get("/v3.0.13/api/v1/state").willReturn(aResponse().withStatus(502)));
        h.clock.advance(Duration.ofSeconds(15));
        assertEquals(0, poll().value("gonka_mlnode_up", "node_id", "n"));
    }

    @Test
    void anMlNodeWithoutHealthIsPolledThroughStateAndIsNotDown() throws Exception {
        register(node("old", "127.0.0.41", plain.port()));
        plain.stubFor(get("/v3.0.13/api/v1/state").willReturn(okJson(Fixtures.text("mlnode-state.v2025-08.json"))));
        MetricSamples m = poll(); // /health: WireMock's 404
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "old"));
        assertFalse(m.has("gonka_mlnode_healthy", "node_id", "old"), "no health verdict without /health");
        plain.verify(1, getRequestedFor(urlEqualTo("/v3.0.13/health")));
        // once upgraded, /health is used again
        plain.stubFor(get("/v3.0.13/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        h.clock.advance(Duration.ofSeconds(15));
        assertEquals(1, poll().value("gonka_mlnode_healthy", "node_id", "old"));
    }

    @Test
    void aSchemeHostIsUsedAsItIsAndTheVersionPrefixComesFromConfig() throws Exception {
        register(node("runpod", "http://127.0.0.42:" + proxied.port() + "/", 8080), node("plain", "127.0.0.41", plain.port()));
        proxied.stubFor(get("/v3.0.13/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        plain.stubFor(get("/v3.0.13/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        MetricSamples m = poll();
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "runpod"));
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "plain"));
        assertEquals(2, m.all("gonka_mlnode_gpu_available", "node_id", "runpod").size());
        proxied.verify(1, getRequestedFor(urlEqualTo("/v3.0.13/health")));
        proxied.verify(0, getRequestedFor(urlMatching(".*/api/v1/gpu/devices")));
    }

    @Test
    void anUnhealthy503StillCarriesItsBody() throws Exception {
        register(node("sick", "127.0.0.41", plain.port()));
        plain.stubFor(get("/v3.0.13/health").willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.text("edge/mlnode-health.unhealthy.json"))));
        MetricSamples m = poll();
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "sick"), "it answered");
        assertEquals(0, m.value("gonka_mlnode_healthy", "node_id", "sick"));
        assertFalse(m.has("gonka_mlnode_gpu_available", "node_id", "sick"), "it reports no GPU");
    }

    @Test
    void aSignedGpuRouteIsAskedOnceThenLeftAlone() throws Exception {
        register(node("signed", "127.0.0.41", plain.port()));
        plain.stubFor(get("/v3.0.13/health").willReturn(okJson("{\"status\":\"healthy\",\"service_state\":\"INFERENCE\",\"gpu\":null}")));
        plain.stubFor(get("/v3.0.13/api/v1/gpu/devices").willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.text("edge/mlnode-403-missing-signature.json"))));
        MetricSamples m = poll();
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "signed"));
        assertEquals(1, m.value("gonka_mlnode_healthy", "node_id", "signed"));
        assertFalse(m.has("gonka_mlnode_gpu_available", "node_id", "signed"));
        poll();
        plain.verify(2, getRequestedFor(urlEqualTo("/v3.0.13/health")));
        plain.verify(1, getRequestedFor(urlEqualTo("/v3.0.13/api/v1/gpu/devices")));
    }

    @Test
    void withoutAVersionThereIsNoPrefix() throws Exception {
        admin.stubFor(get("/admin/v1/config").willReturn(aResponse().withStatus(404)));
        register(node("old", "127.0.0.41", plain.port()));
        plain.stubFor(get("/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        MetricSamples m = poll();
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "old"));
    }

    @Test
    void oneSlowNodeDoesNotHoldBackTheOthers() throws Exception {
        register(node("slow", "127.0.0.41", plain.port()), node("fast", "127.0.0.42", proxied.port()));
        plain.stubFor(get("/v3.0.13/health").willReturn(okJson(Fixtures.text("mlnode-health.json")).withFixedDelay(5000)));
        proxied.stubFor(get("/v3.0.13/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        h.scheduler.pollOnce(h.sources.adminConfig).get();
        h.scheduler.pollOnce(h.sources.adminNodes).get();
        CompletableFuture<Void> sweep = h.scheduler.pollOnce(h.sources.mlNodeHealth);
        // the fast node's answer is published while the slow one is still outstanding
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!h.sources.mlNodeHealth.latest().containsKey("fast") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(sweep.isDone(), "the slow node is still being waited for");
        MetricSamples during = h.scrape();
        assertEquals(1, during.value("gonka_mlnode_up", "node_id", "fast"));
        assertFalse(during.has("gonka_mlnode_up", "node_id", "slow"));
        sweep.get();
        MetricSamples after = h.scrape();
        assertEquals(0, after.value("gonka_mlnode_up", "node_id", "slow"), "timed out");
    }

    @Test
    void requestsInFlightAreBounded() throws Exception {
        h.close();
        TestConfig cfg = TestConfig.allAt(admin.baseUrl());
        cfg.mlnodeConcurrency = 2;
        h = new Harness(cfg);
        // A node server that counts how many requests it holds at once.
        java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger max = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger total = new java.util.concurrent.atomic.AtomicInteger();
        byte[] body = Fixtures.bytes("mlnode-health.json");
        com.sun.net.httpserver.HttpServer counting = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.43", 0), 16);
        counting.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        counting.createContext("/", ex -> {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
            total.incrementAndGet();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        counting.start();
        try {
            String[] nodes = new String[6];
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = node("n" + i, "127.0.0.43", counting.getAddress().getPort());
            }
            register(nodes);
            MetricSamples m = poll();
            assertEquals(6, total.get(), "one request per node");
            assertEquals(2, max.get(), "two in flight at most, and the limit was reached");
            assertEquals(6, m.all("gonka_mlnode_up").size());
        } finally {
            counting.stop(0);
        }
    }
}
