package io.gonka.exporter.sources;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.ChainParams;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.rules.ChainRelease;
import io.gonka.exporter.support.Fixtures;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.simulator.SimEndpoint;
import io.gonka.simulator.SimulatedGonkaNode;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Release and miss-test params over CometBFT RPC (protobuf abci_query) and the chain REST fallback. */
class ChainParamsSourceTest {

    @Test
    void paramsFromTheProtobufAnswer() {
        ChainParams p = ChainParamsSource.parseParamsProto(
                ChainParamsSource.abciValue(Fixtures.bytes("tendermint-abci-query-params.json"), "t"));
        assertEquals(0, new BigDecimal("0.4").compareTo(p.binomTestP0().orElseThrow()));
        assertEquals(0, new BigDecimal("0.05").compareTo(p.downtimeThreshold().orElseThrow()));
        assertEquals("abci_query", p.paramsFrom());
        // collateral_params: a varint field (grace_period_end_epoch) read past length-delimited ones
        assertEquals(0, new BigDecimal("0.2").compareTo(p.collateral().orElseThrow().baseWeightRatio()));
        assertEquals(0, new BigDecimal("4.2").compareTo(p.collateral().orElseThrow().collateralPerWeightUnit()));
        assertEquals(180, p.collateral().orElseThrow().gracePeriodEndEpoch());
        assertEquals("v0.2.13", ChainParamsSource.parseAbciVersion(Fixtures.bytes("tendermint-abci-info.json")));
    }

    @Test
    void paramsFromTheChainRestJson() {
        ChainParams p = ChainParamsSource.parseParamsJson(Fixtures.bytes("chain-epoch-info.json"));
        assertEquals(0, new BigDecimal("0.1").compareTo(p.binomTestP0().orElseThrow()));
        assertEquals(0, new BigDecimal("0.05").compareTo(p.downtimeThreshold().orElseThrow()));
        assertEquals(180, p.collateral().orElseThrow().gracePeriodEndEpoch());
        // v0.2.0 params: no binom_test_p0 at all
        ChainParams old = ChainParamsSource.parseParamsJson(("{\"params\":{\"validation_params\":{\"expiration_blocks\":\"20\"},"
                + "\"collateral_params\":{\"downtime_missed_percentage_threshold\":{\"value\":\"5\",\"exponent\":-2}}}}").getBytes(StandardCharsets.UTF_8));
        assertTrue(old.binomTestP0().isEmpty());
        assertEquals(0, new BigDecimal("0.05").compareTo(old.downtimeThreshold().orElseThrow()));
    }

    @Test
    void badAnswersAreErrorsNotValues() {
        SourceException unknown = assertThrows(SourceException.class,
                () -> ChainParamsSource.abciValue(Fixtures.bytes("edge/tendermint-abci-query.unknown-path.json"), "t"));
        assertEquals(FailureReason.HTTP, unknown.reason());
        assertTrue(unknown.getMessage().contains("code 6"), unknown.getMessage());
        // truncated protobuf: a parse error
        byte[] whole = ChainParamsSource.abciValue(Fixtures.bytes("tendermint-abci-query-params.json"), "t");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 7);
        assertEquals(FailureReason.PARSE, assertThrows(SourceException.class, () -> ChainParamsSource.parseParamsProto(cut)).reason());
        // no params message
        assertThrows(SourceException.class, () -> ChainParamsSource.parseParamsProto(new byte[0]));
        // not base64
        String notB64 = "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"response\":{\"code\":0,\"value\":\"%%%\"}}}";
        assertEquals(FailureReason.PARSE, assertThrows(SourceException.class,
                () -> ChainParamsSource.abciValue(notB64.getBytes(StandardCharsets.UTF_8), "t")).reason());
        // a JSON-RPC error object
        assertThrows(SourceException.class, () -> ChainParamsSource.parseAbciVersion(Fixtures.bytes("edge/tendermint-rpc-error.json")));
    }

    @Test
    void negativeDecimalsAndAppliedPlans() {
        // Decimal{value: -3, exponent: -2}: both varints ten bytes, two's complement
        byte[] msg = new byte[22];
        msg[0] = 0x08;
        for (int i = 1; i <= 9; i++) {
            msg[i] = (byte) 0xff;
        }
        msg[1] = (byte) 0xfd;
        msg[10] = 0x01;
        msg[11] = 0x10;
        for (int i = 12; i <= 20; i++) {
            msg[i] = (byte) 0xff;
        }
        msg[12] = (byte) 0xfe;
        msg[21] = 0x01;
        assertEquals(0, new BigDecimal("-0.03").compareTo(ChainParamsSource.protoDecimal(io.gonka.exporter.upstream.ProtoWire.of(msg, "t"))));
        assertArrayEquals(new byte[]{0x0a, 6, 'v', '0', '.', '2', '.', '6'}, ChainParamsSource.appliedPlanRequest("v0.2.6"));
        assertEquals(0, ChainParamsSource.appliedHeight(new byte[0]));
        assertEquals(300, ChainParamsSource.appliedHeight(new byte[]{0x08, (byte) 0xac, 0x02}));
    }

    @Test
    void pollsTheSimulatedNode() throws Exception {
        Vertx vertx = Vertx.vertx();
        UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(5), 1 << 20, 4);
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            ChainParamsSource source = new ChainParamsSource(client, sim.rpcBaseUrl(), sim.publicBaseUrl(), Duration.ofSeconds(60));
            sim.state().setBinomTestP0(4, -1);
            ChainParams p = source.poll().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(Optional.of(ChainRelease.of("v0.2.13")), p.release());
            assertEquals(0, new BigDecimal("0.4").compareTo(p.binomTestP0().orElseThrow()));
            assertEquals("abci_query", p.paramsFrom());

            // a hand-built binary reports a commit: the applied upgrade plans tell the release line
            sim.state().setChainAppVersion("8bd883ba");
            assertEquals(Optional.of(ChainRelease.of("v0.2.10")), source.poll().toCompletableFuture().get(10, TimeUnit.SECONDS).release());

            // the query route fails: the /chain-api/ params serve
            sim.state().setChainAppVersion("v0.2.9");
            sim.state().setFault(SimEndpoint.RPC_ABCI_QUERY, io.gonka.simulator.FaultSpec.of(io.gonka.simulator.Fault.HTTP_500));
            ChainParams viaRest = source.poll().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("chain_api", viaRest.paramsFrom());
            assertEquals(Optional.of(ChainRelease.of("v0.2.9")), viaRest.release());
        } finally {
            client.close();
            vertx.close();
        }
    }
}
