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
}
