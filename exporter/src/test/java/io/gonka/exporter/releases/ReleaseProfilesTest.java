package io.gonka.exporter.releases;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.LogCapture;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.Promtool;
import io.gonka.exporter.support.TestConfig;
import io.gonka.simulator.Scenarios;
import io.gonka.simulator.SimulatedGonkaNode;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exporter against the simulated node of each supported release: the newest as a default deployment
 * serves it ({@code /chain-api/} and {@code /chain-rpc/} switched off) and release v0.2.0.
 */
class ReleaseProfilesTest {
    static final String OWN = Scenarios.OWN_ADDRESS;
    static final String MODEL = Scenarios.MODEL;

    static SimulatedGonkaNode start(String profile) throws Exception {
        return new SimulatedGonkaNode(Scenarios.byName(profile, Clock.systemUTC())).start();
    }

    @Test
    void newestWithTheChainApiSwitchedOff() throws Exception {
        try (SimulatedGonkaNode sim = start(Scenarios.PROFILE_NEWEST); LogCapture log = new LogCapture()) {
            TestConfig cfg = TestConfig.allAt(sim.baseUrl());
            cfg.referenceUrls = List.of(sim.rpcBaseUrl()); // a plain CometBFT URL
            try (Harness h = new Harness(cfg)) {
                MetricSamples m = h.pollTwice().scrape();
                for (String source : List.of("admin_nodes", "admin_config", "setup_report", "rpc_status", "reference_heights",
                        "epoch", "participants", "participant_stats", "mlnode_health", "upgrade_status")) {
                    assertEquals(1, m.value("gonka_source_up", "source", source), source);
                }
                // participant stats from /v2/participants, not from the switched-off /chain-api/
                assertEquals(1452, m.value("gonka_participant_completed_inferences"));
                assertEquals(48, m.value("gonka_participant_missed_requests"));
                assertEquals(1, m.value("gonka_participant_status", "status", "ACTIVE"));
                assertFalse(m.has("gonka_participant_status", "status", "UNCONFIRMED"));
                assertEquals(5, m.all("gonka_participant_status").size());
                assertEquals(241, m.value("gonka_participant_epochs_completed"));
                // the chain's miss test from CometBFT RPC alone (abci_info v0.2.13, params by abci_query): 48 of
                // 1500 at the governance p0 0.10; collateral needs the chain REST gateway, switched off here
                assertEquals(1500, m.value("gonka_participant_miss_test_requests"));
                assertEquals(150, m.value("gonka_participant_miss_test_allowed_misses"));
                assertEquals(0, m.value("gonka_participant_miss_test_failing"));
                assertEquals(0.1, m.value("gonka_participant_miss_test_p0", "source", "governance"), 1e-12);
                assertEquals(1, m.value("gonka_source_unsupported", "source", "collateral"));
                assertFalse(m.has("gonka_participant_collateral"));
                assertEquals(1452000, m.value("gonka_participant_coin_balance"));
                assertEquals(0, m.value("gonka_participant_rewarded_coins"));
                assertEquals(0, m.value("gonka_participant_burned_coins"));
                assertEquals(183400112233445.0, m.value("gonka_participant_account_balance"));
                assertEquals(0, sim.requestLog().count("/chain-api/productscience/inference/inference/participant/"),
                        "/v2 answered first: the switched-off chain-api is not asked for the record");
                assertEquals(sim.state().height(), m.value("gonka_chain_reference_block_height"));

                // preserved_models: node1 keeps serving during PoC, node2 does not
                assertEquals(1, m.value("gonka_mlnode_poc_slot", "node_id", "node1", "model", MODEL));
                assertEquals(0, m.value("gonka_mlnode_poc_slot", "node_id", "node2", "model", MODEL));
                assertEquals(1, m.value("gonka_mlnode_healthy", "node_id", "node1"));
                assertEquals(0, m.value("gonka_epoch_confirmation_poc_active"));
                assertEquals(1, m.value("gonka_epoch_confirmation_poc_phase", "phase", "INACTIVE"));
                assertEquals(1, m.value("gonka_network_participant_excluded",
                        "participant", "gonka17lymkg5xtuhwfkkcx8ve6r7swhzzfu3a00w4x0", "reason", "downtime"));
                assertFalse(m.has("gonka_mlnode_upgrade_ready"), "no upgrade plan");

                // a confirmation PoC, an upgrade that node2 is not ready for, and our participant excluded
                sim.state().setConfirmationPocPhase(2);
                sim.state().setUpgradePlan("v0.2.13", sim.state().height() + 5000, "v3.0.13");
                sim.state().updateMlNode("node2", n -> n.upgradeReady(false));
                sim.state().addExclusion(new io.gonka.simulator.SimState.Exclusion(OWN, "failed_confirmation_poc", sim.state().height()));
                h.clock.advance(java.time.Duration.ofSeconds(61));
                MetricSamples after = h.pollTwice().scrape();
                assertEquals(1, after.value("gonka_epoch_confirmation_poc_active"));
                assertEquals(1, after.value("gonka_epoch_confirmation_poc_phase", "phase", "GENERATION"));
                assertEquals(0, after.value("gonka_epoch_confirmation_poc_phase", "phase", "INACTIVE"));
                assertEquals(1, after.value("gonka_mlnode_upgrade_target_info", "version", "v3.0.13"));
                assertEquals(1, after.value("gonka_mlnode_upgrade_ready", "node_id", "node1"));
                assertEquals(0, after.value("gonka_mlnode_upgrade_ready", "node_id", "node2"));
                assertEquals(0, after.value("gonka_mlnode_upgrade_ready", "node_id", "node3"), "unreachable");
                assertEquals(0, after.value("gonka_participant_weight"), "an excluded participant's weight is not active weight");
                assertEquals(492000 - 58351, after.value("gonka_network_weight"));
                assertEquals(4, after.value("gonka_network_participants"));
                assertEquals(1, after.value("gonka_network_participant_excluded", "participant", OWN, "reason", "failed_confirmation_poc"));
                Promtool.checkMetrics(after.text());
            }
            assertEquals(0, log.count("WARN source participant_stats"), log.all());
        }
    }

    @Test
    void v020() throws Exception {
        try (SimulatedGonkaNode sim = start(Scenarios.PROFILE_V0_2_0); LogCapture log = new LogCapture()) {
            TestConfig cfg = TestConfig.allAt(sim.baseUrl());
            try (Harness h = new Harness(cfg)) {
                // no setup report or admin config in v0.2.0: the address comes from the chain node's consensus key
                MetricSamples m = h.pollTwice().pollAll().scrape();
                assertEquals(1, m.value("gonka_participant_info", "participant", OWN));
                assertTrue(log.all().contains("participant address " + OWN
                        + " (detected: the participant whose validator_key is the chain node's consensus key)"), log.all());
                for (String source : List.of("admin_config", "setup_report", "upgrade_status")) {
                    assertEquals(1, m.value("gonka_source_unsupported", "source", source), source);
                    assertFalse(m.has("gonka_source_up", "source", source), source);
                }
                for (String source : List.of("admin_nodes", "rpc_status", "epoch", "participants", "participant_stats", "mlnode_health")) {
                    assertEquals(1, m.value("gonka_source_up", "source", source), source);
                }
                // from the chain REST gateway through the proxy (v0.2.0 has no /v2 and no switch to turn /chain-api/ off)
                assertEquals(1452, m.value("gonka_participant_completed_inferences"));
                assertEquals(1, m.value("gonka_participant_status", "status", "ACTIVE"));
                assertEquals(183400112233445.0, m.value("gonka_participant_account_balance"));
                // v0.2.0's rule: no reward test, collateral slashed above 5 % missed: 75 of 1500 allowed
                assertEquals(75, m.value("gonka_participant_miss_test_allowed_misses"));
                assertEquals(0, m.value("gonka_participant_miss_test_failing"));
                assertEquals(0.05, m.value("gonka_participant_miss_test_p0", "source", "collateral_threshold"), 1e-12);
                assertEquals(1, m.all("gonka_participant_miss_test_p0").size());
                assertEquals(200000, m.value("gonka_participant_collateral"), "through /chain-api/, which v0.2.0 passes");

                // ML nodes without /health: alive through /api/v1/state, not down, no health verdict
                assertEquals(1, m.value("gonka_mlnode_up", "node_id", "node1"));
                assertEquals(1, m.value("gonka_mlnode_up", "node_id", "node2"));
                assertEquals(0, m.value("gonka_mlnode_up", "node_id", "node3"), "node3 is unreachable in every release");
                assertFalse(m.has("gonka_mlnode_healthy"), "v0.2.0 ML nodes say nothing about health");
                assertFalse(m.has("gonka_mlnode_gpu_available"));
                assertEquals(1, log.count("node1: no /health route"), "said once: " + log.all());

                // timeslot_allocation[1] decides the PoC slot; no confirmation PoC in this release
                assertEquals(1, m.value("gonka_mlnode_poc_slot", "node_id", "node1", "model", MODEL));
                assertFalse(m.has("gonka_epoch_confirmation_poc_active"));
                assertFalse(m.has("gonka_network_participant_excluded"));
                assertFalse(m.has("gonka_mlnode_upgrade_ready"));
                Promtool.checkMetrics(m.text());

                h.clock.advance(java.time.Duration.ofSeconds(61));
                h.pollAll();
                assertEquals(1, log.count("node1: no /health route"), "not repeated per poll");
                assertEquals(0, log.count("WARN ML node node1"), log.all());
            }
        }
    }

    @Test
    void chainApiSwitchedOffWithoutV2IsUnsupportedNotDown() throws Exception {
        try (SimulatedGonkaNode sim = start(Scenarios.PROFILE_V0_2_0); LogCapture log = new LogCapture()) {
            sim.state().setChainApiDisabled(true);
            TestConfig cfg = TestConfig.allAt(sim.baseUrl());
            cfg.participantAddress = OWN;
            try (Harness h = new Harness(cfg)) {
                MetricSamples m = h.pollTwice().scrape();
                assertEquals(1, m.value("gonka_source_unsupported", "source", "participant_stats"));
                assertFalse(m.has("gonka_source_up", "source", "participant_stats"));
                assertEquals(0, m.value("gonka_source_errors_total", "source", "participant_stats", "reason", "http"));
                assertFalse(m.has("gonka_participant_completed_inferences"));
                assertTrue(log.all().contains("switched off by the operator (404 Chain API Disabled)"), log.all());
            }
            // with the chain's own REST port configured, the stats are back
            cfg.chainRestUrl = sim.baseUrl(); // the simulator serves /productscience/... at the root, as :1317 does
            try (Harness h = new Harness(cfg)) {
                MetricSamples m = h.pollTwice().scrape();
                assertEquals(1, m.value("gonka_source_up", "source", "participant_stats"));
                assertEquals(48, m.value("gonka_participant_missed_requests"));
            }
        }
    }
}
