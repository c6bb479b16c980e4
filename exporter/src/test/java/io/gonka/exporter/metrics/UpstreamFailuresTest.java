package io.gonka.exporter.metrics;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import io.gonka.exporter.support.Fixtures;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.LogCapture;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.TestConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each way an upstream misbehaves: the exporter keeps going, says what happened through
 * gonka_source_up / gonka_source_errors_total and one log line, and never serves a made-up or
 * stale value.
 */
class UpstreamFailuresTest {
    WireMockServer node;
    Harness h;
    LogCapture logs;

    @BeforeEach
    void start() {
        node = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort().jettyAcceptors(1).containerThreads(8));
        node.start();
        serveGoodChain();
        TestConfig cfg = TestConfig.allAt(node.baseUrl());
        cfg.timeout = Duration.ofMillis(400);
        cfg.maxBodyBytes = 64 * 1024;
        h = new Harness(cfg);
        logs = new LogCapture();
    }

    void serveGoodChain() {
        node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json"))));
        node.stubFor(get("/net_info").willReturn(okJson(Fixtures.text("tendermint-net-info.json"))));
        node.stubFor(get("/admin/v1/nodes").willReturn(okJson(Fixtures.text("admin-nodes.json"))));
    }

    @AfterEach
    void stop() {
        logs.close();
        h.close();
        node.stop();
    }

    MetricSamples pollStatus() throws Exception {
        h.scheduler.pollOnce(h.sources.rpcStatus).get();
        return h.scrape();
    }

    double errors(MetricSamples m, String source, String reason) {
        return m.value("gonka_source_errors_total", "source", source, "reason", reason);
    }

    @Test
    void http5xxKeepsFreshValuesUntilTheirMaxAgeThenDropsThem() throws Exception {
        MetricSamples good = pollStatus();
        assertEquals(1, good.value("gonka_source_up", "source", "rpc_status"));
        assertEquals(4141873, good.value("gonka_chain_block_height"));

        node.stubFor(get("/status").willReturn(serverError().withBody("{\"error\":\"boom\"}")));
        h.clock.advance(Duration.ofSeconds(5));
        MetricSamples failing = pollStatus();
        assertEquals(0, failing.value("gonka_source_up", "source", "rpc_status"));
        assertEquals(1, errors(failing, "rpc_status", "http"));
        assertEquals(4141873, failing.value("gonka_chain_block_height"), "10 s old data is within the 15 s max age");

        h.clock.advance(Duration.ofSeconds(11)); // last good poll is now 16 s old: past 3 x 5 s
        MetricSamples stale = pollStatus();
        assertFalse(stale.has("gonka_chain_block_height"), "stale data is not served as if fresh");
        assertFalse(stale.has("gonka_chain_catching_up"));
        assertEquals(2, errors(stale, "rpc_status", "http"));
        assertTrue(stale.has("gonka_source_last_success_timestamp_seconds", "source", "rpc_status"), "still says when it last worked");

        node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json"))));
        MetricSamples recovered = pollStatus();
        assertEquals(1, recovered.value("gonka_source_up", "source", "rpc_status"));
        assertEquals(4141873, recovered.value("gonka_chain_block_height"));

        assertEquals(1, logs.count("source rpc_status: poll failed: http: HTTP 500"), logs.all());
        assertEquals(1, logs.count("source rpc_status: recovered"), logs.all());
    }

    @Test
    void aHangingUpstreamTimesOutAndNeverBlocksAScrape() throws Exception {
        pollStatus();
        node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json")).withFixedDelay(3000)));
        CompletableFuture<Void> poll = h.scheduler.pollOnce(h.sources.rpcStatus);
        MetricSamples during = h.scrape(); // a scrape while the poll hangs reads cached state
        assertFalse(poll.isDone(), "the poll is still waiting on the upstream");
        assertEquals(4141873, during.value("gonka_chain_block_height"));
        poll.get();
        MetricSamples after = h.scrape();
        assertEquals(1, errors(after, "rpc_status", "timeout"));
        assertEquals(0, after.value("gonka_source_up", "source", "rpc_status"));
    }

    @Test
    void aSlowDripIsCutOffAtTheDeadline() throws Exception {
        node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json")).withChunkedDribbleDelay(40, 4000)));
        MetricSamples m = pollStatus();
        assertEquals(1, errors(m, "rpc_status", "timeout"));
        assertFalse(m.has("gonka_chain_block_height"));
        assertTrue(m.value("gonka_source_poll_duration_seconds", "source", "rpc_status") < 4.0,
                "the poll ended at the deadline, not when the drip did");
    }

    @Test
    void connectionRefused() throws Exception {
        h.close();
        TestConfig cfg = TestConfig.allAt("http://127.0.0.1:1");
        h = new Harness(cfg);
        MetricSamples m = pollStatus();
        assertEquals(1, errors(m, "rpc_status", "connect"));
        assertEquals(0, m.value("gonka_source_up", "source", "rpc_status"));
        assertTrue(logs.all().contains("source rpc_status: poll failed: connect: cannot reach http://127.0.0.1:1/status"), logs.all());
    }

    @Test
    void malformedTruncatedAndResetBodies() throws Exception {
        node.stubFor(get("/status").willReturn(okJson("{\"jsonrpc\":\"2.0\",\"result\":{\"sync_info\":{")));
        assertEquals(1, errors(pollStatus(), "rpc_status", "parse"));
        byte[] full = Fixtures.bytes("tendermint-status.json");
        node.stubFor(get("/status").willReturn(aResponse().withStatus(200).withBody(java.util.Arrays.copyOf(full, full.length / 2))));
        assertEquals(2, errors(pollStatus(), "rpc_status", "parse"));
        node.stubFor(get("/status").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertEquals(1, errors(pollStatus(), "rpc_status", "connect"));
        node.stubFor(get("/status").willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        MetricSamples m = pollStatus();
        assertEquals(4, errors(m, "rpc_status", "parse") + errors(m, "rpc_status", "connect"),
                "a broken chunk is a parse or connection failure: " + m.all("gonka_source_errors_total", "source", "rpc_status"));
        assertFalse(m.has("gonka_chain_block_height"));
    }

    @Test
    void anOversizedBodyIsRejectedWhileStreaming() throws Exception {
        String huge = "{\"jsonrpc\":\"2.0\",\"result\":{\"pad\":\"" + "x".repeat(200 * 1024) + "\"}}";
        node.stubFor(get("/status").willReturn(okJson(huge)));
        MetricSamples m = pollStatus();
        assertEquals(1, errors(m, "rpc_status", "parse"));
        assertTrue(logs.all().contains("body larger than 65536 bytes"), logs.all());
    }

    @Test
    void nullsAndWrongTypesAreParseErrorsNotZeros() throws Exception {
        node.stubFor(get("/status").willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":null}")));
        MetricSamples m = pollStatus();
        assertEquals(1, errors(m, "rpc_status", "parse"));
        node.stubFor(get("/status").willReturn(okJson(
                Fixtures.text("tendermint-status.json").replace("\"4141873\"", "{\"height\":4141873}"))));
        m = pollStatus();
        assertEquals(2, errors(m, "rpc_status", "parse"));
        assertFalse(m.has("gonka_chain_block_height"));
        assertTrue(logs.all().contains("latest_block_height: expected an integer, got object"), logs.all());
    }

    @Test
    void unknownEnumsBecomeUnknownAndDoNotFailThePoll() throws Exception {
        node.stubFor(get("/admin/v1/nodes").willReturn(okJson(Fixtures.text("admin-nodes.json")
                .replace("\"current_status\": \"FAILED\"", "\"current_status\": \"WEIRD\"")
                .replace("\"poc_current_status\": \"GENERATING\"", "\"poc_current_status\": \"MIXED\""))));
        h.scheduler.pollOnce(h.sources.adminNodes).get();
        MetricSamples m = h.scrape();
        assertEquals(1, m.value("gonka_source_up", "source", "admin_nodes"));
        assertEquals(1, m.value("gonka_mlnode_status", "node_id", "node3", "status", "UNKNOWN"));
        assertEquals(0, m.value("gonka_mlnode_status", "node_id", "node3", "status", "FAILED"));
        assertEquals(1, m.value("gonka_mlnode_poc_status", "node_id", "node2", "status", "UNKNOWN"));
        assertEquals(0, m.value("gonka_mlnode_poc_status", "node_id", "node2", "status", "GENERATING"));
    }

    @Test
    void anOlderBuildWithoutConfigAndReportIsUnsupportedNotFailing() throws Exception {
        node.stubFor(get("/admin/v1/config").willReturn(aResponse().withStatus(404).withBody("404 page not found")));
        node.stubFor(get("/admin/v1/setup/report").willReturn(aResponse().withStatus(404).withBody("{\"error\":\"Not Found\"}")));
        node.stubFor(get("/admin/v1/nodes").willReturn(okJson(Fixtures.text("admin-nodes.v2025-08.json"))));
        for (int i = 0; i < 3; i++) {
            h.scheduler.pollOnce(h.sources.adminConfig).get();
            h.scheduler.pollOnce(h.sources.setupReport).get();
        }
        h.scheduler.pollOnce(h.sources.adminNodes).get();
        MetricSamples m = h.scrape();
        for (String source : new String[] {"admin_config", "setup_report"}) {
            assertFalse(m.has("gonka_source_up", "source", source), source);
            assertEquals(1, m.value("gonka_source_unsupported", "source", source));
            for (String reason : new String[] {"http", "parse", "connect", "timeout"}) {
                assertEquals(0, errors(m, source, reason));
            }
            assertEquals(1, logs.count("source " + source + ": not supported by this node"), logs.all());
        }
        assertEquals(1, m.value("gonka_source_up", "source", "admin_nodes"));
        assertEquals(1310, m.value("gonka_mlnode_poc_weight", "node_id", "node1", "model", "Qwen/QwQ-32B"));
        assertFalse(m.has("gonka_participant_reward_claimed"));
        assertFalse(m.has("gonka_setup_check_passed"));
    }

    @Test
    void aFlappingUpstreamIsCountedEachTimeButLoggedPerChange() throws Exception {
        for (int i = 0; i < 6; i++) {
            if (i % 2 == 0) {
                node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json"))));
            } else {
                node.stubFor(get("/status").willReturn(serviceUnavailable()));
            }
            MetricSamples m = pollStatus();
            assertEquals(i % 2 == 0 ? 1 : 0, m.value("gonka_source_up", "source", "rpc_status"), "poll " + i);
        }
        assertEquals(3, errors(h.scrape(), "rpc_status", "http"));
        assertEquals(3, logs.count("source rpc_status: poll failed"), logs.all());
    }

    @Test
    void withoutAnyNodeEverySourceIsDownAndScrapesStillWork() throws Exception {
        h.close();
        h = new Harness(TestConfig.allAt("http://127.0.0.1:1"));
        MetricSamples m = h.pollTwice().scrape();
        for (String source : new String[] {"admin_nodes", "admin_config", "setup_report", "rpc_status", "rpc_net_info", "epoch",
                "participants", "participant_stats", "mlnode_health"}) {
            assertEquals(0, m.value("gonka_source_up", "source", source), source);
        }
        assertFalse(m.has("gonka_chain_block_height"));
        assertFalse(m.has("gonka_mlnode_status"));
        assertFalse(m.has("gonka_participant_weight"));
        assertTrue(logs.all().contains("source participant_stats: waiting: participant address not known yet"), logs.all());
        io.gonka.exporter.support.Promtool.checkMetrics(m.text());
    }
}
