package io.gonka.exporter.sources;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.AdminConfigSnapshot;
import io.gonka.exporter.model.EpochSnapshot;
import io.gonka.exporter.model.MlNode;
import io.gonka.exporter.model.ParticipantStats;
import io.gonka.exporter.model.ParticipantsSnapshot;
import io.gonka.exporter.model.UpgradeStatus;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.support.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsers against the newest release's and release v0.2.0's shapes (gonka-api/newest, gonka-api/v0.2.0). */
class ReleaseShapesTest {
    static final String MODEL = "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8";

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void newestParticipantRecordComesFromV2WithNumbersAndIntegerStatus() {
        ParticipantStats s = ParticipantStatsSource.parse(Fixtures.release("newest", "public-v2-participant.json"),
                ParticipantStatsSource.ROUTE_V2);
        assertEquals("gonka1q8z3m5x7c9v2b4n6m8k0j2h4g6f8d0s2a4p6l8", s.address());
        assertEquals("ACTIVE", s.status());
        assertEquals(912, s.completedInferences());
        assertEquals(37, s.missedRequests());
        assertEquals(880, s.validatedInferences());
        assertEquals(1534000000, s.earnedCoins());
        assertEquals(0, s.rewardedCoins(), "omitted when 0 (encoding/json omitempty)");
        assertEquals(0, s.burnedCoins());
        assertEquals(1534000000, s.coinBalance());
        assertEquals(118, s.epochsCompleted());
        assertEquals(ParticipantStatsSource.ROUTE_V2, s.route());
    }

    @Test
    void v020ParticipantRecordComesFromChainRestWithStringsAndNames() {
        ParticipantStats s = ParticipantStatsSource.parse(Fixtures.release("v0.2.0", "chain-participant.json"));
        assertEquals("ACTIVE", s.status());
        assertEquals(412, s.completedInferences());
        assertEquals(9, s.missedRequests());
        assertEquals(534000000, s.coinBalance());
        assertEquals(30, s.epochsCompleted());
    }

    @Test
    void statusFollowsTheChainEnum() {
        // An omitted status (encoding/json drops 0) is UNSPECIFIED; 5 and UNCONFIRMED do not exist on the chain.
        assertEquals("UNSPECIFIED", ParticipantStatsSource.parse(b("{\"participant\":{\"index\":\"a\"}}")).status());
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of("UNSPECIFIED", "ACTIVE", "INACTIVE", "INVALID", "RAMPING").get(i),
                    ParticipantStatsSource.parse(b("{\"participant\":{\"index\":\"a\",\"status\":" + i + "}}")).status());
        }
        assertEquals("UNKNOWN", ParticipantStatsSource.parse(b("{\"participant\":{\"index\":\"a\",\"status\":5}}")).status());
        assertEquals("UNKNOWN", ParticipantStatsSource.parse(b("{\"participant\":{\"index\":\"a\",\"status\":\"UNCONFIRMED\"}}")).status());
        assertEquals("RAMPING", ParticipantStatsSource.parse(b("{\"participant\":{\"index\":\"a\",\"status\":\"RAMPING\"}}")).status());
    }

    @Test
    void walletBalanceInBothReleases() {
        assertEquals(250000000000.0, ParticipantStatsSource.parseWalletBalance(Fixtures.release("newest", "public-v1-participant.json")).getAsDouble());
        assertEquals(250000000000.0, ParticipantStatsSource.parseWalletBalance(Fixtures.release("v0.2.0", "public-v1-participant.json")).getAsDouble());
        assertEquals(0, ParticipantStatsSource.parseWalletBalance(b("{\"pubkey\":\"x\"}")).getAsDouble(), "v0.2.0 omits a zero balance");
        assertTrue(ParticipantStatsSource.parseWalletBalance(b("<html>")).isEmpty(), "unreadable: absent, not 0");
        assertTrue(ParticipantStatsSource.parseWalletBalance(b("{\"balance\":\"lots\"}")).isEmpty());
    }

    @Test
    void confirmationPocFromTheApiNodeAndTheEdgeApi() {
        EpochSnapshot dapi = EpochSource.parse(Fixtures.release("newest", "public-epochs-latest.json"));
        assertTrue(dapi.confirmationPoc().orElseThrow().active());
        assertEquals("GENERATION", dapi.confirmationPoc().get().phase(), "phase 2 as an integer (encoding/json)");
        EpochSnapshot edge = EpochSource.parse(Fixtures.release("newest", "public-epochs-latest.edge-api.json"));
        assertEquals("GENERATION", edge.confirmationPoc().orElseThrow().phase(), "CONFIRMATION_POC_GENERATION as a name (protojson)");
        assertEquals(141, edge.effectiveEpochIndex());
        EpochSnapshot old = EpochSource.parse(Fixtures.release("v0.2.0", "public-epochs-latest.json"));
        assertTrue(old.confirmationPoc().isEmpty(), "v0.2.0 has no confirmation PoC");
        assertEquals(35, old.effectiveEpochIndex());

        assertEquals("INACTIVE", EpochSource.confirmationPhase(null));
        assertEquals("UNKNOWN", EpochSource.confirmationPhase(io.gonka.exporter.upstream.JsonFields.MAPPER.valueToTree(9)));
        assertEquals("UNKNOWN", EpochSource.confirmationPhase(io.gonka.exporter.upstream.JsonFields.MAPPER.valueToTree("CONFIRMATION_POC_SOMETHING")));
        assertEquals("VALIDATION", EpochSource.confirmationPhase(io.gonka.exporter.upstream.JsonFields.MAPPER.valueToTree("3")));
    }

    @Test
    void excludedParticipantsDoNotCount() {
        ParticipantsSnapshot newest = ParticipantsSource.parse(Fixtures.release("newest", "public-epoch-participants.json"), 100);
        assertEquals(List.of(new ParticipantsSnapshot.Excluded("gonka1z9y8x7w6v5u4t3s2r1q0p9o8n7m6l5k4j3h2g1", "failed_confirmation_poc")),
                newest.excluded());
        ParticipantsSnapshot old = ParticipantsSource.parse(Fixtures.release("v0.2.0", "public-epoch-participants.json"), 100);
        assertEquals(List.of(), old.excluded());
        assertEquals(1200, old.totalWeight());

        ParticipantsSnapshot both = ParticipantsSource.parse(b("{\"active_participants\":{\"participants\":["
                + "{\"index\":\"a\",\"weight\":100},{\"index\":\"b\",\"weight\":30}]},"
                + "\"excluded_participants\":[{\"address\":\"b\",\"reason\":\"downtime\",\"exclusion_block_height\":\"7\"}]}"), 100);
        assertEquals(100, both.totalWeight(), "b's weight is not active weight");
        assertEquals(1, both.counted().size());
        assertTrue(both.isExcluded("b"));
        assertEquals(List.of(), ParticipantsSource.parse(b("{\"active_participants\":{\"participants\":[]},\"excluded_participants\":null}"), 9).excluded());
        assertThrows(SourceException.class, () -> ParticipantsSource.parse(
                b("{\"active_participants\":{\"participants\":[]},\"excluded_participants\":{\"a\":1}}"), 9));
        assertThrows(SourceException.class, () -> ParticipantsSource.parse(
                b("{\"active_participants\":{\"participants\":[]},\"excluded_participants\":[{\"reason\":\"x\"}]}"), 9));
    }

    @Test
    void preservedModelsDecideThePocSlotWithTimeslotsAsFallback() {
        List<MlNode> newest = AdminNodesSource.parse(Fixtures.release("newest", "admin-nodes.json"), 100).nodes();
        // mlnode-1: timeslot_allocation [true, false] but preserved_models has the model: preserved_models wins.
        assertEquals(Map.of(MODEL, true), newest.get(0).pocSlots());
        // mlnode-2: preserved_models null (a nil map): not serving during PoC.
        assertEquals(Map.of(MODEL, false), newest.get(1).pocSlots());
        assertEquals(3, newest.get(0).lockCount());
        assertEquals(500, newest.get(0).maxConcurrent());
        assertEquals("", newest.get(0).failureReason());
        assertEquals("Failed to start PoC: connection refused", newest.get(1).failureReason());
        assertEquals("failed to start poc", newest.get(1).failureKind());

        List<MlNode> old = AdminNodesSource.parse(Fixtures.release("v0.2.0", "admin-nodes.json"), 100).nodes();
        assertEquals(Map.of("Qwen/Qwen2.5-7B-Instruct", true), old.get(0).pocSlots(), "no preserved_models: timeslot_allocation[1]");
        assertEquals(2, old.get(0).lockCount());

        // The 2026 example: node1 preserves the model, node2's map is empty.
        List<MlNode> example = AdminNodesSource.parse(Fixtures.bytes("admin-nodes.json"), 100).nodes();
        assertEquals(Map.of(MODEL, true), example.get(0).pocSlots());
        assertEquals(Map.of(MODEL, false), example.get(1).pocSlots());
        assertEquals("inference up failed", example.get(2).failureKind(), "hosts and errors after the colon are dropped");
    }

    @Test
    void aPreservedModelOutsideTheEpochStillCounts() {
        String body = "[{\"node\":{\"id\":\"n\",\"host\":\"h\"},\"state\":{\"epoch_ml_nodes\":{},\"preserved_models\":{\"m\":true,\"x\":false}}}]";
        assertEquals(Map.of("m", true), AdminNodesSource.parse(b(body), 9).nodes().get(0).pocSlots());
        String bad = "[{\"node\":{\"id\":\"n\",\"host\":\"h\"},\"state\":{\"preserved_models\":[\"m\"]}}]";
        assertThrows(SourceException.class, () -> AdminNodesSource.parse(b(bad), 9));
    }

    @Test
    void upgradeStatusWithAndWithoutAPlan() {
        UpgradeStatus plan = UpgradeStatusSource.parse(Fixtures.release("newest", "admin-nodes-upgrade-status.json"), 100);
        assertTrue(plan.planActive());
        assertEquals(Map.of("mlnode-1", true, "mlnode-2", false), plan.ready());
        UpgradeStatus none = UpgradeStatusSource.parse(Fixtures.release("newest", "admin-nodes-upgrade-status.no-plan.json"), 100);
        assertFalse(none.planActive());
        assertThrows(SourceException.class, () -> UpgradeStatusSource.parse(b("{\"n\":true}"), 9));
        assertEquals(2, UpgradeStatusSource.parse(b("{\"a\":{\"is_alive\":true},\"b\":{},\"c\":{}}"), 2).ready().size(), "bounded");

        AdminConfigSnapshot cfg = AdminConfigSource.parse(Fixtures.release("newest", "admin-config.json"));
        assertEquals(new AdminConfigSnapshot.UpgradePlan("v0.2.13", 2110000, "v3.0.13"), cfg.upgradePlan().orElseThrow());
    }
}
