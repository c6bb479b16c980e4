package io.gonka.exporter.sources;

import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.Collateral;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.UnsupportedUpstreamException;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.exporter.upstream.UpstreamResponse;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * This participant's collateral from the chain REST API ({@code x/collateral} {@code Collateral}), through
 * the public API's {@code /chain-api/} proxy or {@code gonka.chain-rest-url}. Only there: no API-node route
 * carries it, so a proxy with {@code /chain-api/} switched off (a 404 that is not the chain's own
 * answer) makes this source unsupported. The chain's NotFound (gRPC code 5) means no collateral.
 */
public final class CollateralSource implements Source<Collateral> {
    public static final String NAME = "collateral";
    static final String PATH = "/productscience/inference/collateral/collateral/";

    private final UpstreamClient client;
    private final String base;
    private final Duration interval;
    private final Supplier<Optional<String>> address;

    /** @param chainRestUrl the chain REST gateway base; empty means {@code {publicUrl}/chain-api} (as for participant stats) */
    public CollateralSource(UpstreamClient client, String publicUrl, String chainRestUrl, Duration interval,
                            Supplier<Optional<String>> address) {
        this.client = client;
        String rest = chainRestUrl == null || chainRestUrl.isBlank() ? publicUrl + "/chain-api" : chainRestUrl.replaceAll("/+$", "");
        this.base = rest + PATH;
        this.interval = interval;
        this.address = address;
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
    public CompletionStage<Collateral> poll() {
        Optional<String> addr = address.get();
        if (addr.isEmpty()) {
            return CompletableFuture.failedFuture(new NotReadyException("participant address not known yet"));
        }
        String url = base + URLEncoder.encode(addr.get(), StandardCharsets.UTF_8);
        return client.get(url).thenApply(r -> parse(r, addr.get()));
    }

    static Collateral parse(UpstreamResponse r, String participant) {
        if (r.status() == 404) {
            if (isChainNotFound(r.body())) {
                return new Collateral(participant, "", BigInteger.ZERO);
            }
            throw new UnsupportedUpstreamException("HTTP 404 from " + r.url() + ": /chain-api/ is not served");
        }
        if (!r.ok()) {
            throw new SourceException(FailureReason.HTTP, "HTTP " + r.status() + " from " + r.url());
        }
        JsonNode amount = object(readTree(r.body(), NAME), "amount", NAME);
        String denom = textOrEmpty(amount, "denom", NAME + ".amount");
        String value = textOrEmpty(amount, "amount", NAME + ".amount").trim();
        if (!value.matches("\\d{1,60}")) {
            throw SourceException.parse(NAME + ".amount.amount: not a non-negative integer: \"" + clip(value) + "\"");
        }
        return new Collateral(participant, denom, new BigInteger(value));
    }

    /** grpc-gateway's body for codes.NotFound: {@code {"code":5,"message":"collateral not found ..."}}. */
    private static boolean isChainNotFound(byte[] body) {
        try {
            JsonNode n = readTree(body, NAME);
            return n.isObject() && n.path("code").asInt(-1) == 5;
        } catch (SourceException e) {
            return false;
        }
    }
}
