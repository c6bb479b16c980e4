package io.gonka.exporter.metrics;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.gonka.exporter.upstream.JsonFields;
import io.gonka.exporter.support.Fixtures;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.Promtool;
import io.gonka.exporter.support.TestConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A standard 2026 node served by WireMock from the fixture payloads: every metric of the contract
 * (except the GPU sections) with the value the examples imply.
 */
class StandardNodeTest {
    static final String ADDRESS = "gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch";
    static final String MODEL = "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8";
    static final String CHAIN = "/chain-api/productscience/inference/inference";

    WireMockServer node;
    WireMockServer reference;
    WireMockServer mlnode1;
    WireMockServer mlnode2;
    Harness h;

    static WireMockServer server(String address) {
        WireMockServer s = new WireMockServer(WireMockConfiguration.options().bindAddress(address).dynamicPort()
                .disableRequestJournal().jettyAcceptors(1).containerThreads(8));
        s.start();
        return s;
    }

    /** admin-nodes.json with node1/node2 pointed at their WireMock servers; node3 keeps a port nobody listens on. */
    String adminNodes(boolean withNode3) throws Exception {
        ArrayNode nodes = (ArrayNode) JsonFields.MAPPER.readTree(Fixtures.bytes("admin-nodes.json"));
        ((ObjectNode) nodes.get(0).get("node")).put("poc_port", mlnode1.port());
        ((ObjectNode) nodes.get(1).get("node")).put("host", "127.0.3.21").put("poc_port", mlnode2.port());
        ((ObjectNode) nodes.get(2).get("node")).put("poc_port", 1);
        if (!withNode3) {
            nodes.remove(2);
        }
        return JsonFields.MAPPER.writeValueAsString(nodes);
    }

    @BeforeEach
    void start() throws Exception {
        node = server("127.0.0.1");
        reference = server("127.0.0.1");
        mlnode1 = server("127.0.0.11");
        mlnode2 = server("127.0.3.21");
        node.stubFor(get("/admin/v1/nodes").willReturn(okJson(adminNodes(true))));
        node.stubFor(get("/admin/v1/config").willReturn(okJson(Fixtures.text("admin-config.json"))));
        node.stubFor(get("/admin/v1/setup/report").willReturn(okJson(Fixtures.text("admin-setup-report.json"))));
        node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json"))));
        node.stubFor(get("/net_info").willReturn(okJson(Fixtures.text("tendermint-net-info.json"))));
        node.stubFor(get("/abci_info").willReturn(okJson(Fixtures.text("tendermint-abci-info.json"))));
        node.stubFor(get(urlPathEqualTo("/abci_query")).withQueryParam("path", equalTo("\"/inference.inference.Query/Params\""))
                .willReturn(okJson(Fixtures.text("tendermint-abci-query-params.json"))));
        node.stubFor(get("/v1/epochs/latest").willReturn(okJson(Fixtures.text("public-epochs-latest.json"))));
        node.stubFor(get("/v1/epochs/current/participants").willReturn(okJson(Fixtures.text("public-epoch-participants.json"))));
        node.stubFor(get(CHAIN + "/participant/" + ADDRESS).willReturn(okJson(Fixtures.text("chain-participant.json"))));
        node.stubFor(get(CHAIN + "/params").willReturn(okJson(Fixtures.text("chain-epoch-info.json"))));
        reference.stubFor(get("/status").willReturn(okJson(
                Fixtures.text("tendermint-status.json").replace("\"4141873\"", "\"4141900\""))));
        mlnode1.stubFor(get("/v3.0.12/health").willReturn(okJson(Fixtures.text("mlnode-health.json"))));
        // node2's health body has no device list, so the exporter asks its GPU route.
        mlnode2.stubFor(get("/v3.0.12/health").willReturn(okJson("{\"status\":\"healthy\",\"service_state\":\"INFERENCE\"}")));
        mlnode2.stubFor(get("/v3.0.12/api/v1/gpu/devices").willReturn(okJson(Fixtures.text("mlnode-gpu-devices.json"))));

        TestConfig cfg = TestConfig.allAt(node.baseUrl());
        cfg.referenceUrls = List.of(reference.baseUrl(), "http://127.0.0.1:1");
        h = new Harness(cfg);
    }

    @AfterEach
    void stop() {
        h.close();
        for (WireMockServer s : List.of(node, reference, mlnode1, mlnode2)) {
            s.stop();
        }
    }

    @Test
    void everyMetricHasTheValueTheExamplesImply() throws Exception {
        MetricSamples m = h.pollTwice().scrape();

        for (String source : List.of("admin_nodes", "admin_config", "setup_report", "rpc_status", "rpc_net_info",
                "reference_heights", "epoch", "participants", "participant_stats", "chain_params", "mlnode_health")) {
            assertEquals(1, m.value("gonka_source_up", "source", source), source);
            assertEquals(0, m.value("gonka_source_errors_total", "source", source, "reason", "http"), source);
            assertEquals(Instant.parse("2026-11-22T10:00:00Z").getEpochSecond(),
                    m.value("gonka_source_last_success_timestamp_seconds", "source", source), source);
            assertTrue(m.value("gonka_source_poll_duration_seconds", "source", source) >= 0);
        }
        assertEquals(1, m.value("gonka_exporter_build_info", "version", "test"));

        // chain
        assertEquals(4141873, m.value("gonka_chain_block_height"));
        assertEquals(Instant.parse("2026-05-11T14:05:06.114529003Z").toEpochMilli() / 1000.0,
                m.value("gonka_chain_latest_block_timestamp_seconds"), 1e-3);
        assertEquals(0, m.value("gonka_chain_catching_up"));
        assertEquals(2, m.value("gonka_chain_peers"));
        assertEquals(4141900, m.value("gonka_chain_reference_block_height"), "the one reference that answered");
        assertEquals(27, m.value("gonka_chain_block_lag_blocks"));

        // epoch and network
        assertEquals(268, m.value("gonka_epoch_index"));
        assertEquals(1, m.value("gonka_epoch_phase", "phase", "Inference"));
        for (String p : List.of("PoCGenerate", "PoCGenerateWindDown", "PoCValidate", "PoCValidateWindDown")) {
            assertEquals(0, m.value("gonka_epoch_phase", "phase", p));
        }
        assertEquals(4151891, m.value("gonka_epoch_next_poc_start_block_height"));
        assertEquals(10018, m.value("gonka_epoch_blocks_until_next_poc"));
        assertEquals(5, m.value("gonka_network_participants"));
        assertEquals(492000, m.value("gonka_network_weight"));
        assertFalse(m.has("gonka_network_participant_weight"), "opt-in");

        // the node's own view
        assertEquals(2, m.value("gonka_api_block_processing_lag_blocks"));
        assertFalse(m.has("gonka_chain_upgrade_plan_height"), "no upgrade planned");
        assertEquals(1, m.value("gonka_setup_check_passed", "check", "cold_key_configured"));
        assertEquals(0, m.value("gonka_setup_check_passed", "check", "mlnode_node3"));
        assertEquals(13, m.all("gonka_setup_check_passed").size());

        // this participant (address detected from the setup report's cold key)
        assertEquals(1, m.value("gonka_participant_info", "participant", ADDRESS));
        assertEquals(58351, m.value("gonka_participant_weight"));
        assertEquals(58351.0 / 492000.0, m.value("gonka_participant_weight_ratio"), 1e-12);
        assertEquals(1452, m.value("gonka_participant_completed_inferences"));
        assertEquals(48, m.value("gonka_participant_missed_requests"));
        assertEquals(0.032, m.value("gonka_participant_miss_rate"), 1e-12);
        assertFalse(m.has("gonka_participant_miss_rate_threshold"), "replaced by gonka_participant_miss_test_p0");
        // the chain's own test (v0.2.13: dynamic p0, governance part 0.40 from abci_query): n = 1500 > 990, 2/5 of n pass
        assertEquals(1500, m.value("gonka_participant_miss_test_requests"));
        assertEquals(600, m.value("gonka_participant_miss_test_allowed_misses"));
        assertEquals(0, m.value("gonka_participant_miss_test_failing"));
        assertEquals(0.4, m.value("gonka_participant_miss_test_p0", "source", "governance"), 1e-12);
        assertEquals(1, m.all("gonka_participant_miss_test_p0").size());
        assertFalse(m.has("gonka_participant_miss_test_projected_failing"), "no pace yet: one height seen");
        assertEquals(311, m.value("gonka_participant_validated_inferences"));
        assertEquals(2, m.value("gonka_participant_invalidated_inferences"));
        assertEquals(1452000, m.value("gonka_participant_earned_coins"));
        assertEquals(1, m.value("gonka_participant_status", "status", "ACTIVE"));
        assertEquals(0, m.value("gonka_participant_status", "status", "INACTIVE"));
        assertEquals(1, m.value("gonka_participant_reward_claimed", "epoch", "267"));

        // ML nodes from the admin API
        assertEquals(1, m.value("gonka_mlnode_info", "node_id", "node1", "host", "127.0.0.11", "version", "3.0.12"));
        assertEquals(1, m.value("gonka_mlnode_status", "node_id", "node3", "status", "FAILED"));
        assertEquals(0, m.value("gonka_mlnode_status", "node_id", "node3", "status", "INFERENCE"));
        assertEquals(6, m.all("gonka_mlnode_status", "node_id", "node3").size());
        assertEquals(1, m.value("gonka_mlnode_intended_status", "node_id", "node3", "status", "INFERENCE"));
        assertEquals(1, m.value("gonka_mlnode_status_mismatch", "node_id", "node3"));
        assertEquals(0, m.value("gonka_mlnode_status_mismatch", "node_id", "node1"));
        assertEquals(1, m.value("gonka_mlnode_poc_status", "node_id", "node2", "status", "GENERATING"));
        assertEquals(1, m.value("gonka_mlnode_enabled", "node_id", "node3"));
        assertEquals(18234, m.value("gonka_mlnode_poc_weight", "node_id", "node1", "model", MODEL));
        assertEquals(40117, m.value("gonka_mlnode_poc_weight", "node_id", "node2", "model", MODEL));
        assertFalse(m.has("gonka_mlnode_poc_weight", "node_id", "node3"), "node3 has no epoch_ml_nodes entry");
        assertEquals(1, m.value("gonka_mlnode_poc_slot", "node_id", "node1", "model", MODEL));
        assertEquals(0, m.value("gonka_mlnode_poc_slot", "node_id", "node2", "model", MODEL));
        assertEquals(Instant.parse("2026-05-11T12:41:07.550031998Z").toEpochMilli() / 1000.0,
                m.value("gonka_mlnode_status_timestamp_seconds", "node_id", "node3"), 1e-3);

        // ML nodes' own health and GPUs
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "node1"));
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "node2"));
        assertEquals(0, m.value("gonka_mlnode_up", "node_id", "node3"), "nothing listens on its port");
        assertEquals(0.74, m.value("gonka_mlnode_gpu_utilization_ratio", "node_id", "node1", "gpu", "0"), 1e-12);
        assertEquals(134661 * 1048576.0, m.value("gonka_mlnode_gpu_memory_used_bytes", "node_id", "node1", "gpu", "1"));
        assertEquals(143771 * 1048576.0, m.value("gonka_mlnode_gpu_memory_total_bytes", "node_id", "node1", "gpu", "1"));
        assertEquals(53, m.value("gonka_mlnode_gpu_temperature_celsius", "node_id", "node1", "gpu", "1"));
        assertEquals(1, m.value("gonka_mlnode_gpu_available", "node_id", "node1", "gpu", "0"));
        assertEquals(4, m.all("gonka_mlnode_gpu_available", "node_id", "node2").size(), "from the GPU route");
        assertEquals(66, m.value("gonka_mlnode_gpu_temperature_celsius", "node_id", "node2", "gpu", "3"));
        assertFalse(m.has("gonka_mlnode_gpu_available", "node_id", "node3"));

        Promtool.checkMetrics(m.text());
    }

    @Test
    void aRemovedMlNodeDisappearsFromTheNextScrape() throws Exception {
        MetricSamples before = h.pollTwice().scrape();
        assertTrue(before.has("gonka_mlnode_status", "node_id", "node3"));
        node.stubFor(get("/admin/v1/nodes").willReturn(okJson(adminNodes(false))));
        MetricSamples after = h.pollTwice().scrape();
        for (String family : List.of("gonka_mlnode_info", "gonka_mlnode_status", "gonka_mlnode_intended_status",
                "gonka_mlnode_status_mismatch", "gonka_mlnode_poc_status", "gonka_mlnode_enabled", "gonka_mlnode_up",
                "gonka_mlnode_status_timestamp_seconds")) {
            assertFalse(after.has(family, "node_id", "node3"), family);
            assertTrue(after.has(family, "node_id", "node1"), family);
        }
    }

    @Test
    void networkSeriesAreOptIn() throws Exception {
        h.close();
        TestConfig cfg = TestConfig.allAt(node.baseUrl());
        cfg.networkSeries = true;
        cfg.participantAddress = "gonka1rvtnuksqjkp6car0tpuu7ywx2kknxc3qw3zfxq";
        h = new Harness(cfg);
        MetricSamples m = h.pollTwice().scrape();
        assertEquals(5, m.all("gonka_network_participant_weight").size());
        assertEquals(301877, m.value("gonka_network_participant_weight", "participant", "gonka18z5lutm34grmvu2rta5zc573vdqrvtt23umcx2"));
        assertEquals(9120, m.value("gonka_network_mlnode_poc_weight", "participant", "gonka1rvtnuksqjkp6car0tpuu7ywx2kknxc3qw3zfxq",
                "node_id", "gpu-box", "model", MODEL));
        assertEquals(10, m.all("gonka_network_mlnode_poc_weight").size());
        // the configured address wins over detection
        assertEquals(1, m.value("gonka_participant_info", "participant", "gonka1rvtnuksqjkp6car0tpuu7ywx2kknxc3qw3zfxq"));
        assertEquals(9120, m.value("gonka_participant_weight"));
        assertFalse(m.has("gonka_chain_block_lag_blocks"), "no reference nodes configured");
        Promtool.checkMetrics(m.text());
    }

    /**
     * The cached exposition (families re-rendered only where an input changed) is byte for byte
     * what a collector without any cache renders, after polls, node churn and snapshots aging out;
     * and between changes a scrape gets the very same rendering back.
     */
    @Test
    void cachedExpositionEqualsAFreshRenderingAfterEveryChange() throws Exception {
        h.close();
        TestConfig cfg = TestConfig.allAt(node.baseUrl());
        cfg.networkSeries = true;
        cfg.referenceUrls = List.of(reference.baseUrl());
        h = new Harness(cfg);
        var text = io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create();
        var openMetrics = io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter.create();
        h.pollTwice();
        String first = assertSameAsFresh(text, openMetrics);
        assertTrue(sameRendering(h.collector.exposition(text), h.collector.exposition(text)), "nothing changed: the same rendering");
        assertTrue(first.contains("gonka_network_participant_weight{"), first);

        node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json").replace("\"4141873\"", "\"4141880\""))));
        h.clock.advance(java.time.Duration.ofSeconds(5));
        h.scheduler.pollOnce(h.sources.rpcStatus).get();
        String newHeight = assertSameAsFresh(text, openMetrics);
        assertTrue(newHeight.contains("gonka_chain_block_height 4141880"), newHeight);

        node.stubFor(get("/admin/v1/nodes").willReturn(okJson(adminNodes(false))));
        h.scheduler.pollOnce(h.sources.adminNodes).get();
        String churned = assertSameAsFresh(text, openMetrics);
        assertFalse(churned.contains("node_id=\"node3\""), churned);

        // no poll at all, only time: snapshots age past their max age one source after another
        int renderings = 0;
        String aged = "";
        for (int i = 0; i < 20; i++) { // 200 s: past every default max age (3 intervals, 60 s at most)
            List<byte[]> before = h.collector.exposition(text);
            h.clock.advance(java.time.Duration.ofSeconds(10));
            aged = assertSameAsFresh(text, openMetrics);
            renderings += sameRendering(before, h.collector.exposition(text)) ? 0 : 1;
        }
        assertTrue(renderings >= 2, "sources with different max ages expire at different times: " + renderings);
        assertFalse(aged.contains("gonka_chain_block_height "), aged);
        assertFalse(aged.contains("gonka_network_participant_weight{"), aged);
        assertTrue(aged.contains("gonka_source_up{source=\"rpc_status\"} 0"), aged);
        h.pollTwice();
        assertTrue(assertSameAsFresh(text, openMetrics).contains("gonka_network_participant_weight{"));
    }

    /** The same arrays, part for part: no group was rendered again. */
    private static boolean sameRendering(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static String joined(List<byte[]> parts) {
        StringBuilder out = new StringBuilder();
        parts.forEach(p -> out.append(new String(p, java.nio.charset.StandardCharsets.UTF_8)));
        return out.toString();
    }

    private String assertSameAsFresh(io.prometheus.metrics.expositionformats.ExpositionFormatWriter... writers) throws Exception {
        String out = null;
        for (var w : writers) {
            String cached = joined(h.collector.exposition(w));
            GonkaCollector uncached = new GonkaCollector(h.config, h.scheduler, h.sources, h.clock, "test");
            assertEquals(joined(uncached.exposition(w)), cached, w.getContentType());
            assertFalse(cached.contains("# EOF"), "the caller closes an OpenMetrics exposition");
            out = out == null ? cached : out;
        }
        Promtool.checkMetrics(out);
        return out;
    }
}
