package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedGonkaNodeTest {
    private static final String SECRET = "TEST-ONLY-worker-private-7f3a";
    private static final String CHAIN = "/chain-api/productscience/inference/inference/";

    private static SimulatedGonkaNode startStandard() throws IOException {
        SimState state = Scenarios.standard();
        state.setWorkerPrivateKey(SECRET);
        return new SimulatedGonkaNode(state).start();
    }

    private static JsonNode get(SimulatedGonkaNode sim, String path) throws Exception {
        return SimTestClient.json(sim.baseUrl() + path);
    }

    private static JsonNode node(JsonNode nodes, String id) {
        for (JsonNode n : nodes) {
            if (n.at("/node/id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id + " in " + nodes);
    }

    private static JsonNode participant(JsonNode body, String address) {
        for (JsonNode p : body.at("/active_participants/participants")) {
            if (p.get("index").asText().equals(address)) {
                return p;
            }
        }
        throw new AssertionError("no participant " + address);
    }

    // ------------------------------------------------------------------ admin API

    @Test
    void adminNodesShowTheStandardNodesOnTheirOwnLoopbackServers() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            JsonNode nodes = get(sim, "/admin/v1/nodes");
            assertEquals(3, nodes.size());
            JsonNode node1 = node(nodes, "node1");
            JsonNode node2 = node(nodes, "node2");
            JsonNode node3 = node(nodes, "node3");
            assertEquals("INFERENCE", node1.at("/state/current_status").asText());
            assertEquals(18234, node1.at("/state/epoch_ml_nodes/" + Scenarios.MODEL.replace("/", "~1") + "/poc_weight").asLong());
            assertEquals("POC", node2.at("/state/current_status").asText());
            assertEquals(2, node2.at("/state/reconcile_info/status").asInt());
            assertTrue(node2.at("/state/reconcile_info/status").isInt(), "reconcile status is an integer enum");
            assertEquals("FAILED", node3.at("/state/current_status").asText());
            assertEquals("INFERENCE", node3.at("/state/intended_status").asText());
            assertTrue(node3.at("/state/epoch_ml_nodes").isEmpty());
            assertFalse(node3.toString().contains("poc_weight"), "node3 has poc_weight 0, so no key at all");
            assertFalse(node1.at("/state").has("reconcile_info"));

            // The host/poc_port pair is where the node really answers, under the config's version prefix.
            String host = node1.at("/node/host").asText();
            int port = node1.at("/node/poc_port").asInt();
            assertEquals("127.0.0.11", host);
            assertEquals(sim.mlNodePort("node1"), port);
            String version = get(sim, "/admin/v1/config").get("current_node_version").asText();
            HttpResponse<String> health = SimTestClient.get("http://" + host + ":" + port + "/" + version + "/health");
            assertEquals(200, health.statusCode());
            assertEquals(4, Json.MAPPER.readTree(health.body()).at("/gpu/count").asInt());
            assertEquals(4, SimTestClient.json(sim.mlNodeBaseUrl("node1") + "/api/v1/gpu/devices").get("count").asInt());
            assertEquals("127.0.3.21", node2.at("/node/host").asText());
            assertEquals(200, SimTestClient.get(sim.mlNodeBaseUrl("node2") + "/health").statusCode());
        }
    }

    @Test
    void configLeaksTheFakeSecretAndSetupReportDescribesTheNode() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            JsonNode config = get(sim, "/admin/v1/config");
            assertEquals(SECRET, config.at("/ml_node_key_config/worker_private").asText());
            assertEquals(4141873, config.get("current_height").asLong());
            assertEquals(4141871, config.get("last_processed_height").asLong());
            assertTrue(config.at("/previous_seed/claimed").asBoolean());
            assertEquals(267, config.at("/previous_seed/epoch_index").asLong());
            assertEquals(268, config.at("/current_seed/epoch_index").asLong());
            assertEquals("v3.0.12", config.get("current_node_version").asText());
            assertEquals("", config.at("/upgrade_plan/name").asText());
            assertEquals("http://203.0.113.45:8000", config.at("/api/public_url").asText());

            JsonNode report = get(sim, "/admin/v1/setup/report");
            assertEquals("FAIL", report.get("overall_status").asText(), "node3 is down");
            List<String> ids = new ArrayList<>();
            for (JsonNode c : report.get("checks")) {
                ids.add(c.get("id").asText());
                switch (c.get("id").asText()) {
                    case "cold_key_configured" -> assertEquals(Scenarios.OWN_ADDRESS, c.at("/details/address").asText());
                    case "active_in_epoch" -> assertEquals(58351, c.at("/details/weight").asLong());
                    case "missed_requests_threshold" -> assertEquals(3.2, c.at("/details/missed_percentage").asDouble(), 1e-9);
                    case "mlnode_node1" -> {
                        assertEquals("PASS", c.get("status").asText());
                        assertEquals(79.6474609375, c.at("/details/gpus/0/total_memory_gb").asDouble(), 1e-9);
                    }
                    case "mlnode_node3" -> assertEquals("FAIL", c.get("status").asText());
                    case "block_sync" -> assertEquals("PASS", c.get("status").asText());
                    default -> { }
                }
            }
            assertTrue(ids.containsAll(List.of("mlnode_node1", "mlnode_node2", "mlnode_node3", "block_sync")), ids.toString());
            assertEquals(ids.size(), report.at("/summary/total_checks").asInt());
            assertEquals(1, report.at("/summary/failed_checks").asInt());
        }
    }

    // ------------------------------------------------------------------ RPC, public, chain

    @Test
    void rpcPublicAndChainEndpointsServeTheStandardNetwork() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            JsonNode status = get(sim, "/status");
            assertEquals("4141873", status.at("/result/sync_info/latest_block_height").asText());
            assertTrue(status.at("/result/sync_info/latest_block_height").isTextual(), "int64 as string");
            assertEquals("58351", status.at("/result/validator_info/voting_power").asText());
            assertEquals(status.at("/result/sync_info"), get(sim, "/chain-rpc/status").at("/result/sync_info"));
            assertEquals("2", get(sim, "/net_info").at("/result/n_peers").asText());
            assertEquals(2, get(sim, "/chain-rpc/net_info").at("/result/peers").size());

            JsonNode latest = get(sim, "/v1/epochs/latest");
            assertEquals("Inference", latest.get("phase").asText());
            assertEquals(268, latest.at("/latest_epoch/index").asLong());
            assertEquals(4151891, latest.at("/epoch_stages/next_poc_start").asLong());
            assertEquals("ok", get(sim, "/v1/status").get("status").asText());
            assertEquals(400, SimTestClient.get(sim.baseUrl() + "/v1/epochs/267").statusCode());

            JsonNode participants = get(sim, "/v1/epochs/current/participants");
            JsonNode list = participants.at("/active_participants/participants");
            assertEquals(5, list.size());
            long total = 0;
            for (JsonNode p : list) {
                total += p.get("weight").asLong();
            }
            assertEquals(492000, total);
            JsonNode own = participant(participants, Scenarios.OWN_ADDRESS);
            assertEquals(58351, own.get("weight").asLong());
            assertTrue(own.get("weight").isNumber());
            assertEquals(2, own.at("/ml_nodes/0/ml_nodes").size(), "list of lists: node1 and node2 of the one model");
            assertEquals(18234, own.at("/ml_nodes/0/ml_nodes/0/poc_weight").asLong());
            assertEquals("122D557F2760836F67A18D5545FAA932BF93B023", participants.at("/addresses/0").asText());
            assertEquals(get(sim, "/admin/v1/config").at("/current_seed/signature"), own.at("/seed/signature"));
            assertEquals(participants, get(sim, "/api/v1/epochs/268/participants"), "proxy alias and explicit epoch");
            assertEquals(400, SimTestClient.get(sim.baseUrl() + "/v1/epochs/0/participants").statusCode());

            JsonNode chainParticipant = get(sim, CHAIN + "participant/" + Scenarios.OWN_ADDRESS).get("participant");
            assertEquals("48", chainParticipant.at("/current_epoch_stats/missed_requests").asText());
            assertEquals("1452", chainParticipant.at("/current_epoch_stats/inference_count").asText());
            assertEquals("ACTIVE", chainParticipant.get("status").asText());
            HttpResponse<String> unknown = SimTestClient.get(sim.baseUrl() + CHAIN + "participant/gonka1nobody");
            assertEquals(404, unknown.statusCode());
            assertEquals("{\"code\":5,\"message\":\"key not found\",\"details\":[]}", unknown.body());
            JsonNode p0 = get(sim, CHAIN + "params").at("/params/validation_params/binom_test_p0");
            assertEquals("1", p0.get("value").asText());
            assertTrue(p0.get("value").isTextual());
            assertEquals(-1, p0.get("exponent").asInt());
            assertEquals("268", get(sim, CHAIN + "get_current_epoch").get("epoch").asText());
        }
    }

    @Test
    void modesChangeEncodingsAndRoutes() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            sim.state().setStringNumbers(true);
            String body = SimTestClient.get(sim.baseUrl() + "/v1/epochs/current/participants").body();
            assertTrue(body.contains("\"weight\":\"58351\""), "protojson int64 strings");
            assertTrue(body.contains("\"throughput\":\"0\""), "protojson emits zero fields");
            sim.state().setStringNumbers(false);
            assertTrue(SimTestClient.get(sim.baseUrl() + "/v1/epochs/current/participants").body()
                    .contains("\"weight\":58351"));

            sim.state().setLegacy2025(true);
            HttpResponse<String> config = SimTestClient.get(sim.baseUrl() + "/admin/v1/config");
            assertEquals(404, config.statusCode());
            assertTrue(Json.MAPPER.readTree(config.body()).get("error").isTextual());
            assertEquals(404, SimTestClient.get(sim.baseUrl() + "/admin/v1/setup/report").statusCode());
            JsonNode node1 = node(get(sim, "/admin/v1/nodes"), "node1");
            assertEquals("", node1.at("/node/version").asText());
            assertFalse(node1.has("onboarding"));
            assertFalse(node1.get("state").has("ml_node_version"));
        }
    }

    // ------------------------------------------------------------------ faults

    @Test
    void faultsBehaveAsSpecified() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            SimState s = sim.state();
            String url = sim.baseUrl() + "/admin/v1/nodes";

            s.setFault(SimEndpoint.ADMIN_NODES, Fault.HTTP_500);
            HttpResponse<String> r500 = SimTestClient.get(url);
            assertEquals(500, r500.statusCode());
            assertTrue(Json.MAPPER.readTree(r500.body()).has("error"), "dapi error body");

            s.setFault(SimEndpoint.CHAIN_PARAMS, Fault.HTTP_404);
            HttpResponse<String> r404 = SimTestClient.get(sim.baseUrl() + CHAIN + "params");
            assertEquals(404, r404.statusCode());
            assertEquals(5, Json.MAPPER.readTree(r404.body()).get("code").asInt(), "grpc-gateway error body");

            s.setFault(SimEndpoint.ADMIN_NODES, Fault.TRUNCATED);
            HttpResponse<String> truncated = SimTestClient.get(url);
            assertEquals(200, truncated.statusCode());
            assertThrows(IOException.class, () -> Json.MAPPER.readTree(truncated.body()));

            s.setFault(SimEndpoint.ADMIN_NODES, Fault.MALFORMED);
            assertThrows(IOException.class, () -> Json.MAPPER.readTree(SimTestClient.get(url).body()));

            s.setFault(SimEndpoint.PUBLIC_EPOCH_PARTICIPANTS, Fault.WRONG_TYPES);
            JsonNode wrong = get(sim, "/v1/epochs/current/participants");
            assertTrue(participant(wrong, Scenarios.OWN_ADDRESS).get("weight").isObject());

            s.setFault(SimEndpoint.ADMIN_NODES, Fault.UNKNOWN_ENUMS);
            JsonNode weird = node(get(sim, "/admin/v1/nodes"), "node2");
            assertEquals("WEIRD", weird.at("/state/current_status").asText());
            assertEquals(99, weird.at("/state/reconcile_info/status").asInt());

            s.setFault(SimEndpoint.RPC_STATUS, Fault.FLAPPING);
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                codes.add(SimTestClient.get(sim.baseUrl() + "/status").statusCode());
            }
            assertEquals(List.of(200, 500, 200, 500), codes);

            s.setFault(SimEndpoint.ADMIN_CONFIG, Fault.HANG);
            long t0 = System.nanoTime();
            assertThrows(HttpTimeoutException.class,
                    () -> SimTestClient.get(sim.baseUrl() + "/admin/v1/config", Duration.ofSeconds(1)));
            assertTrue(System.nanoTime() - t0 >= 900_000_000L);

            s.clearFaults();
            assertEquals(200, SimTestClient.get(url).statusCode());
            assertEquals(200, SimTestClient.get(sim.baseUrl() + "/admin/v1/config").statusCode());
        }
    }

    @Test
    void slowDripSendsHeadersAtOnceAndTheBodyByteByByte() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            sim.state().setFault(SimEndpoint.PUBLIC_STATUS, Fault.SLOW_DRIP);
            long t0 = System.nanoTime();
            HttpResponse<InputStream> r = SimTestClient.HTTP.send(
                    HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/status")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertTrue(System.nanoTime() - t0 < 900_000_000L, "headers come before the first second passes");
            try (InputStream in = r.body()) {
                assertEquals('{', in.read());
                assertEquals('"', in.read());
            }
            assertTrue(System.nanoTime() - t0 >= 900_000_000L, "the second byte waits a second");
        }
    }

    @Test
    void hugeStreamsValidJsonOfTheRequestedSize() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            sim.state().setFault(SimEndpoint.PUBLIC_EPOCH_PARTICIPANTS, FaultSpec.huge(8));
            HttpResponse<byte[]> r = SimTestClient.HTTP.send(
                    HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/epochs/current/participants")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "chunked: size unknown up front");
            assertTrue(r.body().length >= 8 * 1024 * 1024, "got " + r.body().length);
            JsonNode parsed = Json.MAPPER.readTree(r.body());
            assertEquals(5, parsed.at("/active_participants/participants").size(), "real content after the padding");

            sim.state().setFault(SimEndpoint.ADMIN_NODES, FaultSpec.huge(2));
            JsonNode nodes = Json.MAPPER.readTree(SimTestClient.get(sim.baseUrl() + "/admin/v1/nodes").body());
            assertTrue(nodes.size() > 3, "arrays grow by repeating their elements");
        }
    }

    // ------------------------------------------------------------------ ML nodes

    @Test
    void mlNodesComeAndGoOnTheirOwnAddresses() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            SimState s = sim.state();
            String node3 = sim.mlNodeBaseUrl("node3") + "/health";
            assertThrows(ConnectException.class, () -> SimTestClient.get(node3));

            s.update(st -> st.updateMlNode("node3", n -> n.reachable(true).healthy(true)));
            HttpResponse<String> noGpu = SimTestClient.get(node3);
            assertEquals(503, noGpu.statusCode(), "no GPU means unhealthy");
            assertEquals("unhealthy", Json.MAPPER.readTree(noGpu.body()).get("status").asText());
            s.addGpu("node3", new SimGpu(0, "NVIDIA H100 80GB HBM3", 81559, 1000, 0, 40));
            assertEquals(200, SimTestClient.get(node3).statusCode());
            assertTrue(node3.startsWith("http://127.0.0.13:"));

            // nginx also routes without the prefix; a wrong version prefix is a 404.
            String root = "http://127.0.0.11:" + sim.mlNodePort("node1");
            assertEquals(200, SimTestClient.get(root + "/health").statusCode());
            assertEquals(404, SimTestClient.get(root + "/v3.0.8/health").statusCode());

            s.updateMlNode("node1", n -> n.signed(true).healthIncludesGpus(false));
            HttpResponse<String> signed = SimTestClient.get(sim.mlNodeBaseUrl("node1") + "/api/v1/gpu/devices");
            assertEquals(403, signed.statusCode());
            assertEquals("{\"detail\":\"Missing signature\"}", signed.body());
            JsonNode health = SimTestClient.json(sim.mlNodeBaseUrl("node1") + "/health");
            assertFalse(health.get("gpu").has("devices"));

            s.removeGpu("node2", 7);
            s.updateMlNode("node2", n -> n.gpus().set(0, SimGpu.lost(0)));
            JsonNode devices = SimTestClient.json(sim.mlNodeBaseUrl("node2") + "/api/v1/gpu/devices");
            assertEquals(7, devices.get("count").asInt());
            assertFalse(devices.at("/devices/0/is_available").asBoolean());
            assertTrue(devices.at("/devices/0/total_memory_mb").isNull());

            s.setMlNodeFault("node2", SimEndpoint.MLNODE_HEALTH, FaultSpec.of(Fault.HTTP_500));
            assertEquals(500, SimTestClient.get(sim.mlNodeBaseUrl("node2") + "/health").statusCode());
            assertEquals(200, SimTestClient.get(sim.mlNodeBaseUrl("node1") + "/health").statusCode(), "scoped to node2");

            s.addMlNode(new SimMlNode("edge1", "127.0.0.30").schemeHost(true).model(Scenarios.MODEL, List.of())
                    .gpu(new SimGpu(0, "NVIDIA H200", 143771, 100, 1, 30)));
            JsonNode edge = node(get(sim, "/admin/v1/nodes"), "edge1");
            String schemeHost = edge.at("/node/host").asText();
            assertEquals("http://127.0.0.30:" + sim.mlNodePort("edge1"), schemeHost);
            assertEquals(8080, edge.at("/node/poc_port").asInt(), "decoy port that must not be appended");
            assertEquals(200, SimTestClient.get(schemeHost + "/v3.0.12/health").statusCode());

            int port1 = sim.mlNodePort("node1");
            s.removeMlNode("node1");
            assertThrows(ConnectException.class, () -> SimTestClient.get("http://127.0.0.11:" + port1 + "/health"));
            assertEquals(3, get(sim, "/admin/v1/nodes").size());
        }
    }

    // ------------------------------------------------------------------ state changes

    @Test
    void heightAndEpochsMoveLikeTheChain() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            SimState s = sim.state();
            s.advanceBlocks(10);
            assertEquals("4141883", get(sim, "/status").at("/result/sync_info/latest_block_height").asText());

            s.startNextPoc();
            JsonNode latest = get(sim, "/v1/epochs/latest");
            assertEquals("PoCGenerate", latest.get("phase").asText());
            assertEquals(269, latest.at("/latest_epoch/index").asLong());
            assertEquals(268, latest.get("effective_epoch_index").asLong(), "latest runs ahead during PoC");
            assertEquals("268", get(sim, CHAIN + "get_current_epoch").get("epoch").asText());
            s.advanceBlocks(50);
            assertEquals("PoCGenerateWindDown", get(sim, "/v1/epochs/latest").get("phase").asText());
            assertEquals("PoCGenerateWindDown", node(get(sim, "/admin/v1/nodes"), "node1").at("/onboarding/timing/current_phase").asText());

            s.rollEpoch();
            assertEquals("269", get(sim, CHAIN + "get_current_epoch").get("epoch").asText());
            assertEquals("Inference", get(sim, "/v1/epochs/latest").get("phase").asText());
            JsonNode stats = get(sim, CHAIN + "participant/" + Scenarios.OWN_ADDRESS).at("/participant/current_epoch_stats");
            assertEquals("0", stats.get("missed_requests").asText(), "settlement reset the stats");
            assertEquals(269, get(sim, "/v1/epochs/current/participants").at("/active_participants/epoch_id").asLong());
            assertEquals(269, s.latestEpochIndex());

            s.setMissCounts(900, 100);
            JsonNode report = get(sim, "/admin/v1/setup/report");
            for (JsonNode c : report.get("checks")) {
                if (c.get("id").asText().equals("missed_requests_threshold")) {
                    assertEquals("FAIL", c.get("status").asText());
                }
            }

            s.setLatestBlockAge(Duration.ofMinutes(5));
            s.setChainStalled(true);
            for (JsonNode c : get(sim, "/admin/v1/setup/report").get("checks")) {
                if (c.get("id").asText().equals("block_sync")) {
                    assertEquals("FAIL", c.get("status").asText());
                    assertTrue(c.at("/details/seconds_since_block").asLong() >= 300);
                }
            }
        }
    }

    @Test
    void participantsCanBeReweightedAddedAndRemoved() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            SimState s = sim.state();
            s.setParticipantWeight(Scenarios.OWN_ADDRESS, 0);
            JsonNode own = participant(get(sim, "/v1/epochs/current/participants"), Scenarios.OWN_ADDRESS);
            assertFalse(own.has("weight"), "family A omits a zero weight");
            assertEquals("0", get(sim, "/status").at("/result/validator_info/voting_power").asText());

            s.addParticipant(new SimParticipant(FakeKeys.accountAddress("t"), FakeKeys.consensusPubkey("t"), 777, "http://t.example:8000"));
            s.removeParticipant("gonka16ca7my2kz9wnk4yskn82lmlqgzdvcw3yjqk6me");
            JsonNode list = get(sim, "/v1/epochs/current/participants").at("/active_participants/participants");
            assertEquals(5, list.size());
            assertEquals(777, list.get(4).get("weight").asLong());
            assertTrue(list.get(4).get("index").asText().startsWith("gonka1"));
        }
    }

    @Test
    void notificationsPostedToNotifyAreRecordedAndListed() throws Exception {
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            HttpResponse<String> telegram = SimTestClient.post(sim.baseUrl() + "/_sim/notify/bot123:abc/sendMessage",
                    "{\"chat_id\":\"-1\",\"text\":\"GonkaMLNodeFailed on demo\"}");
            assertEquals(200, telegram.statusCode());
            assertTrue(Json.MAPPER.readTree(telegram.body()).path("ok").asBoolean(), telegram.body());
            assertTrue(Json.MAPPER.readTree(telegram.body()).at("/result/chat/id").isNumber(), "Alertmanager reads result.chat.id");
            assertEquals(200, SimTestClient.post(sim.baseUrl() + "/_sim/notify/slack", "{\"text\":\"second\"}").statusCode());
            JsonNode listed = SimTestClient.json(sim.baseUrl() + "/_sim/notifications");
            assertEquals(2, listed.size(), listed.toString());
            assertEquals("/_sim/notify/bot123:abc/sendMessage", listed.get(0).path("path").asText());
            assertTrue(listed.get(0).path("body").asText().contains("GonkaMLNodeFailed on demo"));
            assertEquals("/_sim/notify/slack", listed.get(1).path("path").asText());
            for (int i = 0; i < ControlApi.MAX_NOTIFICATIONS + 5; i++) {
                SimTestClient.post(sim.baseUrl() + "/_sim/notify/x", "n" + i);
            }
            JsonNode capped = SimTestClient.json(sim.baseUrl() + "/_sim/notifications");
            assertEquals(ControlApi.MAX_NOTIFICATIONS, capped.size());
            assertEquals("n" + (ControlApi.MAX_NOTIFICATIONS + 4), capped.get(capped.size() - 1).path("body").asText());
        }
    }

    @Test
    void controlApiDrivesTheStateOverHttp() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            String control = sim.baseUrl() + "/_sim/state";
            HttpResponse<String> r = SimTestClient.post(control, """
                    {"commands":[
                      {"op":"set_height","height":4142000},
                      {"op":"set_ml_node","node_id":"node1","current_status":"FAILED","poc_weight":0},
                      {"op":"set_participant","weight":12345,"missed_requests":7},
                      {"op":"set_fault","endpoint":"admin_config","fault":"http_500"},
                      {"op":"set_fault","endpoint":"mlnode_health","fault":"http_404","node_id":"node2"},
                      {"op":"set_chain","peers":5},
                      {"op":"set_mode","string_numbers":true},
                      {"op":"add_ml_node","node_id":"node9","address":"127.0.0.19","gpus":2}
                    ]}""");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode summary = Json.MAPPER.readTree(r.body());
            assertEquals(4142000, summary.get("height").asLong());
            assertEquals("http_500", summary.at("/faults/admin_config").asText());

            assertEquals(4142000, get(sim, "/v1/epochs/latest").get("block_height").asLong());
            JsonNode node1 = node(get(sim, "/admin/v1/nodes"), "node1");
            assertEquals("FAILED", node1.at("/state/current_status").asText());
            assertFalse(node1.toString().contains("poc_weight"));
            assertEquals(500, SimTestClient.get(sim.baseUrl() + "/admin/v1/config").statusCode());
            assertEquals(404, SimTestClient.get(sim.mlNodeBaseUrl("node2") + "/health").statusCode());
            assertEquals("5", get(sim, "/net_info").at("/result/n_peers").asText());
            assertTrue(SimTestClient.get(sim.baseUrl() + "/v1/epochs/current/participants").body().contains("\"weight\":\"12345\""));
            assertEquals(2, SimTestClient.json(sim.mlNodeBaseUrl("node9") + "/api/v1/gpu/devices").get("count").asInt());

            JsonNode state = SimTestClient.json(control);
            assertEquals(4, state.get("ml_nodes").size());
            assertEquals(7, state.at("/own_participant/missed_requests").asLong());

            HttpResponse<String> bad = SimTestClient.post(control, "{\"op\":\"explode\"}");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("unknown op"));
            assertEquals(400, SimTestClient.post(control, "{\"op\":\"set_ml_node\",\"node_id\":\"nope\"}").statusCode());
        }
    }

    @Test
    void requestLogCountsEveryUpstreamCallButNotControlCalls() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            get(sim, "/admin/v1/nodes");
            get(sim, "/admin/v1/nodes");
            get(sim, "/status");
            SimTestClient.json(sim.mlNodeBaseUrl("node1") + "/health");
            SimTestClient.json(sim.baseUrl() + "/_sim/state");
            RequestLog log = sim.requestLog();
            assertEquals(Set.of("GET"), log.methods());
            assertEquals(2, log.count("/admin/v1/"));
            assertEquals(2, log.count(SimEndpoint.ADMIN_NODES));
            assertEquals(1, log.count(SimEndpoint.MLNODE_HEALTH));
            assertEquals(1, log.countForServer("node1"));
            assertEquals(4, log.total());
            assertEquals("/v3.0.12/health", log.entries().get(3).path());

            SimTestClient.post(sim.baseUrl() + "/v1/status", "{}");
            assertEquals(Set.of("GET", "POST"), log.methods(), "a POST to an upstream is recorded");
            JsonNode counts = SimTestClient.json(sim.baseUrl() + "/_sim/requests");
            assertEquals(2, counts.at("/by_path/~1admin~1v1~1nodes").asLong());
            log.clear();
            assertEquals(0, log.total());
        }
    }

    @Test
    void slowNodesAndPortClashesBehave() throws Exception {
        try (SimulatedGonkaNode sim = startStandard()) {
            sim.state().updateMlNode("node1", n -> n.slowMillis(300));
            long t0 = System.nanoTime();
            assertEquals(200, SimTestClient.get(sim.mlNodeBaseUrl("node1") + "/health").statusCode());
            assertTrue(System.nanoTime() - t0 >= 290_000_000L, "slow node");

            // A fixed port that is already taken: the call fails loudly and the node reads as unreachable.
            int taken = sim.mlNodePort("node2");
            SimMlNode clash = new SimMlNode("clash", "127.0.3.21").port(taken).model(Scenarios.MODEL, List.of());
            assertThrows(java.io.UncheckedIOException.class, () -> sim.state().addMlNode(clash));
            assertFalse(sim.state().mlNode("clash").reachable());
            assertEquals(200, SimTestClient.get(sim.mlNodeBaseUrl("node2") + "/health").statusCode());
        }
    }

    @Test
    void closeReleasesHangingRequestsAndStopsEveryServer() throws Exception {
        long dispatchersBefore = dispatcherThreads();
        SimulatedGonkaNode sim = startStandard();
        assertEquals(dispatchersBefore + 3, dispatcherThreads(), "node port + node1 + node2 (node3 is down)");
        sim.state().setFault(SimEndpoint.ADMIN_NODES, Fault.HANG);
        var pending = SimTestClient.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/admin/v1/nodes"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertFalse(pending.isDone(), "hanging");
        String base = sim.baseUrl();
        long t0 = System.nanoTime();
        sim.close();
        assertThrows(java.util.concurrent.ExecutionException.class, () -> pending.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "close does not wait for the hang");
        assertThrows(ConnectException.class, () -> SimTestClient.get(base + "/v1/status"));
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (dispatcherThreads() > dispatchersBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(dispatchersBefore, dispatcherThreads(), "no server thread outlives close()");
    }

    private static long dispatcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("HTTP-Dispatcher")).count();
    }

    // ------------------------------------------------------------------ scale and CLI

    @Test
    void scaleScenarioRendersMultiMegabyteParticipantsOnce() throws Exception {
        SimState state = Scenarios.scale(2000, 3, 8, java.time.Clock.systemUTC());
        try (SimulatedGonkaNode sim = new SimulatedGonkaNode(state).start()) {
            HttpResponse<String> first = SimTestClient.get(sim.baseUrl() + "/v1/epochs/current/participants");
            assertTrue(first.body().length() > 1_000_000, "body is " + first.body().length() + " bytes");
            JsonNode parsed = Json.MAPPER.readTree(first.body());
            assertEquals(2000, parsed.at("/active_participants/participants").size());
            assertEquals(3, parsed.at("/active_participants/participants/1/ml_nodes/0/ml_nodes").size());
            assertEquals(first.body(), SimTestClient.get(sim.baseUrl() + "/v1/epochs/current/participants").body());
            assertEquals(3, get(sim, "/admin/v1/nodes").size());
            assertEquals(8, SimTestClient.json(sim.mlNodeBaseUrl("node3") + "/api/v1/gpu/devices").get("count").asInt());
        }
        // Seeded: a second build gives the same participants.
        assertEquals(scaleParticipants(), scaleParticipants());
    }

    private static String scaleParticipants() {
        SimState state = Scenarios.scale(50, 2, 1, java.time.Clock.systemUTC());
        return state.read(PublicApiResponses::epochParticipants).get("active_participants").toString();
    }

    @Test
    void commandLineRunsAsAProcessAndStopsOnSigterm(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path portFile = tmp.resolve("ports.json");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SimulatedGonkaNode.class.getName(),
                "--port", "0", "--scenario", "standard", "--port-file", portFile.toString(), "--worker-private", SECRET)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!Files.exists(portFile) && System.nanoTime() < deadline && process.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(portFile), "port file; output: " + Files.readString(tmp.resolve("out.txt")));
            JsonNode ports = Json.MAPPER.readTree(Files.readString(portFile, StandardCharsets.UTF_8));
            String base = ports.get("base_url").asText();
            assertNotNull(ports.at("/ml_nodes/node1/port"));
            assertEquals(SECRET, SimTestClient.json(base + "/admin/v1/config").at("/ml_node_key_config/worker_private").asText());
            assertEquals(200, SimTestClient.get(ports.at("/ml_nodes/node1/url").asText() + "/health").statusCode());
            assertEquals(200, SimTestClient.post(base + "/_sim/state", "{\"op\":\"advance_blocks\",\"blocks\":1}").statusCode());
            assertEquals(4141874, SimTestClient.json(base + "/v1/epochs/latest").get("block_height").asLong());
        } finally {
            process.destroy(); // SIGTERM
        }
        assertTrue(process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "exits on SIGTERM");
    }
}
