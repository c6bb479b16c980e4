package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fidelity: every response of the standard scenario has the shape of the matching fixture
 * example, and where the example's values follow from the scenario, the same values.
 */
class SimShapeTest {
    private static final String PARTICIPANT_PATH = "/chain-api/productscience/inference/inference/participant/";
    private static SimulatedGonkaNode sim;

    @BeforeAll
    static void start() throws IOException {
        sim = SimulatedGonkaNode.standard().start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static JsonNode example(String name) throws IOException {
        try (var in = SimShapeTest.class.getResourceAsStream("/gonka-api/examples/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture gonka-api/examples/" + name + " on the test classpath");
            }
            return Json.MAPPER.readTree(in);
        }
    }

    static JsonNode release(String release, String name) throws IOException {
        try (var in = SimShapeTest.class.getResourceAsStream("/gonka-api/" + release + "/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture gonka-api/" + release + "/" + name + " on the test classpath");
            }
            return Json.MAPPER.readTree(in);
        }
    }

    private static void assertShape(JsonNode example, JsonNode actual, String what) {
        assertEquals(List.of(), JsonShapes.differences(example, actual), "shape differences against " + what);
    }

    /**
     * {@code /v1/epochs/latest} without {@code epoch_params} and {@code next_epoch_stages}: encoding/json omits their
     * zero fields, so which keys they carry follows from values, and the release fixtures' values are not the scenario's.
     */
    private static JsonNode withoutValueDependentParts(JsonNode latest) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = latest.deepCopy();
        copy.remove(List.of("epoch_params", "next_epoch_stages"));
        return copy;
    }

    private static void assertSameShape(String exampleFile, JsonNode actual) throws IOException {
        List<String> diffs = JsonShapes.differences(example(exampleFile), actual);
        assertEquals(List.of(), diffs, "shape differences against " + exampleFile);
    }

    @Test
    void adminResponsesHaveTheExampleShapes() throws Exception {
        assertSameShape("admin-nodes.json", SimTestClient.json(sim.adminBaseUrl() + "/admin/v1/nodes"));
        assertSameShape("admin-config.json", SimTestClient.json(sim.adminBaseUrl() + "/admin/v1/config"));
        assertSameShape("admin-setup-report.json", SimTestClient.json(sim.adminBaseUrl() + "/admin/v1/setup/report"));
    }

    @Test
    void rpcResponsesHaveTheExampleShapes() throws Exception {
        assertSameShape("tendermint-status.json", SimTestClient.json(sim.rpcBaseUrl() + "/status"));
        assertSameShape("tendermint-status.json", SimTestClient.json(sim.chainRpcBaseUrl() + "/status"));
        assertSameShape("tendermint-net-info.json", SimTestClient.json(sim.rpcBaseUrl() + "/net_info"));
        assertSameShape("tendermint-validators.json", SimTestClient.json(sim.rpcBaseUrl() + "/validators"));
    }

    @Test
    void publicAndChainResponsesEqualTheExamples() throws Exception {
        String chain = sim.chainApiBaseUrl() + "/productscience/inference/inference/";
        // These follow entirely from the scenario, so the values match too, not just the shape.
        assertEquals(example("public-epochs-latest.json"), SimTestClient.json(sim.publicBaseUrl() + "/v1/epochs/latest"));
        assertEquals(example("public-status.json"), SimTestClient.json(sim.publicBaseUrl() + "/v1/status"));
        assertEquals(example("chain-participant.json"), SimTestClient.json(chain + "participant/" + Scenarios.OWN_ADDRESS));
        assertEquals(example("chain-get-current-epoch.json"), SimTestClient.json(chain + "get_current_epoch"));
        assertEquals(example("chain-epoch-info.json"), SimTestClient.json(chain + "epoch_info"));
        assertEquals(example("chain-epoch-info.json").get("params"), SimTestClient.json(chain + "params").get("params"));

        assertSameShape("public-epoch-participants.json",
                SimTestClient.json(sim.publicBaseUrl() + "/v1/epochs/current/participants"));
        var notFound = SimTestClient.get(sim.baseUrl() + PARTICIPANT_PATH + "gonka1unknown");
        assertEquals(404, notFound.statusCode());
        assertEquals(example("edge/chain-api-error.json"), Json.MAPPER.readTree(notFound.body()));
        var noEpoch = SimTestClient.get(sim.publicBaseUrl() + "/v1/epochs/12/participants");
        assertEquals(404, noEpoch.statusCode());
        assertEquals(example("edge/public-epoch-participants.404.json"), Json.MAPPER.readTree(noEpoch.body()));
    }

    @Test
    void mlNodeResponsesHaveTheExampleShapes() throws Exception {
        assertEquals(example("mlnode-gpu-devices.json"), SimTestClient.json(sim.mlNodeBaseUrl("node1") + "/api/v1/gpu/devices"));
        assertSameShape("mlnode-health.json", SimTestClient.json(sim.mlNodeBaseUrl("node2") + "/health"));
    }

    @Test
    void modesHaveTheirExampleShapes() throws Exception {
        try (SimulatedGonkaNode modal = SimulatedGonkaNode.standard().start()) {
            modal.state().setStringNumbers(true);
            assertSameShape("edge/public-epoch-participants.protojson-strings.json",
                    SimTestClient.json(modal.publicBaseUrl() + "/v1/epochs/current/participants"));

            modal.state().setLegacy2025(true);
            JsonNode nodes = SimTestClient.json(modal.adminBaseUrl() + "/admin/v1/nodes");
            // The 2025 example has one node; compare our node1 with it.
            List<String> diffs = JsonShapes.differences(example("admin-nodes.v2025-08.json").get(0), nodes.get(0));
            assertEquals(List.of(), diffs);

            modal.state().setLegacy2025(false); // the 2025 ML node has no /health at all (see the v0.2.0 profile test)
            modal.state().setMlNodeHealthy("node1", false);
            modal.state().updateMlNode("node1", n -> n.status("STOPPED").gpus().clear());
            var unhealthy = SimTestClient.get(modal.mlNodeBaseUrl("node1") + "/health");
            assertEquals(503, unhealthy.statusCode());
            assertEquals(example("edge/mlnode-health.unhealthy.json"), Json.MAPPER.readTree(unhealthy.body()));

            modal.state().updateMlNode("node1", n -> n.signed(true));
            var forbidden = SimTestClient.get(modal.mlNodeBaseUrl("node1") + "/api/v1/gpu/devices");
            assertEquals(403, forbidden.statusCode());
            assertEquals(example("edge/mlnode-403-missing-signature.json"), Json.MAPPER.readTree(forbidden.body()));
        }
    }

    @Test
    void epochZeroStagesMatchTheEdgeExample() throws Exception {
        try (SimulatedGonkaNode genesis = SimulatedGonkaNode.standard().start()) {
            genesis.state().update(s -> {
                s.setEpoch(0, 0, 0);
                s.setHeight(812);
            });
            JsonNode actual = SimTestClient.json(genesis.publicBaseUrl() + "/v1/epochs/latest");
            JsonNode expected = example("edge/public-epochs-latest.epoch0.json");
            for (String key : List.of("block_height", "latest_epoch", "phase", "epoch_stages", "next_epoch_stages")) {
                assertEquals(expected.get(key), actual.get(key), key);
            }
        }
    }

    @Test
    void newestProfileServesTheNewestShapesWithTheChainApiSwitchedOff() throws Exception {
        try (SimulatedGonkaNode newest = new SimulatedGonkaNode(Scenarios.byName("newest", java.time.Clock.systemUTC())).start()) {
            String pub = newest.publicBaseUrl();
            assertEquals(example("public-v2-participant.json"), SimTestClient.json(pub + "/v2/participants/" + Scenarios.OWN_ADDRESS));
            assertShape(release("newest", "public-v2-participant.json"),
                    SimTestClient.json(pub + "/v2/participants/" + Scenarios.OWN_ADDRESS), "newest/public-v2-participant.json");
            assertShape(release("newest", "public-v1-participant.json"),
                    SimTestClient.json(pub + "/v1/participants/" + Scenarios.OWN_ADDRESS), "newest/public-v1-participant.json");
            assertEquals(404, SimTestClient.get(pub + "/v2/participants/gonka1unknown").statusCode());

            for (String off : List.of(PARTICIPANT_PATH + Scenarios.OWN_ADDRESS, "/chain-rpc/status")) {
                var r = SimTestClient.get(newest.baseUrl() + off);
                assertEquals(404, r.statusCode(), off);
                assertEquals("Chain API Disabled", r.body(), off);
            }
            assertEquals(200, SimTestClient.get(newest.rpcBaseUrl() + "/status").statusCode(), "port 26657 itself is not the proxy");

            assertEquals(release("newest", "admin-nodes-upgrade-status.no-plan.json"),
                    SimTestClient.json(newest.adminBaseUrl() + "/admin/v1/nodes/upgrade-status"));
            newest.state().setUpgradePlan("v0.2.13", newest.state().height() + 100, "v3.0.13");
            newest.state().updateMlNode("node2", n -> n.upgradeReady(false));
            JsonNode status = SimTestClient.json(newest.adminBaseUrl() + "/admin/v1/nodes/upgrade-status");
            JsonNode plan = release("newest", "admin-nodes-upgrade-status.json");
            assertShape(plan.get("mlnode-1"), status.get("node1"), "a ready node");
            assertShape(plan.get("mlnode-2"), status.get("node2"), "a node not ready");
            assertShape(plan.get("mlnode-2"), status.get("node3"), "an unreachable node");

            newest.state().setConfirmationPocPhase(2);
            JsonNode latest = SimTestClient.json(pub + "/v1/epochs/latest");
            assertShape(withoutValueDependentParts(release("newest", "public-epochs-latest.json")), withoutValueDependentParts(latest),
                    "newest/public-epochs-latest.json");
            assertEquals(2, latest.get("active_confirmation_poc_event").get("phase").asInt());

            assertEquals(release("newest", "mlnode-state.json"), SimTestClient.json(newest.mlNodeBaseUrl("node1") + "/api/v1/state"));
            assertEquals(200, SimTestClient.get(newest.mlNodeBaseUrl("node1") + "/health").statusCode());

            // the node's own Prometheus endpoints: the ML node's, and the API node's federation of them with node_id
            String own = SimTestClient.get(newest.mlNodeBaseUrl("node1") + "/api/v1/metrics").body();
            assertTrue(own.contains("vllm:num_requests_waiting{model_name=\"" + Scenarios.MODEL + "\"}"), own);
            String federated = SimTestClient.get(pub + "/v1/mlnodes/metrics").body();
            assertTrue(federated.contains("mlnode_up{node_id=\"node1\"} 1"), federated);
            assertTrue(federated.contains("mlnode_up{node_id=\"node3\"} 0"), "node3 is unreachable: " + federated);
            assertTrue(federated.contains("vllm:kv_cache_usage_perc{node_id=\"node2\",model_name="), federated);
            assertTrue(SimTestClient.get(newest.baseUrl() + "/metrics").body().contains("decentralized_api_block_height "));
        }
    }

    @Test
    void v020ProfileServesTheV020Shapes() throws Exception {
        try (SimulatedGonkaNode old = new SimulatedGonkaNode(Scenarios.byName("v0.2.0", java.time.Clock.systemUTC())).start()) {
            String pub = old.publicBaseUrl();
            assertEquals(404, SimTestClient.get(pub + "/v2/participants/" + Scenarios.OWN_ADDRESS).statusCode(), "no /v2 in v0.2.0");
            assertShape(release("v0.2.0", "chain-participant.json"),
                    SimTestClient.json(old.chainApiBaseUrl() + "/productscience/inference/inference/participant/" + Scenarios.OWN_ADDRESS),
                    "v0.2.0/chain-participant.json");
            assertShape(release("v0.2.0", "public-v1-participant.json"),
                    SimTestClient.json(pub + "/v1/participants/" + Scenarios.OWN_ADDRESS), "v0.2.0/public-v1-participant.json");
            assertShape(withoutValueDependentParts(release("v0.2.0", "public-epochs-latest.json")),
                    withoutValueDependentParts(SimTestClient.json(pub + "/v1/epochs/latest")), "v0.2.0/public-epochs-latest.json");
            assertShape(release("v0.2.0", "admin-nodes.json").get(0),
                    SimTestClient.json(old.adminBaseUrl() + "/admin/v1/nodes").get(0), "v0.2.0/admin-nodes.json");
            assertEquals(404, SimTestClient.get(old.adminBaseUrl() + "/admin/v1/nodes/upgrade-status").statusCode());

            String ml = old.mlNodeBaseUrl("node1");
            assertEquals(404, SimTestClient.get(ml + "/health").statusCode(), "the v0.2.0 ML node has no /health");
            assertEquals(404, SimTestClient.get(ml + "/api/v1/gpu/devices").statusCode());
            assertEquals(release("v0.2.0", "mlnode-state.json"), SimTestClient.json(ml + "/api/v1/state"));
            assertEquals(404, SimTestClient.get(ml + "/api/v1/metrics").statusCode(), "no metrics route in v0.2.0");
            assertEquals(404, SimTestClient.get(pub + "/v1/mlnodes/metrics").statusCode());
        }
    }

    @Test
    void scaleScenarioNamesParticipantsTheirMlNodesAndLocalMlNodesSeparately() {
        SimState four = Scenarios.byName("scale:5:2:8", java.time.Clock.systemUTC());
        assertEquals(5, four.participantCount());
        assertEquals(2, four.mlNodeIds().size(), "four parts: as many local ML nodes as each participant lists");
        SimState five = Scenarios.byName("scale:5:2:3:8", java.time.Clock.systemUTC());
        assertEquals(5, five.participantCount());
        assertEquals(3, five.mlNodeIds().size(), "five parts: local ML nodes given on their own");
    }
}
