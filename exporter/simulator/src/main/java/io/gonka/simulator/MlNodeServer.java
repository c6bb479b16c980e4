package io.gonka.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.Executor;

/**
 * The HTTP server of one simulated ML node, on the node's own loopback address. Routes are
 * served under {@code /{current_node_version}} and, like the ML node's nginx, also without a
 * prefix; any other version prefix is a 404.
 */
final class MlNodeServer {
    static final String SERVER_NAME_NODE = "node";

    private final String nodeId;
    private final SimState state;
    private final RequestLog log;
    private final FaultWriter faults;
    private final HttpServer server;

    private MlNodeServer(String nodeId, SimState state, RequestLog log, FaultWriter faults, HttpServer server) {
        this.nodeId = nodeId;
        this.state = state;
        this.log = log;
        this.faults = faults;
        this.server = server;
    }

    /** Binds and starts the server for {@code node}; port 0 picks a free one. */
    static MlNodeServer start(SimMlNode node, SimState state, RequestLog log, FaultWriter faults, Executor executor)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(Loopback.inet(node.bindAddress()), node.port()), 64);
        MlNodeServer s = new MlNodeServer(node.id(), state, log, faults, http);
        http.createContext("/", s::handle);
        http.setExecutor(executor);
        http.start();
        return s;
    }

    /** A port on {@code address} that nothing listens on right now (for nodes that start unreachable). */
    static int reservePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, Loopback.inet(address))) {
            return socket.getLocalPort();
        }
    }

    static boolean isAddressUnavailable(IOException e) {
        return e instanceof BindException && String.valueOf(e.getMessage()).contains("assign");
    }

    int port() {
        return server.getAddress().getPort();
    }

    String address() {
        return server.getAddress().getAddress().getHostAddress();
    }

    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            dispatch(ex);
        } catch (RuntimeException e) {
            FaultWriter.send(ex, Reply.error(SimEndpoint.Family.ML_NODE, 500, "simulator error: " + e));
        }
    }

    private void dispatch(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String route = stripVersion(path, state.currentNodeVersion());
        SimEndpoint endpoint = route == null ? null : switch (route) {
            case "/health", "/livez" -> SimEndpoint.MLNODE_HEALTH;
            case "/api/v1/gpu/devices" -> SimEndpoint.MLNODE_GPU_DEVICES;
            case "/api/v1/state" -> SimEndpoint.MLNODE_STATE;
            case "/api/v1/metrics" -> SimEndpoint.MLNODE_METRICS;
            default -> null;
        };
        log.record(new RequestLog.Entry(state.clock().instant(), nodeId, ex.getRequestMethod(), path,
                ex.getRequestURI().getRawQuery(), endpoint));

        SimMlNode node = state.mlNode(nodeId);
        if (node == null) {
            FaultWriter.send(ex, Reply.error(SimEndpoint.Family.ML_NODE, 404, "Not Found"));
            return;
        }
        if (node.slowMillis() > 0 && faults.pause(node.slowMillis())) {
            ex.close();
            return;
        }
        if (!"GET".equals(ex.getRequestMethod())) {
            FaultWriter.send(ex, Reply.error(SimEndpoint.Family.ML_NODE, 405, "Method Not Allowed"));
            return;
        }
        Reply reply = route == null ? null : reply(route, node, ex, state.legacy2025(), state.height());
        if (reply == null) {
            FaultWriter.send(ex, Reply.error(SimEndpoint.Family.ML_NODE, 404, "Not Found"));
            return;
        }
        FaultSpec spec = endpoint == null ? FaultSpec.NONE : state.mlNodeFault(nodeId, endpoint);
        faults.write(ex, reply, spec, SimEndpoint.Family.ML_NODE, nodeId + "/" + route);
    }

    /** The route below the version prefix, or null when another version prefix was used. */
    static String stripVersion(String path, String version) {
        if (version != null && !version.isEmpty()) {
            String prefix = "/" + version;
            if (path.equals(prefix)) {
                return "/";
            }
            if (path.startsWith(prefix + "/")) {
                return path.substring(prefix.length());
            }
        }
        return path.matches("/v\\d+(\\.\\d+)*(/.*)?") ? null : path;
    }

    private static Reply reply(String route, SimMlNode node, HttpExchange ex, boolean legacy, long height) {
        boolean signatureMissing = node.signed() && ex.getRequestHeaders().getFirst("X-Signature") == null;
        if (legacy && !route.equals("/api/v1/state")) {
            return null; // release v0.2.0: only the /api/v1 pow/train/inference/state routers; no /health, GPU or metrics routes
        }
        return switch (route) {
            case "/api/v1/state" -> Reply.json(200, MlNodeResponses.state(node, legacy));
            case "/api/v1/metrics" -> Reply.text(200, NodeMetricsResponses.mlNode(node, height, false, new StringBuilder(), true));
            case "/health", "/livez" -> Reply.json(MlNodeResponses.isHealthy(node) ? 200 : 503, MlNodeResponses.health(node));
            case "/readyz" -> Reply.json(node.healthy() ? 200 : 503, Json.obj().put("ready", node.healthy()));
            case "/api/v1/gpu/devices" -> signatureMissing
                    ? Reply.json(403, MlNodeResponses.detail("Missing signature"))
                    : Reply.json(200, MlNodeResponses.gpuDevices(node));
            case "/api/v1/gpu/driver" -> signatureMissing
                    ? Reply.json(403, MlNodeResponses.detail("Missing signature"))
                    : Reply.json(200, Json.obj().put("driver_version", "570.133.20")
                            .put("cuda_driver_version", "12.8").put("nvml_version", "12.570.133.20"));
            default -> null;
        };
    }
}
