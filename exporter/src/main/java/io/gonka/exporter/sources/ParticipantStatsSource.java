package io.gonka.exporter.sources;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.UnsupportedUpstreamException;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.exporter.upstream.UpstreamResponse;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.ParticipantStats;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This participant's chain record (status and current-epoch stats) and its wallet balance, from
 * whichever route this node actually serves (the params that judge its misses come from
 * {@link ChainParamsSource}):
 * <ol>
 *   <li>{@code {public}/v2/participants/{a}}: the API node's own route in the newest releases
 *       ({@code encoding/json}: numbers, status as an integer, zero fields omitted);</li>
 *   <li>{@code {chain REST}/productscience/inference/inference/participant/{a}}: the chain REST gateway
 *       ({@code {public}/chain-api} by default, or {@code gonka.chain-rest-url}); release v0.2.0 has no
 *       {@code /v2}, and its proxy passes {@code /chain-api/} through.</li>
 * </ol>
 * The route that answered is remembered and asked first; a 404 moves on to the next. When every route
 * is missing or switched off ({@code 404 Chain API Disabled} from the proxy), the source is unsupported
 * on this node (logged once, with why), not down. The wallet balance ({@code /v1/participants/{a}},
 * both releases) is best effort: its failure leaves the balance absent, not the source down.
 */
public final class ParticipantStatsSource implements Source<ParticipantStats> {
    public static final String NAME = "participant_stats";
    public static final String ROUTE_V2 = "v2_participants";
    public static final String ROUTE_CHAIN_REST = "chain_rest";
    static final String CHAIN_PATH = "/productscience/inference/inference";
    /** ParticipantStatus of participant.proto (v0.2.0 and newest); anything else is UNKNOWN. */
    public static final List<String> STATUS_NAMES = List.of("UNSPECIFIED", "ACTIVE", "INACTIVE", "INVALID", "RAMPING");
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantStatsSource.class);

    private final UpstreamClient client;
    private final String publicBase;
    private final String chainBase;
    private final Duration interval;
    private final Supplier<Optional<String>> address;
    /** Index into the route list of the route that answered last; 0 (try all from the top) when none did. */
    private volatile int preferred;

    /**
     * @param chainRestUrl the chain REST gateway base (what {@code /productscience/...} hangs off);
     *                     empty means {@code {publicUrl}/chain-api}
     */
    public ParticipantStatsSource(UpstreamClient client, String publicUrl, String chainRestUrl, Duration interval,
                                  Supplier<Optional<String>> address) {
        this.client = client;
        this.publicBase = publicUrl;
        this.chainBase = (chainRestUrl == null || chainRestUrl.isBlank() ? publicUrl + "/chain-api" : trim(chainRestUrl)) + CHAIN_PATH;
        this.interval = interval;
        this.address = address;
    }

    private static String trim(String s) {
        String t = s.trim();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    /** The chain REST participant URL prefix in use (for tests and docs). */
    public String chainBase() {
        return chainBase;
    }

    private record Route(String name, String url) {}

    @Override
    public CompletionStage<ParticipantStats> poll() {
        Optional<String> addr = address.get();
        if (addr.isEmpty()) {
            return CompletableFuture.failedFuture(new NotReadyException("participant address not known yet"));
        }
        String a = URLEncoder.encode(addr.get(), StandardCharsets.UTF_8);
        List<Route> routes = List.of(
                new Route(ROUTE_V2, publicBase + "/v2/participants/" + a),
                new Route(ROUTE_CHAIN_REST, chainBase + "/participant/" + a));
        CompletableFuture<OptionalDouble> wallet = client.get(publicBase + "/v1/participants/" + a)
                .thenApply(r -> r.ok() ? parseWalletBalance(r.body()) : OptionalDouble.empty())
                .exceptionally(t -> OptionalDouble.empty());
        int start = preferred;
        return tryRoutes(routes, start, start, new StringBuilder())
                .thenCombine(wallet, (stats, w) -> stats.withWallet(w));
    }

    /** Tries routes[i], then the others in order; remembers the one that answered. */
    private CompletableFuture<ParticipantStats> tryRoutes(List<Route> routes, int first, int i, StringBuilder missing) {
        Route route = routes.get(i);
        return client.get(route.url()).thenCompose(r -> {
            if (r.ok()) {
                if (preferred != i) {
                    LOG.info("source {}: reading the participant record from {} ({})", NAME, route.name(), route.url());
                }
                preferred = i;
                return CompletableFuture.completedFuture(parse(r.body(), route.name()));
            }
            if (r.status() != 404) {
                preferred = 0;
                throw new SourceException(FailureReason.HTTP, "HTTP " + r.status() + " from " + r.url());
            }
            if (missing.length() > 0) {
                missing.append("; ");
            }
            missing.append(route.name()).append(": ").append(describe404(r));
            int next = (i + 1) % routes.size();
            if (next == first) {
                preferred = 0;
                throw new UnsupportedUpstreamException("no participant route on this node (" + missing + ")");
            }
            return tryRoutes(routes, first, next, missing);
        });
    }

    /** The proxy's {@code 404 'Chain API Disabled'} is an operator's switch; any other 404 is a route the build lacks. */
    static String describe404(UpstreamResponse r) {
        String body = new String(r.body(), 0, Math.min(r.body().length, 200), StandardCharsets.UTF_8);
        if (body.contains("Chain API Disabled")) {
            return "switched off by the operator (404 Chain API Disabled)";
        }
        return "absent in this release or participant unknown (HTTP 404)";
    }

    /** {@code /v1/participants/{a}}: {@code {pubkey, balance[, denom]}}; v0.2.0 omits a zero balance. */
    public static OptionalDouble parseWalletBalance(byte[] body) {
        try {
            JsonNode root = readTree(body, NAME + ".wallet");
            if (!root.isObject()) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(numberOrZero(root, "balance", NAME + ".wallet"));
        } catch (SourceException e) {
            LOG.debug("source {}: wallet balance unreadable: {}", NAME, e.getMessage());
            return OptionalDouble.empty();
        }
    }

    public static ParticipantStats parse(byte[] body) {
        return parse(body, ROUTE_CHAIN_REST);
    }

    /** Both encodings: chain REST (strings, enum names, zeros present) and encoding/json (numbers, ints, zeros omitted). */
    public static ParticipantStats parse(byte[] body, String route) {
        JsonNode root = readTree(body, NAME);
        JsonNode p = object(root, "participant", NAME);
        String address = textOrEmpty(p, "address", NAME + ".participant");
        if (address.isEmpty()) {
            address = requiredText(p, "index", NAME + ".participant");
        }
        String status = status(p.get("status"));
        // current_epoch_stats is null (or omitted) for a participant with no activity this epoch yet: all zero.
        JsonNode stats = optionalObject(p, "current_epoch_stats", NAME + ".participant").orElse(null);
        String path = NAME + ".participant.current_epoch_stats";
        return new ParticipantStats(address, status,
                numberOrZero(stats, "inference_count", path),
                numberOrZero(stats, "missed_requests", path),
                numberOrZero(stats, "validated_inferences", path),
                numberOrZero(stats, "invalidated_inferences", path),
                numberOrZero(stats, "earned_coins", path),
                numberOrZero(stats, "rewarded_coins", path),
                numberOrZero(stats, "burned_coins", path),
                numberOrZero(p, "coin_balance", NAME + ".participant"),
                numberOrZero(p, "epochs_completed", NAME + ".participant"),
                OptionalDouble.empty(), route);
    }

    /** Names from the gateway, the integer from encoding/json; an omitted status is 0 = UNSPECIFIED. */
    static String status(JsonNode n) {
        if (n == null || n.isNull()) {
            return "UNSPECIFIED";
        }
        if (n.isIntegralNumber()) {
            int i = n.intValue();
            return i >= 0 && i < STATUS_NAMES.size() && n.canConvertToInt() ? STATUS_NAMES.get(i) : "UNKNOWN";
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            if (!s.isEmpty() && s.length() < 3 && s.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(s);
                return i < STATUS_NAMES.size() ? STATUS_NAMES.get(i) : "UNKNOWN";
            }
            return STATUS_NAMES.contains(s) ? s : "UNKNOWN";
        }
        throw SourceException.parse(NAME + ".participant.status: expected a string or number, got " + kind(n));
    }
}
