package io.gonka.exporter.sources;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.ValidatorLiveness;
import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.simulator.SimEndpoint;
import io.gonka.simulator.SimulatedGonkaNode;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
