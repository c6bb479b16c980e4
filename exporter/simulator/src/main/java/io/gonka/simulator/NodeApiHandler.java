package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Routes the node port: admin API, CometBFT RPC (at the root and under {@code /chain-rpc}),
 * public API (under {@code /v1} and the proxy's {@code /api/v1} alias), chain REST (under
 * {@code /chain-api}) and the control API ({@code /_sim/}, not logged).
 */
final class NodeApiHandler implements HttpHandler {
    private static final String PARTICIPANT_PREFIX = ChainApiResponses.PREFIX + "participant/";

    private final SimState state;
    private final RequestLog log;
    private final FaultWriter faults;
    private final ControlApi control;
    /** Rendered bodies for the current state version; guarded by the state's lock. */
    private final Map<String, byte[]> cache = new HashMap<>();
    private long cacheVersion = -1;

    NodeApiHandler(SimState state, RequestLog log, FaultWriter faults, ControlApi control) {
        this.state = state;
        this.log = log;
        this.faults = faults;
        this.control = control;
    }

    private record Route(SimEndpoint endpoint, Function<HttpExchange, Reply> reply) {
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        try {
            if (path.startsWith("/_sim/")) {
                control.handle(ex);
                return;
            }
            Reply disabled = disabledByProxy(path);
            if (disabled != null) {
                log.record(new RequestLog.Entry(state.clock().instant(), MlNodeServer.SERVER_NAME_NODE, ex.getRequestMethod(),
                        path, ex.getRequestURI().getRawQuery(), null));
                FaultWriter.send(ex, disabled);
                return;
            }
            Route route = route(path);
            log.record(new RequestLog.Entry(state.clock().instant(), MlNodeServer.SERVER_NAME_NODE, ex.getRequestMethod(),
                    path, ex.getRequestURI().getRawQuery(), route == null ? null : route.endpoint()));
            SimEndpoint.Family family = route == null ? familyOf(path) : route.endpoint().family();
            if (!"GET".equals(ex.getRequestMethod())) {
                FaultWriter.send(ex, Reply.error(family, 405, "Method Not Allowed"));
                return;
            }
            if (route == null) {
                FaultWriter.send(ex, Reply.error(family, 404, "Not Found"));
                return;
            }
            FaultSpec spec = state.fault(route.endpoint());
            faults.write(ex, route.reply().apply(ex), spec, family, route.endpoint().wireName());
        } catch (RuntimeException e) {
            FaultWriter.send(ex, Reply.error(familyOf(path), 500, "simulator error: " + e));
        }
    }

    /** The public proxy's switches: {@code return 404 'Chain API Disabled'} for /chain-api/ and /chain-rpc/. */
    private Reply disabledByProxy(String path) {
        boolean off = (path.startsWith("/chain-api/") && state.chainApiDisabled())
                || (path.startsWith("/chain-rpc/") && state.chainRpcDisabled());
        return off ? Reply.text(404, "Chain API Disabled") : null;
    }

    private static SimEndpoint.Family familyOf(String path) {
        if (path.startsWith("/chain-api/")) {
            return SimEndpoint.Family.CHAIN_API;
        }
        if (path.startsWith("/admin/") || path.startsWith("/v1/") || path.startsWith("/api/") || path.startsWith("/v2/")) {
            return SimEndpoint.Family.DAPI;
        }
        return SimEndpoint.Family.COMET_RPC;
    }

    private Route route(String rawPath) {
        String path = rawPath.startsWith("/api/v1/") ? rawPath.substring(4) : rawPath;
        if (path.startsWith("/chain-rpc/")) {
            path = path.substring("/chain-rpc".length());
        }
        if (path.startsWith("/productscience/")) {
            path = "/chain-api" + path; // the chain REST port itself (:1317), not behind the public proxy
        }
        switch (path) {
            case "/admin/v1/nodes":
                return new Route(SimEndpoint.ADMIN_NODES, ex -> cachedJson("nodes", AdminApiResponses::nodes));
            case "/admin/v1/config":
                return new Route(SimEndpoint.ADMIN_CONFIG, ex -> state.legacy2025()
                        ? Reply.error(SimEndpoint.Family.DAPI, 404, "Not Found")
                        : cachedJson("config", AdminApiResponses::config));
            case "/admin/v1/nodes/upgrade-status":
                return new Route(SimEndpoint.ADMIN_UPGRADE_STATUS, ex -> state.legacy2025()
                        ? Reply.error(SimEndpoint.Family.DAPI, 404, "Not Found")
                        : Reply.json(200, (JsonNode) state.read(AdminApiResponses::upgradeStatus)));
            case "/admin/v1/setup/report":
                return new Route(SimEndpoint.ADMIN_SETUP_REPORT, ex -> state.legacy2025()
                        ? Reply.error(SimEndpoint.Family.DAPI, 404, "Not Found")
                        : Reply.json(200, (JsonNode) state.read(AdminApiResponses::setupReport)));
            case "/status":
                return new Route(SimEndpoint.RPC_STATUS, ex -> cachedJson("rpc-status", CometRpcResponses::status));
            case "/net_info":
                return new Route(SimEndpoint.RPC_NET_INFO, ex -> cachedJson("net-info", CometRpcResponses::netInfo));
            case "/validators":
                return new Route(SimEndpoint.RPC_VALIDATORS, this::validators);
            case "/v1/mlnodes/metrics":
                return new Route(SimEndpoint.PUBLIC_MLNODE_METRICS, ex -> state.legacy2025()
                        ? Reply.error(SimEndpoint.Family.DAPI, 404, "Not Found")
                        : Reply.text(200, state.read(NodeMetricsResponses::federation)));
            case "/metrics":
                return new Route(SimEndpoint.API_NODE_METRICS, ex -> state.legacy2025()
                        ? Reply.error(SimEndpoint.Family.DAPI, 404, "Not Found")
                        : Reply.text(200, state.read(NodeMetricsResponses::apiNode)));
            case "/abci_info":
                return new Route(SimEndpoint.RPC_ABCI_INFO, ex -> Reply.json(200, (JsonNode) state.read(CometRpcResponses::abciInfo)));
            case "/commit":
                return new Route(SimEndpoint.RPC_COMMIT, ex -> {
                    long h = parseLong(query(ex.getRequestURI().getRawQuery()).get("height"), state.height());
                    return Reply.json(200, (JsonNode) state.read(s -> CometRpcResponses.commit(s, h)));
                });
            case "/abci_query":
                return new Route(SimEndpoint.RPC_ABCI_QUERY, this::abciQuery);
            case "/v1/status":
                return new Route(SimEndpoint.PUBLIC_STATUS, ex -> Reply.json(200, PublicApiResponses.status()));
            case ChainApiResponses.PREFIX + "params":
                return new Route(SimEndpoint.CHAIN_PARAMS, ex -> cachedJson("params", ChainApiResponses::paramsResponse));
            case ChainApiResponses.PREFIX + "get_current_epoch":
                return new Route(SimEndpoint.CHAIN_CURRENT_EPOCH, ex -> cachedJson("current-epoch", ChainApiResponses::currentEpoch));
            case ChainApiResponses.PREFIX + "epoch_info":
                return new Route(SimEndpoint.CHAIN_EPOCH_INFO, ex -> cachedJson("epoch-info", ChainApiResponses::epochInfo));
            default:
                break;
        }
        if (path.startsWith(ChainApiResponses.COLLATERAL_PREFIX) && path.length() > ChainApiResponses.COLLATERAL_PREFIX.length()) {
            String address = path.substring(ChainApiResponses.COLLATERAL_PREFIX.length());
            return new Route(SimEndpoint.CHAIN_COLLATERAL, ex -> {
                JsonNode body = state.read(s -> ChainApiResponses.collateral(s, address));
                return body == null ? Reply.json(404, ChainApiResponses.notFound()) : Reply.json(200, body);
            });
        }
        if (path.startsWith(PARTICIPANT_PREFIX) && path.length() > PARTICIPANT_PREFIX.length()) {
            String address = path.substring(PARTICIPANT_PREFIX.length());
            return new Route(SimEndpoint.CHAIN_PARTICIPANT, ex -> {
                JsonNode body = state.read(s -> ChainApiResponses.participant(s, address));
                return body == null ? Reply.json(404, ChainApiResponses.notFound()) : Reply.json(200, body);
            });
        }
        String[] parts = path.split("/");
        // ["", "v1"|"v2", "participants", address]
        if (parts.length == 4 && parts[2].equals("participants") && !parts[3].isEmpty()
                && (parts[1].equals("v1") || parts[1].equals("v2"))) {
            boolean v2 = parts[1].equals("v2");
            String address = parts[3];
            return new Route(v2 ? SimEndpoint.PUBLIC_V2_PARTICIPANT : SimEndpoint.PUBLIC_V1_PARTICIPANT, ex -> {
                if (v2 && state.legacy2025()) {
                    return Reply.error(SimEndpoint.Family.DAPI, 404, "Not Found"); // v0.2.0 has no /v2 group
                }
                JsonNode body = state.read(s -> v2 ? PublicApiResponses.v2Participant(s, address) : PublicApiResponses.v1Participant(s, address));
                return body == null ? Reply.error(SimEndpoint.Family.DAPI, 404, "participant not found") : Reply.json(200, body);
            });
        }
        // ["", "v1", "epochs", id] or ["", "v1", "epochs", id, "participants"]
        if (parts.length == 4 && parts[1].equals("v1") && parts[2].equals("epochs")) {
            return new Route(SimEndpoint.PUBLIC_EPOCHS_LATEST, ex -> parts[3].equals("latest")
                    ? cachedJson("epochs-latest", PublicApiResponses::epochsLatest)
                    : Reply.error(SimEndpoint.Family.DAPI, 400, "Only getting info for current epoch is supported at the moment"));
        }
        if (parts.length == 5 && parts[1].equals("v1") && parts[2].equals("epochs") && parts[4].equals("participants")) {
            return new Route(SimEndpoint.PUBLIC_EPOCH_PARTICIPANTS, ex -> participants(parts[3]));
        }
        return null;
    }

    private Reply participants(String epochId) {
        long effective = state.effectiveEpochIndex();
        if (!epochId.equals("current")) {
            long requested;
            try {
                requested = Long.parseLong(epochId);
            } catch (NumberFormatException e) {
                return Reply.error(SimEndpoint.Family.DAPI, 400, "Invalid epoch id: " + epochId);
            }
            if (requested == 0) {
                return Reply.error(SimEndpoint.Family.DAPI, 400, "Epoch enumeration starts with 1");
            }
            if (requested != effective) {
                return Reply.error(SimEndpoint.Family.DAPI, 404,
                        "No active participants found for the specified epoch. Looks like PoC failed!");
            }
        }
        return cachedJson("participants", PublicApiResponses::epochParticipants);
    }

    private Reply validators(HttpExchange ex) {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int page = parseInt(q.get("page"), 1);
        int perPage = parseInt(q.get("per_page"), 30);
        JsonNode body = state.read(s -> CometRpcResponses.validators(s, page, perPage));
        return Reply.json(200, body);
    }

    /** {@code /abci_query?path="..."&data=0x...} as CometBFT's URI handler takes it. */
    private Reply abciQuery(HttpExchange ex) {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        String path = java.net.URLDecoder.decode(q.getOrDefault("path", ""), java.nio.charset.StandardCharsets.UTF_8);
        if (path.length() >= 2 && path.startsWith("\"") && path.endsWith("\"")) {
            path = path.substring(1, path.length() - 1);
        }
        String data = q.getOrDefault("data", "");
        byte[] bytes;
        try {
            bytes = data.isEmpty() ? new byte[0] : java.util.HexFormat.of().parseHex(data.startsWith("0x") ? data.substring(2) : data);
        } catch (IllegalArgumentException e) {
            return Reply.json(200, CometRpcResponses.error("invalid data hex"));
        }
        String p = path;
        return Reply.json(200, (JsonNode) state.read(s -> CometRpcResponses.abciQuery(s, p, bytes)));
    }

    private static long parseLong(String value, long fallback) {
        try {
            return value == null ? fallback : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static int parseInt(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return out;
    }

    /** Renders once per state version; big bodies (2,000 participants) are not rebuilt per request. */
    private Reply cachedJson(String key, Function<SimState, JsonNode> render) {
        byte[] body = state.read(s -> {
            if (cacheVersion != s.version()) {
                cache.clear();
                cacheVersion = s.version();
            }
            return cache.computeIfAbsent(key, k -> Json.bytes(render.apply(s)));
        });
        return Reply.json(200, body);
    }
}
