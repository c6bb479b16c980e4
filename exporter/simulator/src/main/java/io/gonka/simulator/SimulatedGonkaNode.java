package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A simulated Gonka node for integration, end-to-end, soak and benchmark tests. It serves, on
 * loopback only, the real JSON shapes of every upstream the exporter polls (see
 * {@code src/test/resources/gonka-api/README.md}), rendered from a live {@link SimState}.
 *
 * <h2>Servers</h2>
 * <ul>
 *   <li><b>Node port</b> ({@link #baseUrl()}, default 127.0.0.1, ephemeral port):
 *     admin {@code /admin/v1/nodes|config|setup/report}; CometBFT {@code /status}, {@code /net_info},
 *     {@code /validators} (also under {@code /chain-rpc/}); public {@code /v1/status},
 *     {@code /v1/epochs/latest}, {@code /v1/epochs/{current|N}/participants} (also under {@code /api/v1/});
 *     chain REST {@code /chain-api/productscience/inference/inference/participant/{addr}|params|get_current_epoch|epoch_info}
 *     (also at the root, as the chain's own REST port serves it); {@code /v1/participants/{addr}} (account balance),
 *     {@code /v2/participants/{addr}} (newest releases), {@code /admin/v1/nodes/upgrade-status};
 *     control API {@code /_sim/...}. With {@code chain_api_disabled} / {@code chain_rpc_disabled} the proxy prefixes
 *     answer {@code 404 Chain API Disabled}, as a default deployment's proxy does.</li>
 *   <li><b>One server per ML node</b> on the node's own 127.x address ({@link #mlNodeBaseUrl}):
 *     {@code /{current_node_version}/health}, {@code .../livez}, {@code .../readyz},
 *     {@code .../api/v1/gpu/devices}, {@code .../api/v1/gpu/driver}, {@code .../api/v1/state}; the same without a
 *     prefix. In {@code legacy2025} mode (release v0.2.0) only {@code /api/v1/state}.</li>
 * </ul>
 *
 * <h2>Time</h2>
 * The chain does not advance by itself. The latest block time is set whenever the height
 * moves, so without {@link #startBlockProduction} (or {@code advance_blocks}) the block ages
 * with the wall clock, and after 60 s the setup report's {@code block_sync} check fails, as it
 * would for a stalled chain. Tests that need a live chain start block production; tests that
 * need determinism pass a fixed {@link Clock} to {@link Scenarios}.
 *
 * <h2>Java use</h2>
 * <pre>{@code
 * try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
 *     String admin = sim.adminBaseUrl();            // http://127.0.0.1:PORT
 *     sim.state().setMlNodeStatus("node1", "INFERENCE", "FAILED");
 *     sim.state().setFault(SimEndpoint.ADMIN_NODES, Fault.HTTP_500);
 *     sim.requestLog().count("/admin/v1/");
 * }
 * }</pre>
 *
 * <h2>Control API</h2>
 * {@code GET /_sim/state} returns a summary (height, epochs, phase, ML nodes with ports, faults,
 * modes). {@code POST /_sim/state} takes one command object, an array of them, or
 * {@code {"commands":[...]}}, applies them in order and returns the summary (400
 * {@code {"error":...}} on a bad command). {@code GET /_sim/requests} returns request counts;
 * {@code POST /_sim/requests/clear} resets them. {@code POST /_sim/notify/...} records any body
 * (a Telegram/Slack stand-in for the demo's Alertmanager) and {@code GET /_sim/notifications}
 * lists the last 500 recorded. Commands ({@code "op"} plus fields; fields in
 * brackets are optional; {@code address} defaults to the own participant):
 * <ul>
 *   <li>{@code set_height {height}}, {@code advance_blocks {blocks}}, {@code start_next_poc {}},
 *       {@code roll_epoch {}} (to the next epoch's claim_money block: new effective epoch, stats reset)</li>
 *   <li>{@code set_chain {[stalled], [block_age_seconds], [catching_up], [peers], [block_interval_ms]}}</li>
 *   <li>{@code set_ml_node {node_id, [status], [intended_status], [current_status], [poc_intended_status],
 *       [poc_current_status], [reconcile_status] (null removes), [reconcile_poc_status], [poc_weight], [in_epoch],
 *       [enabled], [lock_count], [failure_reason], [reachable], [healthy], [upgrade_ready], [signed], [slow_ms], [health_gpus]}}</li>
 *   <li>{@code add_ml_node {node_id, address, [port], [scheme_host], [gpus], [gpu_name], [status], [poc_weight]}},
 *       {@code remove_ml_node {node_id}}</li>
 *   <li>{@code add_gpu {node_id, [name], [total_memory_mb], [used_memory_mb], [utilization_percent], [temperature_c]}},
 *       {@code remove_gpu {node_id, index}},
 *       {@code set_gpu {node_id, index, [lost], [available], [error_message], [utilization_percent], [temperature_c], [used_memory_mb]}}</li>
 *   <li>{@code set_participant {[address], [weight], [status], [inference_count], [missed_requests]}},
 *       {@code add_participant {[address] or label, weight, [inference_url]}}, {@code remove_participant {address}}</li>
 *   <li>{@code set_fault {endpoint, fault, [node_id], [delay_ms], [huge_mb]}} (endpoint: a {@link SimEndpoint}
 *       wire name such as {@code admin_nodes}; fault: a {@link Fault} wire name such as {@code http_500};
 *       node_id scopes ML node faults to one node), {@code clear_faults {}}</li>
 *   <li>{@code set_mode {[legacy2025], [string_numbers], [chain_api_disabled], [chain_rpc_disabled], [profile]}}
 *       (profile: {@code newest} or {@code v0.2.0}, see {@link Scenarios#applyProfile}),
 *       {@code set_confirmation_poc {phase}} (0 none, 1 grace period, 2 generation, 3 validation, 4 completed)</li>
 *   <li>{@code set_config {[current_node_version], [previous_seed_claimed], [processing_lag], [worker_private],
 *       [upgrade_name], [upgrade_height], [upgrade_node_version], [binom_p0_value], [binom_p0_exponent],
 *       [chain_app_version], [validator_signing], [validator_jailed_until] (ISO-8601 or null),
 *       [validator_tombstoned], [collateral] (ngonka or null)}}</li>
 * </ul>
 *
 * <h2>Command line</h2>
 * {@code java -cp <test classpath> io.gonka.simulator.SimulatedGonkaNode [--port 0] [--bind 127.0.0.1]
 * [--scenario standard|newest|v0.2.0|scale:P:M:G|scale:P:M:L:G] [--port-file FILE] [--worker-private SECRET] [--block-interval-ms N]}
 * prints one JSON line with the ports ({@link #describe()}), writes the same to the port file, and
 * runs until SIGTERM/SIGINT, then shuts down cleanly.
 */
public final class SimulatedGonkaNode implements AutoCloseable {
    public static final String DEFAULT_BIND = "127.0.0.1";

    private final SimState state;
    private final String bindAddress;
    private final int requestedPort;
    private final RequestLog log = new RequestLog();
    private final FaultWriter faults = new FaultWriter();
    private final ExecutorService executor;
    private final ScheduledExecutorService blockProducer;
    private final Map<String, MlNodeServer> mlServers = new LinkedHashMap<>();
    private final Runnable stateListener = this::syncMlNodeServers;
    private HttpServer nodeServer;
    private ScheduledFuture<?> blockTask;
    private long blockIntervalMillis;
    private boolean running;
    private boolean closed;

    public SimulatedGonkaNode(SimState state) {
        this(state, DEFAULT_BIND, 0);
    }

    /**
     * @param bindAddress a 127.x address for the node port
     * @param port        0 for an ephemeral port
     */
    public SimulatedGonkaNode(SimState state, String bindAddress, int port) {
        this.state = state;
        this.bindAddress = Loopback.requireLoopback(bindAddress);
        this.requestedPort = port;
        this.executor = Executors.newCachedThreadPool(daemonThreads("gonka-sim-http"));
        this.blockProducer = Executors.newSingleThreadScheduledExecutor(daemonThreads("gonka-sim-blocks"));
    }

    /** Not yet started; see {@link Scenarios#standard}. */
    public static SimulatedGonkaNode standard() {
        return new SimulatedGonkaNode(Scenarios.standard());
    }

    /** Not yet started; see {@link Scenarios#scale(int, int, int, Clock)}. */
    public static SimulatedGonkaNode scale(int participants, int mlNodes, int gpusPerNode) {
        return new SimulatedGonkaNode(Scenarios.scale(participants, mlNodes, gpusPerNode));
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Binds the node port and every reachable ML node. Returns this, for try-with-resources chains. */
    public synchronized SimulatedGonkaNode start() throws IOException {
        if (running || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(Loopback.inet(bindAddress), requestedPort), 128);
        http.createContext("/", new NodeApiHandler(state, log, faults, new ControlApi(this)));
        http.setExecutor(executor);
        http.start();
        nodeServer = http;
        running = true;
        state.addChangeListener(stateListener);
        try {
            syncMlNodeServers();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /** Stops every server and thread, releasing hanging and dripping requests first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        state.removeChangeListener(stateListener);
        faults.stop();
        blockProducer.shutdownNow();
        mlServers.values().forEach(MlNodeServer::stop);
        mlServers.clear();
        if (nodeServer != null) {
            nodeServer.stop(0);
        }
        executor.shutdownNow();
    }

    public SimState state() {
        return state;
    }

    public RequestLog requestLog() {
        return log;
    }

    public synchronized int port() {
        requireRunning();
        return nodeServer.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}: admin, CometBFT RPC and public API all answer here. */
    public String baseUrl() {
        return "http://" + bindAddress + ":" + port();
    }

    public String adminBaseUrl() {
        return baseUrl();
    }

    /** CometBFT RPC at the root, as on port 26657. */
    public String rpcBaseUrl() {
        return baseUrl();
    }

    /** CometBFT RPC behind the proxy prefix, as on port 8000. */
    public String chainRpcBaseUrl() {
        return baseUrl() + "/chain-rpc";
    }

    public String publicBaseUrl() {
        return baseUrl();
    }

    /** Chain REST gateway behind the proxy prefix. */
    public String chainApiBaseUrl() {
        return baseUrl() + "/chain-api";
    }

    /** The port ML node {@code nodeId} listens on (or would, when unreachable). */
    public int mlNodePort(String nodeId) {
        return requireNode(nodeId).port();
    }

    /** {@code http://127.0.0.x:PORT/{current_node_version}}, where the exporter should find the node. */
    public String mlNodeBaseUrl(String nodeId) {
        SimMlNode n = requireNode(nodeId);
        String version = state.currentNodeVersion();
        return n.serverBaseUrl() + (version.isEmpty() ? "" : "/" + version);
    }

    private SimMlNode requireNode(String nodeId) {
        SimMlNode n = state.mlNode(nodeId);
        if (n == null) {
            throw new IllegalArgumentException("no ML node " + nodeId);
        }
        return n;
    }

    /** Advances one block per {@code interval} unless the chain is stalled; zero or null stops. */
    public synchronized void startBlockProduction(Duration interval) {
        if (blockTask != null) {
            blockTask.cancel(false);
            blockTask = null;
        }
        blockIntervalMillis = interval == null ? 0 : interval.toMillis();
        if (blockIntervalMillis > 0 && !closed) {
            blockTask = blockProducer.scheduleAtFixedRate(() -> {
                if (!state.chainStalled()) {
                    state.advanceBlocks(1);
                }
            }, blockIntervalMillis, blockIntervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    public void stopBlockProduction() {
        startBlockProduction(Duration.ZERO);
    }

    synchronized long blockIntervalMillis() {
        return blockIntervalMillis;
    }

    private void requireRunning() {
        if (!running) {
            throw new IllegalStateException("simulator is not running");
        }
    }

    /** Brings the ML node servers in line with the state: start, stop, restart, reserve ports. */
    private synchronized void syncMlNodeServers() {
        if (!running) {
            return;
        }
        List<SimMlNode> nodes = state.mlNodeSnapshots();
        Set<String> ids = new HashSet<>();
        for (SimMlNode n : nodes) {
            ids.add(n.id());
        }
        mlServers.entrySet().removeIf(e -> {
            if (!ids.contains(e.getKey())) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
        IOException failure = null;
        for (SimMlNode n : nodes) {
            MlNodeServer server = mlServers.get(n.id());
            boolean moved = server != null
                    && (!server.address().equals(n.bindAddress()) || (n.port() != 0 && server.port() != n.port()));
            if (server != null && (!n.reachable() || moved)) {
                server.stop();
                mlServers.remove(n.id());
                server = null;
            }
            try {
                if (server == null && n.reachable()) {
                    server = startMlNode(n);
                    mlServers.put(n.id(), server);
                    state.recordBinding(n.id(), server.address(), server.port());
                } else if (server == null && n.port() == 0) {
                    state.recordBinding(n.id(), n.bindAddress(), MlNodeServer.reservePort(n.bindAddress()));
                }
            } catch (IOException e) {
                // Nothing listens, so the state must say so; the caller still hears about it.
                state.recordUnreachable(n.id());
                failure = e;
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("cannot bind an ML node server", failure);
        }
    }

    private MlNodeServer startMlNode(SimMlNode n) throws IOException {
        try {
            return MlNodeServer.start(n, state, log, faults, executor);
        } catch (IOException e) {
            // Systems that only route 127.0.0.1 (e.g. macOS without aliases): fall back to it.
            if (MlNodeServer.isAddressUnavailable(e) && !n.bindAddress().equals(DEFAULT_BIND)) {
                SimMlNode fallback = n.copy().bindAddress(DEFAULT_BIND).port(0);
                return MlNodeServer.start(fallback, state, log, faults, executor);
            }
            throw e;
        }
    }

    /** Ports and URLs as JSON: what the CLI prints and writes to the port file. */
    public ObjectNode describe() {
        ObjectNode o = Json.obj();
        o.put("node_port", port());
        o.put("base_url", baseUrl());
        o.put("chain_rpc_url", chainRpcBaseUrl());
        o.put("chain_api_url", chainApiBaseUrl());
        ObjectNode nodes = o.putObject("ml_nodes");
        for (SimMlNode n : state.mlNodeSnapshots()) {
            nodes.putObject(n.id())
                    .put("address", n.bindAddress())
                    .put("port", n.port())
                    .put("host", n.reportedHost())
                    .put("reachable", n.reachable())
                    .put("url", mlNodeBaseUrl(n.id()));
        }
        return o;
    }

    // ------------------------------------------------------------------ CLI

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        String scenario = opts.getOrDefault("scenario", "standard");
        SimState state = Scenarios.byName(scenario, Clock.systemUTC());
        if (opts.containsKey("worker-private")) {
            state.setWorkerPrivateKey(opts.get("worker-private"));
        }
        SimulatedGonkaNode sim = new SimulatedGonkaNode(state, opts.getOrDefault("bind", DEFAULT_BIND),
                Integer.parseInt(opts.getOrDefault("port", "0")));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            done.countDown();
        }, "gonka-sim-shutdown"));
        sim.start();
        if (opts.containsKey("block-interval-ms")) {
            sim.startBlockProduction(Duration.ofMillis(Long.parseLong(opts.get("block-interval-ms"))));
        }
        String description = Json.MAPPER.writeValueAsString(sim.describe());
        if (opts.containsKey("port-file")) {
            Path file = Path.of(opts.get("port-file")).toAbsolutePath();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, description + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println(description);
        System.out.flush();
        done.await();
    }

    private static Map<String, String> parseArgs(String[] args) {
        Set<String> known = Set.of("port", "bind", "scenario", "port-file", "worker-private", "block-interval-ms");
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: SimulatedGonkaNode [--port N] [--bind 127.x.y.z] "
                        + "[--scenario standard|newest|v0.2.0|scale:P:M:G|scale:P:M:L:G] [--port-file FILE] [--worker-private SECRET] "
                        + "[--block-interval-ms N]   (bad argument: " + a + ")");
            }
            opts.put(a.substring(2), args[++i]);
        }
        return opts;
    }
}
