package io.gonka.exporter.sources;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.JsonFields;
import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.AdminConfigSnapshot;
import io.gonka.exporter.model.AdminNodesSnapshot;
import io.gonka.exporter.model.ChainStatus;
import io.gonka.exporter.model.EpochPhase;
import io.gonka.exporter.model.EpochSnapshot;
import io.gonka.exporter.model.MlNode;
import io.gonka.exporter.model.MlNodeStatus;
import io.gonka.exporter.model.ParticipantStats;
import io.gonka.exporter.model.ParticipantsSnapshot;
import io.gonka.exporter.model.PocStatus;
import io.gonka.exporter.model.SetupReport;
import io.gonka.exporter.support.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Every parser against the fixture payloads (src/test/resources/gonka-api) and their edge cases (SCHEMAS.md). */
class ParsersTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MlNode node(AdminNodesSnapshot s, String id) {
        return s.nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void adminNodesStandard() {
        AdminNodesSnapshot s = AdminNodesSource.parse(Fixtures.bytes("admin-nodes.json"), 512);
        assertEquals(3, s.nodes().size());
        MlNode n1 = node(s, "node1");
        assertEquals("127.0.0.11", n1.host());
        assertEquals(8080, n1.pocPort());
        assertEquals("3.0.12", n1.version());
        assertEquals(MlNodeStatus.INFERENCE, n1.currentStatus());
        assertEquals(PocStatus.IDLE, n1.pocStatus());
        assertTrue(n1.enabled());
        assertEquals(18234.0, n1.pocWeights().get("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"));
        assertEquals(true, n1.pocSlots().get("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"));
        assertEquals(Instant.parse("2026-05-11T14:03:22.481923117Z"), n1.statusTimestamp().orElseThrow());
        MlNode n2 = node(s, "node2");
        assertEquals(MlNodeStatus.POC, n2.currentStatus());
        assertEquals(PocStatus.GENERATING, n2.pocStatus());
        assertEquals(40117.0, n2.pocWeights().get("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"));
        assertEquals(false, n2.pocSlots().get("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"));
        MlNode n3 = node(s, "node3");
        assertEquals(MlNodeStatus.FAILED, n3.currentStatus());
        assertEquals(MlNodeStatus.INFERENCE, n3.intendedStatus());
        assertTrue(n3.statusMismatch());
        assertTrue(n3.pocWeights().isEmpty());
    }

    @Test
    void adminNodesEdgeCases() {
        AdminNodesSnapshot s = AdminNodesSource.parse(Fixtures.bytes("edge/admin-nodes.edge.json"), 512);
        assertEquals(3, s.nodes().size());
        MlNode n4 = node(s, "node4");
        assertFalse(n4.enabled());
        assertEquals(PocStatus.UNKNOWN, n4.pocStatus()); // ""
        assertTrue(n4.pocWeights().isEmpty()); // null map
        assertTrue(n4.statusTimestamp().isEmpty()); // Go zero time
        MlNode n5 = node(s, "node5");
        assertEquals(MlNodeStatus.UNKNOWN, n5.currentStatus()); // "6": a number with no name
        assertEquals(PocStatus.UNKNOWN, n5.pocStatus()); // NO_BACKENDS
        assertEquals(0.0, n5.pocWeights().get("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8")); // omitted = 0
        assertEquals(9.223372036854775807E18, n5.pocWeights().get("some/other-model"));
        assertEquals(false, n5.pocSlots().get("some/other-model")); // [true]: no PoC slot entry
        MlNode n6 = node(s, "node6");
        assertEquals(0, node(s, "node6").pocWeights().size());
        assertEquals(MlNodeStatus.UNKNOWN, n6.currentStatus());
        assertEquals("", n6.version());
    }

    @Test
    void adminNodes2025Build() {
        AdminNodesSnapshot s = AdminNodesSource.parse(Fixtures.bytes("admin-nodes.v2025-08.json"), 512);
        assertEquals(1310.0, node(s, "node1").pocWeights().get("Qwen/QwQ-32B"));
        assertEquals("", node(s, "node1").version());
    }

    @Test
    void adminNodesRejectsWrongShapes() {
        SourceException e = assertThrows(SourceException.class, () -> AdminNodesSource.parse(b("{\"nodes\":[]}"), 512));
        assertEquals(FailureReason.PARSE, e.reason());
        e = assertThrows(SourceException.class, () -> AdminNodesSource.parse(b("[{\"node\":{\"id\":\"a\"},\"state\":{\"epoch_ml_nodes\":{\"m\":{\"poc_weight\":{\"x\":1}}}}}]"), 512));
        assertTrue(e.getMessage().contains("poc_weight"), e.getMessage());
        e = assertThrows(SourceException.class, () -> AdminNodesSource.parse(b("[{\"node\":null,\"state\":{}}]"), 512));
        assertTrue(e.getMessage().contains("node"), e.getMessage());
        e = assertThrows(SourceException.class, () -> AdminNodesSource.parse(b("[{\"node\":{\"id\":\"a\"},\"state\":{}"), 512));
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
        assertThrows(SourceException.class, () -> AdminNodesSource.parse(b(""), 512));
    }

    @Test
    void adminNodesCapsTheNodeCount() {
        AdminNodesSnapshot s = AdminNodesSource.parse(Fixtures.bytes("admin-nodes.json"), 2);
        assertEquals(2, s.nodes().size());
    }

    @Test
    void adminConfigReadsOnlyWhatItNeeds() {
        AdminConfigSnapshot c = AdminConfigSource.parse(Fixtures.bytes("admin-config.json"));
        assertEquals("http://203.0.113.45:8000", c.publicUrl().orElseThrow());
        assertEquals("v3.0.12", c.nodeVersion());
        assertEquals(4141873, c.currentHeight().getAsLong());
        assertEquals(4141871, c.lastProcessedHeight().getAsLong());
        assertEquals(267, c.previousSeed().orElseThrow().epochIndex());
        assertTrue(c.previousSeed().orElseThrow().claimed());
        assertFalse(c.currentSeed().orElseThrow().claimed());
        assertTrue(c.upgradePlan().isEmpty(), "an empty plan is no plan");
        assertFalse(c.toString().contains("worker"), "the key pair is never read");
        AdminConfigSnapshot planned = AdminConfigSource.parse(b("{\"upgrade_plan\":{\"name\":\"v0.2.19\",\"height\":\"4200000\"}}"));
        assertEquals("v0.2.19", planned.upgradePlan().orElseThrow().name());
        assertEquals(4200000, planned.upgradePlan().orElseThrow().height());
    }

    @Test
    void setupReport() {
        SetupReport r = SetupReportSource.parse(Fixtures.bytes("admin-setup-report.json"), 100);
        assertEquals("gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch", r.coldKeyAddress().orElseThrow());
        assertEquals(13, r.checks().size());
        assertEquals(SetupReport.CheckStatus.FAIL, r.checks().stream().filter(c -> c.id().equals("mlnode_node3")).findFirst().orElseThrow().status());
        SetupReport u = SetupReportSource.parse(Fixtures.bytes("edge/admin-setup-report.unavailable.json"), 100);
        assertEquals(5, u.checks().stream().filter(c -> c.status() == SetupReport.CheckStatus.UNAVAILABLE).count());
    }

    @Test
    void rpcStatusAndNetInfo() {
        ChainStatus s = RpcStatusSource.parse(Fixtures.bytes("tendermint-status.json"), "rpc_status");
        assertEquals(java.util.Optional.of("UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaE="), s.validatorPubKey(),
                "the consensus key, equal to the participant's validator_key");
        assertEquals(4141873, s.height());
        assertEquals(Instant.parse("2026-05-11T14:05:06.114529003Z"), s.latestBlockTime().orElseThrow());
        assertFalse(s.catchingUp());
        ChainStatus syncing = RpcStatusSource.parse(Fixtures.bytes("edge/tendermint-status.catching-up.json"), "rpc_status");
        assertTrue(syncing.catchingUp());
        assertTrue(syncing.latestBlockTime().isEmpty(), "1970 is no block time");
        assertEquals(2, RpcNetInfoSource.parse(Fixtures.bytes("tendermint-net-info.json")).peers());
        SourceException e = assertThrows(SourceException.class,
                () -> RpcStatusSource.parse(Fixtures.bytes("edge/tendermint-rpc-error.json"), "rpc_status"));
        assertEquals(FailureReason.HTTP, e.reason());
        assertTrue(e.getMessage().contains("Internal error"));
    }

    @Test
    void epochLatest() {
        EpochSnapshot e = EpochSource.parse(Fixtures.bytes("public-epochs-latest.json"));
        assertEquals(268, e.effectiveEpochIndex());
        assertEquals(EpochPhase.Inference, e.phase());
        assertEquals(4151891, e.nextPocStart().getAsLong());
        assertEquals(4141873, e.blockHeight());
    }

    @Test
    void epochZeroHasNegativeStagesAndNoEffectiveIndex() {
        EpochSnapshot e = EpochSource.parse(Fixtures.bytes("edge/public-epochs-latest.epoch0.json"));
        assertEquals(0, e.effectiveEpochIndex());
        assertEquals(13802, e.nextPocStart().getAsLong(), "first start above height 812");
    }

    @Test
    void epochDuringPocWithoutEffectiveIndexIsOneBehind() {
        String body = "{\"block_height\":4136600,\"latest_epoch\":{\"index\":269,\"poc_start_block_height\":4136500},"
                + "\"phase\":\"PoCValidate\",\"epoch_stages\":{\"set_new_validators\":4137165,\"next_poc_start\":4151891}}";
        EpochSnapshot e = EpochSource.parse(b(body));
        assertEquals(268, e.effectiveEpochIndex());
        assertEquals(EpochPhase.PoCValidate, e.phase());
        EpochSnapshot weird = EpochSource.parse(b(body.replace("PoCValidate", "PoCSomethingNew")));
        assertEquals(EpochPhase.UNKNOWN, weird.phase());
    }

    @Test
    void participantsNumbersAndStrings() {
        ParticipantsSnapshot p = ParticipantsSource.parse(Fixtures.bytes("public-epoch-participants.json"), 10000);
        assertEquals(5, p.participants().size());
        assertEquals(268, p.epochId());
        assertEquals(58351 + 120442 + 9120 + 301877 + 2210, p.totalWeight());
        assertEquals(58351, p.find("gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch").orElseThrow().weight());
        assertEquals(2, p.find("gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch").orElseThrow().nodes().size());
        ParticipantsSnapshot s = ParticipantsSource.parse(Fixtures.bytes("edge/public-epoch-participants.protojson-strings.json"), 10000);
        assertEquals(3, s.participants().size());
        assertEquals(58351, s.find("gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch").orElseThrow().weight());
        assertEquals(18234, s.participants().get(0).nodes().get(0).pocWeight());
        assertEquals("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", s.participants().get(0).nodes().get(0).model());
        assertEquals(0, s.find("gonka16ca7my2kz9wnk4yskn82lmlqgzdvcw3yjqk6me").orElseThrow().weight());
    }

    @Test
    void participantsRejectsBrokenBodies() {
        byte[] full = Fixtures.bytes("public-epoch-participants.json");
        byte[] half = java.util.Arrays.copyOf(full, full.length / 2);
        assertEquals(FailureReason.PARSE, assertThrows(SourceException.class, () -> ParticipantsSource.parse(half, 100)).reason());
        assertThrows(SourceException.class, () -> ParticipantsSource.parse(Fixtures.bytes("edge/public-epoch-participants.404.json"), 100));
        assertThrows(SourceException.class, () -> ParticipantsSource.parse(b("{\"active_participants\":{\"participants\":[{\"index\":\"a\",\"weight\":{\"v\":1}}]}}"), 100));
        assertThrows(SourceException.class, () -> ParticipantsSource.parse(b("{\"active_participants\":{\"participants\":[]}} trailing"), 100));
    }

    @Test
    void participantStats() {
        ParticipantStats s = ParticipantStatsSource.parse(Fixtures.bytes("chain-participant.json"));
        assertEquals("ACTIVE", s.status());
        assertEquals(1452, s.completedInferences());
        assertEquals(48, s.missedRequests());
        assertEquals(48.0 / 1500.0, s.missRate(), 1e-12);
        assertEquals(311, s.validatedInferences());
        assertEquals(2, s.invalidatedInferences());
        assertEquals(1452000, s.earnedCoins());
        ParticipantStats edge = ParticipantStatsSource.parse(Fixtures.bytes("edge/chain-participant.edge.json"));
        assertEquals("UNKNOWN", edge.status(), "5: the chain's ParticipantStatus ends at RAMPING = 4");
        assertEquals(0, edge.completedInferences()); // current_epoch_stats: null
        assertEquals(0, edge.missRate());
    }

    @Test
    void participantStatusNumbersAndUnknownNames() {
        assertEquals("ACTIVE", ParticipantStatsSource.status(JsonFields.MAPPER.valueToTree(1)));
        assertEquals("UNKNOWN", ParticipantStatsSource.status(JsonFields.MAPPER.valueToTree(17)));
        assertEquals("UNKNOWN", ParticipantStatsSource.status(JsonFields.MAPPER.valueToTree("WEIRD")));
        assertEquals("RAMPING", ParticipantStatsSource.status(JsonFields.MAPPER.valueToTree("4")));
    }

    @Test
    void mlNodeBaseUrls() {
        MlNode plain = new MlNode("n", "127.0.0.11", 8080, "", "", MlNodeStatus.UNKNOWN, MlNodeStatus.UNKNOWN, PocStatus.IDLE,
                true, java.util.Map.of(), java.util.Map.of(), java.util.Optional.empty(), 0, 0, "");
        assertEquals("http://127.0.0.11:8080/v3.0.12", MlNodeHealthSource.baseUrl(plain, "v3.0.12"));
        assertEquals("https://127.0.0.11:8080/v3.0.12", MlNodeHealthSource.baseUrl(plain, "v3.0.12", "https"),
                "a bare host behind the mTLS proxy: the scheme comes from configuration");
        assertEquals("http://127.0.0.11:8080", MlNodeHealthSource.baseUrl(plain, ""));
        MlNode runpod = new MlNode("n", "https://abc123-8080.proxy.runpod.net/", 8080, "", "", MlNodeStatus.UNKNOWN, MlNodeStatus.UNKNOWN,
                PocStatus.IDLE, true, java.util.Map.of(), java.util.Map.of(), java.util.Optional.empty(), 0, 0, "");
        assertEquals("https://abc123-8080.proxy.runpod.net/v3.0.13", MlNodeHealthSource.baseUrl(runpod, "v3.0.13"));
        assertEquals("https://abc123-8080.proxy.runpod.net/v3.0.13", MlNodeHealthSource.baseUrl(runpod, "v3.0.13", "http"),
                "a registered scheme wins");
    }

    @Test
    void mlNodeGpusInBaseUnits() throws Exception {
        var devices = JsonFields.MAPPER.readTree(Fixtures.bytes("edge/mlnode-gpu-devices.degraded.json")).get("devices");
        var gpus = MlNodeHealthSource.gpus(devices, "t");
        assertEquals(2, gpus.size());
        assertEquals(23354 * 1024.0 * 1024.0, gpus.get(0).memoryUsedBytes().getAsDouble());
        assertEquals(0.0, gpus.get(0).utilizationRatio().getAsDouble());
        assertTrue(gpus.get(1).memoryUsedBytes().isEmpty(), "null stays absent");
        assertFalse(gpus.get(1).available());
    }

    @Test
    void referenceStatusUrls() {
        assertEquals("http://127.0.0.5:26657/status", ReferenceHeightsSource.statusUrl("http://127.0.0.5:26657"));
        assertEquals("http://127.0.0.5:8000/status", ReferenceHeightsSource.statusUrl("http://127.0.0.5:8000/"),
                "any base is plain CometBFT RPC: public proxies usually switch /chain-rpc/ off");
        assertEquals("https://rpc.gonka.example/status", ReferenceHeightsSource.statusUrl("https://rpc.gonka.example"));
        assertEquals("http://127.0.0.5:8000/chain-rpc/status", ReferenceHeightsSource.statusUrl("http://127.0.0.5:8000/chain-rpc"));
        assertEquals("http://127.0.0.5/x/status", ReferenceHeightsSource.statusUrl("http://127.0.0.5/x/status"));
    }

    @Test
    void lenientNumbers() {
        var n = JsonFields.MAPPER.createObjectNode().put("a", "42").put("b", 7).put("c", "x").put("d", "18446744073709551615");
        assertEquals(42, JsonFields.longOrZero(n, "a", "t"));
        assertEquals(7, JsonFields.longOrZero(n, "b", "t"));
        assertEquals(0, JsonFields.longOrZero(n, "missing", "t"));
        assertThrows(SourceException.class, () -> JsonFields.longOrZero(n, "c", "t"));
        assertEquals(1.8446744073709552E19, JsonFields.numberOrZero(n, "d", "t"));
    }
}
