package io.gonka.exporter.sources;

import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.ChainParams;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.rules.ChainRelease;
import io.gonka.exporter.upstream.ProtoWire;
import io.gonka.exporter.upstream.UpstreamClient;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The release the chain node runs and the inference params that judge missed requests. Both come
 * over CometBFT RPC, which every host has: {@code /abci_info} for the version and
 * {@code abci_query} of {@code /inference.inference.Query/Params} (protobuf) for the params; the
 * public API's {@code /chain-api/} params (JSON) serve when the query does not answer. A node
 * built by hand may report a commit instead of a version: then the applied upgrade plans tell
 * the release line.
 */
public final class ChainParamsSource implements Source<ChainParams> {
    public static final String NAME = "chain_params";
    static final String PARAMS_PATH = "/inference.inference.Query/Params";
    static final String APPLIED_PLAN_PATH = "/cosmos.upgrade.v1beta1.Query/AppliedPlan";
    /** Upgrades that changed the miss rule (app/upgrades/v0_2_*), newest first. */
    static final List<String> RULE_UPGRADES = List.of("v0.2.10", "v0.2.6", "v0.2.2");

    private final UpstreamClient client;
    private final String rpc;
    private final String chainApiParams;
    private final Duration interval;
    /** An applied upgrade stays applied: no need to ask again. */
    private final Set<String> appliedPlans = ConcurrentHashMap.newKeySet();

    public ChainParamsSource(UpstreamClient client, String rpcUrl, String publicUrl, Duration interval) {
        this.client = client;
        this.rpc = rpcUrl;
        this.chainApiParams = publicUrl + "/chain-api/productscience/inference/inference/params";
        this.interval = interval;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public CompletionStage<ChainParams> poll() {
        CompletableFuture<String> version = client.getOk(rpc + "/abci_info", false).thenApply(ChainParamsSource::parseAbciVersion);
        CompletableFuture<ChainParams> params = client.getOk(abciQueryUrl(PARAMS_PATH, new byte[0]), false)
                .thenApply(body -> parseParamsProto(abciValue(body, NAME + ".abci_query")))
                .exceptionallyCompose(abciFailure -> client.getOk(chainApiParams, false)
                        .thenApply(ChainParamsSource::parseParamsJson)
                        .exceptionally(chainApiFailure -> {
                            // the RPC failure says more about the host than a proxy route switched off
                            throw unwrap(abciFailure);
                        }));
        return version.thenCombine(params, (v, p) -> p.withRelease(ChainRelease.parse(v), v))
                .thenCompose(p -> p.release().isPresent() ? CompletableFuture.completedFuture(p) : releaseFromPlans(p));
    }

    /** The newest rule-changing upgrade applied on this chain; none applied: the genesis release v0.2.0. */
    private CompletableFuture<ChainParams> releaseFromPlans(ChainParams p) {
        return probe(0).thenApply(r -> p.withRelease(r, p.nodeVersion()))
                .exceptionally(t -> p);
    }

    private CompletableFuture<Optional<ChainRelease>> probe(int i) {
        if (i >= RULE_UPGRADES.size()) {
            return CompletableFuture.completedFuture(Optional.of(ChainRelease.of("v0.2.0")));
        }
        String plan = RULE_UPGRADES.get(i);
        if (appliedPlans.contains(plan)) {
            return CompletableFuture.completedFuture(Optional.of(ChainRelease.of(plan)));
        }
        return client.getOk(abciQueryUrl(APPLIED_PLAN_PATH, appliedPlanRequest(plan)), false)
                .thenCompose(body -> {
                    if (appliedHeight(abciValue(body, NAME + ".applied_plan")) > 0) {
                        appliedPlans.add(plan);
                        return CompletableFuture.completedFuture(Optional.of(ChainRelease.of(plan)));
                    }
                    return probe(i + 1);
                });
    }

    private static SourceException unwrap(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof SourceException se ? se : new SourceException(FailureReason.PARSE, NAME + ": " + c);
    }

    String abciQueryUrl(String path, byte[] data) {
        String url = rpc + "/abci_query?path=%22" + path + "%22";
        return data.length == 0 ? url : url + "&data=0x" + HexFormat.of().formatHex(data);
    }

    /** {@code QueryAppliedPlanRequest{name = 1}}. */
    static byte[] appliedPlanRequest(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + n.length];
        out[0] = 0x0a;
        out[1] = (byte) n.length;
        System.arraycopy(n, 0, out, 2, n.length);
        return out;
    }

    /** {@code QueryAppliedPlanResponse{int64 height = 1}}; 0 when the plan was never applied. */
    static long appliedHeight(byte[] value) {
        return ProtoWire.of(value, NAME + ".applied_plan").varintField(1).orElse(0L);
    }

    static String parseAbciVersion(byte[] body) {
        JsonNode result = RpcStatusSource.jsonRpcResult(body, NAME + ".abci_info");
        JsonNode response = object(result, "response", NAME + ".abci_info.result");
        return textOrEmpty(response, "version", NAME + ".abci_info.result.response").trim();
    }

    /** The protobuf bytes of an {@code abci_query} answer; a non-zero code is an upstream error. */
    static byte[] abciValue(byte[] body, String what) {
        JsonNode result = RpcStatusSource.jsonRpcResult(body, what);
        JsonNode response = object(result, "response", what + ".result");
        long code = longOrZero(response, "code", what + ".result.response");
        if (code != 0) {
            throw new SourceException(FailureReason.HTTP, what + ": query failed with code " + code + ": "
                    + clip(textOrEmpty(response, "log", what + ".result.response")));
        }
        String value = textOrEmpty(response, "value", what + ".result.response");
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw SourceException.parse(what + ".result.response.value: not base64");
        }
    }

    /** {@code QueryParamsResponse{Params params = 1}}: validation_params = 2 (binom_test_p0 = 24), collateral_params = 5 (downtime_missed_percentage_threshold = 3). */
    static ChainParams parseParamsProto(byte[] value) {
        ProtoWire params = ProtoWire.of(value, NAME + ".params").message(1)
                .orElseThrow(() -> SourceException.parse(NAME + ".params: no params in the answer"));
        Optional<BigDecimal> p0 = params.message(2).flatMap(v -> v.message(24)).map(ChainParamsSource::protoDecimal);
        Optional<ProtoWire> col = params.message(5);
        Optional<BigDecimal> threshold = col.flatMap(c -> c.message(3)).map(ChainParamsSource::protoDecimal);
        // base_weight_ratio = 5, collateral_per_weight_unit = 6, grace_period_end_epoch = 4
        Optional<ChainParams.CollateralParams> collateral = col.flatMap(c -> c.message(5).flatMap(r -> c.message(6)
                .map(u -> new ChainParams.CollateralParams(protoDecimal(r), protoDecimal(u), c.varintField(4).orElse(0L)))));
        return new ChainParams("", Optional.empty(), p0, threshold, "abci_query", collateral);
    }

    /** {@code Decimal{int64 value = 1; int32 exponent = 2}}. */
    static BigDecimal protoDecimal(ProtoWire d) {
        long value = d.varintField(1).orElse(0L);
        int exponent = (int) (long) d.varintField(2).orElse(0L);
        return decimal(value, exponent, NAME + ".params");
    }

    private static BigDecimal decimal(long value, long exponent, String what) {
        if (exponent < -30 || exponent > 30) {
            throw SourceException.parse(what + ": decimal exponent out of range: " + exponent);
        }
        return BigDecimal.valueOf(value, (int) -exponent);
    }

    /** The same params as REST JSON: Decimals as {@code {"value":"4","exponent":-1}}. */
    static ChainParams parseParamsJson(byte[] body) {
        String what = NAME + ".chain_api";
        JsonNode params = object(readTree(body, what), "params", what);
        Optional<BigDecimal> p0 = optionalObject(params, "validation_params", what + ".params")
                .flatMap(v -> jsonDecimal(v, "binom_test_p0", what + ".params.validation_params"));
        Optional<JsonNode> col = optionalObject(params, "collateral_params", what + ".params");
        String cp = what + ".params.collateral_params";
        Optional<BigDecimal> threshold = col.flatMap(c -> jsonDecimal(c, "downtime_missed_percentage_threshold", cp));
        Optional<ChainParams.CollateralParams> collateral = col.flatMap(c -> jsonDecimal(c, "base_weight_ratio", cp)
                .flatMap(r -> jsonDecimal(c, "collateral_per_weight_unit", cp)
                        .map(u -> new ChainParams.CollateralParams(r, u, longOrZero(c, "grace_period_end_epoch", cp)))));
        return new ChainParams("", Optional.empty(), p0, threshold, "chain_api", collateral);
    }

    private static Optional<BigDecimal> jsonDecimal(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw SourceException.parse(path + "." + field + ": expected a decimal object, got " + kind(n));
        }
        return Optional.of(decimal(longOrZero(n, "value", path + "." + field), longOrZero(n, "exponent", path + "." + field), path + "." + field));
    }
}
