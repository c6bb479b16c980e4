package io.gonka.exporter.sources;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.ValidatorLiveness;
import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.simulator.SimEndpoint;
import io.gonka.simulator.SimulatedGonkaNode;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The validator's set membership and missed blocks from commit signatures, against the simulated node. */
class ValidatorLivenessSourceTest {

    /** The source reads /status as the rpc_status poller left it; here: fetched right now. */
    private static ValidatorLivenessSource source(UpstreamClient client, SimulatedGonkaNode sim) {
        return new ValidatorLivenessSource(client, sim.rpcBaseUrl(), Duration.ofSeconds(5), 100,
                () -> Optional.of(RpcStatusSource.parse(client.getOk(sim.rpcBaseUrl() + "/status", false).join(), "test")));
    }

    private static ValidatorLiveness poll(ValidatorLivenessSource source) throws Exception {
        return source.poll().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void countsMissedBlocksInTheWindowOneCommitPerNewBlock() throws Exception {
        Vertx vertx = Vertx.vertx();
        UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(5), 1 << 20, 4);
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            ValidatorLivenessSource source = source(client, sim);
            long start = sim.state().height();
            long commitsBefore = sim.requestLog().count(SimEndpoint.RPC_COMMIT);

            // a restart reads at most the last window of blocks, 20 per poll
            ValidatorLiveness first = poll(source);
            assertTrue(first.inActiveSet());
            assertEquals(58351, first.votingPower(), "the own participant's weight is its voting power");
            assertEquals(20, first.windowBlocks());
            assertEquals(0, first.missedBlocks());
            for (int i = 0; i < 4; i++) {
                poll(source);
            }
            ValidatorLiveness full = poll(source);
            assertEquals(100, full.windowBlocks(), "the last 100 heights up to the newest but one");
            assertEquals(start - 1, full.lastHeight());
            assertEquals(100, sim.requestLog().count(SimEndpoint.RPC_COMMIT) - commitsBefore, "no height read twice");
            assertEquals(1, sim.requestLog().count(SimEndpoint.RPC_VALIDATORS), "the set is read once per 100 blocks");

            // the validator stops signing for 30 blocks
            sim.state().setValidatorSigning(false);
            sim.state().advanceBlocks(15);
            poll(source);
            sim.state().advanceBlocks(15);
            ValidatorLiveness missing = poll(source);
            assertEquals(30, missing.missedBlocks());
            assertEquals(30, missing.consecutiveMissed());
            assertEquals(100, missing.windowBlocks(), "the window never holds more than 100 blocks");
            assertEquals(100 + 30, sim.requestLog().count(SimEndpoint.RPC_COMMIT) - commitsBefore, "one request per new block");

            // signing again: the streak ends, the misses stay in the window until they leave it
            sim.state().setValidatorSigning(true);
            sim.state().advanceBlocks(5);
            ValidatorLiveness back = poll(source);
            assertEquals(30, back.missedBlocks());
            assertEquals(0, back.consecutiveMissed());
            sim.state().advanceBlocks(20);
            poll(source);
            sim.state().advanceBlocks(20);
            poll(source);
            sim.state().advanceBlocks(20);
            poll(source);
            sim.state().advanceBlocks(20);
            assertEquals(15, poll(source).missedBlocks(), "85 signed blocks later 15 misses are still in the window");
            sim.state().advanceBlocks(15);
            assertEquals(0, poll(source).missedBlocks(), "100 signed blocks later the window is clean");
        } finally {
            client.close();
            vertx.close();
        }
    }

    @Test
    void aValidatorOutsideTheSetMissesNothing() throws Exception {
        Vertx vertx = Vertx.vertx();
        UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(5), 1 << 20, 4);
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            sim.state().updateParticipant(sim.state().participantAddress(), p -> p.weight(0));
            sim.state().setValidatorSigning(false);
            ValidatorLivenessSource source = source(client, sim);
            ValidatorLiveness v = poll(source);
            assertFalse(v.inActiveSet());
            assertEquals(0, v.votingPower());
            assertEquals(0, v.missedBlocks());
        } finally {
            client.close();
            vertx.close();
        }
    }

    @Test
    void commitSignatures() {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"signed_header\":{\"header\":{\"height\":\"7\"},\"commit\":{\"height\":\"7\","
                + "\"signatures\":[{\"block_id_flag\":2,\"validator_address\":\"AA11\"},{\"block_id_flag\":3,\"validator_address\":\"BB22\"},"
                + "{\"block_id_flag\":1,\"validator_address\":\"\",\"signature\":null}]}},\"canonical\":true}}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        assertTrue(ValidatorLivenessSource.signed(b, "aa11", 7));
        assertTrue(ValidatorLivenessSource.signed(b, "BB22", 7), "a nil vote is signed for x/slashing");
        assertFalse(ValidatorLivenessSource.signed(b, "CC33", 7));
        assertThrows(SourceException.class, () -> ValidatorLivenessSource.signed(b, "AA11", 8), "another height's commit");
        assertThrows(SourceException.class, () -> ValidatorLivenessSource.signed(
                "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"signed_header\":{\"commit\":{\"height\":\"7\"}}}}".getBytes(StandardCharsets.UTF_8), "AA11", 7));
    }

    @Test
    void commitOfALargeValidatorSetIsReadWithoutLosingTheLastSignature() {
        StringBuilder sigs = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sigs.append(i == 0 ? "" : ",").append("{\"block_id_flag\":2,\"validator_address\":\"V").append(i)
                    .append("\",\"timestamp\":\"2026-11-30T12:00:00Z\",\"signature\":\"c2lnbmF0dXJl\"}");
        }
        sigs.append(",{\"block_id_flag\":1,\"validator_address\":\"LAST\",\"signature\":null}");
        byte[] b = ("{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"signed_header\":{\"header\":{\"height\":\"9\",\"last_commit_hash\":\"AB\"},"
                + "\"commit\":{\"height\":\"9\",\"round\":0,\"block_id\":{\"hash\":\"CD\"},\"signatures\":[" + sigs + "]}},\"canonical\":true}}")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(ValidatorLivenessSource.signed(b, "v1999", 9));
        assertFalse(ValidatorLivenessSource.signed(b, "LAST", 9), "absent: a miss");
        assertFalse(ValidatorLivenessSource.signed(b, "NOT-IN-SET", 9));
    }

    @Test
    void brokenCommitAnswersAreParseOrRpcErrorsNeverAVerdict() {
        String good = "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"signed_header\":{\"commit\":{\"height\":\"7\","
                + "\"signatures\":[{\"block_id_flag\":2,\"validator_address\":\"AA11\"}]}}}}";
        assertTrue(ValidatorLivenessSource.signed(good.getBytes(StandardCharsets.UTF_8), "AA11", 7));
        for (String bad : List.of(
                good.substring(0, good.length() - 3), // truncated
                good + "{}", // trailing content
                "", "[]", "null",
                "{\"jsonrpc\":\"2.0\",\"id\":-1}", // no result
                "{\"result\":{\"signed_header\":{\"commit\":{\"signatures\":[]}}}}", // no height
                "{\"result\":{\"signed_header\":{\"commit\":{\"height\":\"x7\",\"signatures\":[]}}}}",
                "{\"result\":{\"signed_header\":{\"commit\":{\"height\":\"7\",\"signatures\":null}}}}",
                "{\"result\":{\"signed_header\":[]}}")) {
            SourceException e = assertThrows(SourceException.class,
                    () -> ValidatorLivenessSource.signed(bad.getBytes(StandardCharsets.UTF_8), "AA11", 7), bad);
            assertEquals(FailureReason.PARSE, e.reason(), bad);
        }
        SourceException rpc = assertThrows(SourceException.class, () -> ValidatorLivenessSource.signed(
                "{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32603,\"message\":\"Internal error\",\"data\":\"height 7 must be less than or equal to the current blockchain height 5\"}}"
                        .getBytes(StandardCharsets.UTF_8), "AA11", 7));
        assertEquals(FailureReason.HTTP, rpc.reason());
        assertTrue(rpc.getMessage().contains("JSON-RPC error: Internal error height 7"), rpc.getMessage());
    }

    @Test
    void signingInfoRequestIsTheConsensusAddressInFieldOne() {
        assertEquals("0a0461626364", HexFormat.of().formatHex(ValidatorLivenessSource.signingInfoRequest("abcd")));
    }

    @Test
    void decodesSigningInfoFromExactBytes() {
        // QuerySigningInfoResponse{val_signing_info{address "abcd", start_height 120,
        //   jailed_until {seconds 1764500000 (2025-11-30T10:53:20Z), nanos 500000000}, tombstoned false, missed_blocks_counter 51}}
        byte[] jailed = HexFormat.of().parseHex("0a18" + "0a0461626364" + "1078" + "220c08a0c4b0c9061080cab5ee01" + "3033");
        var info = ValidatorLivenessSource.decodeSigningInfo(jailed, 9);
        assertEquals(Optional.of(Instant.parse("2025-11-30T10:53:20.5Z")), info.jailedUntil());
        assertFalse(info.tombstoned());
        assertEquals(51, info.missedBlocksCounter());
        assertTrue(info.jailedAt(Instant.parse("2025-11-30T10:50:00Z")));
        assertFalse(info.jailedAt(Instant.parse("2025-11-30T10:53:21Z")), "past jailed_until it may unjail");

        // Go's zero time (year 1: seconds -62135596800, a 10-byte varint) and tombstoned = true
        byte[] tomb = HexFormat.of().parseHex("0a15" + "0a0461626364" + "220b088092b8c398feffffff01" + "2801");
        var t = ValidatorLivenessSource.decodeSigningInfo(tomb, 9);
        assertEquals(Optional.empty(), t.jailedUntil());
        assertTrue(t.tombstoned());
        assertTrue(t.jailedAt(Instant.parse("2030-01-01T00:00:00Z")), "tombstoned stays jailed");
        assertEquals(0, t.missedBlocksCounter());

        assertThrows(SourceException.class, () -> ValidatorLivenessSource.decodeSigningInfo(HexFormat.of().parseHex("0a1a0a04"), 9), "truncated");
        assertThrows(SourceException.class, () -> ValidatorLivenessSource.decodeSigningInfo(new byte[0], 9), "no val_signing_info");
    }

    @Test
    void notFoundSigningInfoIsAbsentNotAnError() {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"response\":{\"code\":22,\"log\":\"not found\",\"value\":\"\"}}}";
        assertEquals(Optional.empty(), ValidatorLivenessSource.parseSigningInfo(body.getBytes(StandardCharsets.UTF_8), 1));
        String bad = "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"response\":{\"code\":0,\"value\":\"CgQ=\"}}}";
        assertThrows(SourceException.class, () -> ValidatorLivenessSource.parseSigningInfo(bad.getBytes(StandardCharsets.UTF_8), 1),
                "a code-0 answer that does not decode is a parse error");
    }

    @Test
    void jailedFromTheSlashingModuleAtASlowCadence() throws Exception {
        Vertx vertx = Vertx.vertx();
        UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(5), 1 << 20, 4);
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            ValidatorLivenessSource source = source(client, sim);
            long queries = sim.requestLog().count(SimEndpoint.RPC_ABCI_QUERY);
            ValidatorLiveness first = poll(source);
            assertTrue(first.signingInfo().isPresent(), "the simulated node answers SigningInfo for its gonkavalcons address");
            assertFalse(first.signingInfo().get().jailedAt(first.chainTime().orElseThrow()));
            assertEquals(1, sim.requestLog().count(SimEndpoint.RPC_ABCI_QUERY) - queries);

            // nothing new: no more signing-info requests for the next blocks
            for (int i = 0; i < 5; i++) {
                sim.state().advanceBlocks(5);
                poll(source);
            }
            assertEquals(1, sim.requestLog().count(SimEndpoint.RPC_ABCI_QUERY) - queries, "once per 100 blocks while nothing is missed");

            // the validator stops signing and gets jailed for 600 s: the rising miss count asks at once
            Instant until = sim.state().latestBlockTime().plusSeconds(600);
            sim.state().setValidatorSigning(false);
            sim.state().setValidatorJailedUntil(until);
            sim.state().advanceBlocks(3);
            ValidatorLiveness jailed = poll(source);
            assertEquals(2, sim.requestLog().count(SimEndpoint.RPC_ABCI_QUERY) - queries, "one extra request in this poll");
            assertTrue(jailed.signingInfo().get().jailedAt(jailed.chainTime().orElseThrow()));
            assertEquals(Optional.of(until), jailed.signingInfo().get().jailedUntil());
            assertEquals(50, jailed.signingInfo().get().missedBlocksCounter());

            // unjailed: seen within 10 blocks while jailed
            sim.state().setValidatorSigning(true);
            sim.state().setValidatorJailedUntil(null);
            sim.state().advanceBlocks(10);
            ValidatorLiveness back = poll(source);
            assertFalse(back.signingInfo().get().jailedAt(back.chainTime().orElseThrow()));
            assertEquals(3, sim.requestLog().count(SimEndpoint.RPC_ABCI_QUERY) - queries);
        } finally {
            client.close();
            vertx.close();
        }
    }

    @Test
    void aNodeWithoutValidatorKeyIsNotReady() throws Exception {
        Vertx vertx = Vertx.vertx();
        UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(5), 1 << 20, 4);
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            sim.state().setNodeConsensusPubkey(null);
            ValidatorLivenessSource source = source(client, sim);
            ExecutionException e = assertThrows(ExecutionException.class, () -> poll(source));
            assertInstanceOf(NotReadyException.class, e.getCause());
        } finally {
            client.close();
            vertx.close();
        }
    }
}
