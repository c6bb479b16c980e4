package io.gonka.exporter.sources;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.SourceState;
import io.gonka.exporter.upstream.ExporterUrls;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.AdminConfigSnapshot;
import io.gonka.exporter.model.AdminNodesSnapshot;
import io.gonka.exporter.model.MlNode;
import io.gonka.exporter.model.MlNodeHealth;
import io.gonka.exporter.model.MlNodeHealth.Gpu;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every registered ML node for its own health, one request per node per interval, a bounded
 * number in flight. Each node's answer is published the moment it arrives, so one slow node never
 * holds back the others; the sweep as a whole is the poll the scheduler sees.
 */
public final class MlNodeHealthSource implements Source<Map<String, MlNodeHealth>> {
    public static final String NAME = "mlnode_health";
    private static final Logger LOG = LoggerFactory.getLogger(MlNodeHealthSource.class);
    private static final double MIB = 1024.0 * 1024.0;

    private final UpstreamClient client;
    private final Duration interval;
    private final Duration detailInterval;
    private final String scheme;
    private final int concurrency;
    private final Supplier<Optional<AdminNodesSnapshot>> nodes;
    private final Supplier<Optional<AdminConfigSnapshot>> config;
    private final java.util.function.BooleanSupplier configSettled;
    private final Clock clock;
    private final Map<String, MlNodeHealth> latest = new ConcurrentHashMap<>();
    private final Set<String> gpuRouteForbidden = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

    public MlNodeHealthSource(UpstreamClient client, Duration interval, int concurrency,
                              Supplier<Optional<AdminNodesSnapshot>> nodes,
                              Supplier<Optional<AdminConfigSnapshot>> config,
                              java.util.function.BooleanSupplier configSettled, Clock clock) {
        this(client, interval, Duration.ZERO, "http", concurrency, nodes, config, configSettled, clock);
    }

    /**
     * @param detailInterval how often {@code /health} is asked per node (it enumerates the GPUs through NVML on
     *                       the ML node); in between, liveness comes from {@code /api/v1/state}
     * @param scheme         {@code http}, or {@code https} for ML nodes behind the mTLS proxy
     */
    public MlNodeHealthSource(UpstreamClient client, Duration interval, Duration detailInterval, String scheme, int concurrency,
                              Supplier<Optional<AdminNodesSnapshot>> nodes,
                              Supplier<Optional<AdminConfigSnapshot>> config,
                              java.util.function.BooleanSupplier configSettled, Clock clock) {
        this.client = client;
        this.interval = interval;
        this.detailInterval = detailInterval; // at or below the interval: /health on every poll
        this.scheme = scheme == null || scheme.isBlank() ? "http" : scheme.trim();
        this.concurrency = Math.max(1, concurrency);
        this.nodes = nodes;
        this.config = config;
        this.configSettled = configSettled;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    /** Counts node answers published between sweeps. */
    public long changes() {
        return changes.get();
    }

    /** Latest answer per node, fresh or not; the collector checks its age. */
    public Map<String, MlNodeHealth> latest() {
        return latest;
    }

    /** {@code http://host:poc_port}, or the host itself when it is registered with a scheme (RunPod proxies). */
    public static String baseUrl(MlNode node, String version) {
        return baseUrl(node, version, "http");
    }

    /**
     * @param scheme for a host registered bare: {@code https} where the PoC port sits behind the mTLS nginx
     *               of {@code deploy/join/MTLS.md} (the registration itself stays bare there)
     */
    public static String baseUrl(MlNode node, String version, String scheme) {
        String host = node.host().trim();
        String base;
        if (host.startsWith("http://") || host.startsWith("https://")) {
            base = ExporterUrls.trimSlash(host);
        } else {
            base = scheme + "://" + host + (node.pocPort() > 0 ? ":" + node.pocPort() : "");
        }
        String v = version == null ? "" : version.trim();
        String prefix = v.isEmpty() ? "" : "/" + v;
        return base + prefix + ExporterUrls.trimSlash(node.pocSegment());
    }

    @Override
    public CompletionStage<Map<String, MlNodeHealth>> poll() {
        Optional<AdminNodesSnapshot> current = nodes.get();
        if (current.isEmpty()) {
            return CompletableFuture.failedFuture(new NotReadyException("no ML node list from admin_nodes yet"));
        }
        if (!configSettled.getAsBoolean()) {
            // the URL prefix comes from admin_config: without its first answer every path could be wrong
            return CompletableFuture.failedFuture(new NotReadyException("waiting for admin_config's first answer (the URL prefix)"));
        }
        String version = config.get().map(AdminConfigSnapshot::nodeVersion).orElse("");
        List<MlNode> list = current.get().nodes();
        Set<String> ids = new HashSet<>();
        list.forEach(n -> ids.add(n.id()));
        latest.keySet().retainAll(ids); // a node removed from the admin API is gone from the next scrape
        lastDetail.keySet().retainAll(ids);
        noHealthRoute.retainAll(ids);

        ConcurrentLinkedQueue<MlNode> queue = new ConcurrentLinkedQueue<>(list);
        CompletableFuture<Map<String, MlNodeHealth>> sweep = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(list.size());
        if (list.isEmpty()) {
            sweep.complete(Map.of());
            return sweep;
        }
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            MlNode node = queue.poll();
            if (node == null) {
                return;
            }
            check(node, version).whenComplete((h, t) -> {
                if (ids.contains(node.id())) {
                    latest.put(node.id(), h);
                    changes.incrementAndGet();
                }
                if (remaining.decrementAndGet() == 0) {
                    sweep.complete(Map.copyOf(latest));
                } else {
                    next[0].run();
                }
            });
        };
        for (int i = 0; i < Math.min(concurrency, list.size()); i++) {
            next[0].run();
        }
        return sweep;
    }

    /** Nodes that answered 404 on {@code /health}: older ML nodes (v0.2.0), polled through {@code /api/v1/state}. */
    private final Set<String> noHealthRoute = ConcurrentHashMap.newKeySet();
    /** When each node's {@code /health} (NVML behind it) was last asked. */
    private final Map<String, java.time.Instant> lastDetail = new ConcurrentHashMap<>();

    private CompletableFuture<MlNodeHealth> check(MlNode node, String version) {
        String base = baseUrl(node, version, scheme);
        String path = NAME + "[" + clip(node.id()) + "]";
        java.time.Instant now = clock.instant();
        java.time.Instant last = lastDetail.get(node.id());
        // A node without /health is asked again once per detail interval: it may have been upgraded.
        boolean detail = last == null || Duration.between(last, now).compareTo(detailInterval) >= 0;
        CompletableFuture<MlNodeHealth> answer = detail
                ? health(node, base, path).thenCompose(h -> h != null ? CompletableFuture.completedFuture(h) : state(node, base, path))
                : state(node, base, path);
        return answer.handle((h, t) -> {
            if (t == null) {
                logChange(node.id(), null);
                return h;
            }
            logChange(node.id(), SourceState.unwrap(t).getMessage());
            return new MlNodeHealth(node.id(), false, false, false, "", List.of(), clock.instant(), route(node.id()));
        });
    }

    private String route(String nodeId) {
        return noHealthRoute.contains(nodeId) ? MlNodeHealth.ROUTE_STATE : MlNodeHealth.ROUTE_HEALTH;
    }

    /** {@code /health}; completes with null when the node has no such route (404: an older ML node). */
    private CompletableFuture<MlNodeHealth> health(MlNode node, String base, String path) {
        return client.get(base + "/health").thenCompose(r -> {
            if (r.status() == 404) {
                lastDetail.put(node.id(), clock.instant());
                if (noHealthRoute.add(node.id())) {
                    LOG.info("ML node {}: no /health route (an ML node older than /health, e.g. release v0.2.0); "
                            + "polling {}/api/v1/state instead, which says alive but not healthy", node.id(), base);
                }
                return CompletableFuture.completedFuture(null);
            }
            if (r.status() != 200 && r.status() != 503) {
                throw new SourceException(FailureReason.HTTP, "HTTP " + r.status() + " from " + r.url());
            }
            lastDetail.put(node.id(), clock.instant());
            if (noHealthRoute.remove(node.id())) {
                LOG.info("ML node {}: /health answers now; polling it again", node.id());
            }
            JsonNode root = readTree(r.body(), path);
            boolean healthy = "healthy".equals(textOrEmpty(root, "status", path));
            String serviceState = textOrEmpty(root, "service_state", path);
            Optional<JsonNode> gpu = optionalObject(root, "gpu", path);
            JsonNode devices = gpu.map(g -> g.get("devices")).orElse(null);
            if (devices != null && devices.isArray()) {
                return CompletableFuture.completedFuture(new MlNodeHealth(node.id(), true, true, healthy, serviceState,
                        gpus(devices, path), clock.instant(), MlNodeHealth.ROUTE_HEALTH));
            }
            // No device list in the health body: the GPU route has it, unless it wants a signature.
            MlNodeHealth withoutGpus = new MlNodeHealth(node.id(), true, true, healthy, serviceState, List.of(), clock.instant(),
                    MlNodeHealth.ROUTE_HEALTH);
            if (gpuRouteForbidden.contains(node.id())) {
                return CompletableFuture.completedFuture(withoutGpus);
            }
            return client.get(base + "/api/v1/gpu/devices").thenApply(g -> {
                if (g.status() == 403) {
                    gpuRouteForbidden.add(node.id());
                    LOG.info("ML node {}: GPU route wants a signature (403); using /health only", node.id());
                    return withoutGpus;
                }
                if (!g.ok()) {
                    return withoutGpus;
                }
                JsonNode groot = readTree(g.body(), path + ".gpu_devices");
                JsonNode devs = groot.get("devices");
                if (devs == null || !devs.isArray()) {
                    throw SourceException.parse(path + ".gpu_devices.devices: expected an array, got " + kind(devs));
                }
                return new MlNodeHealth(node.id(), true, true, healthy, serviceState, gpus(devs, path), clock.instant(),
                        MlNodeHealth.ROUTE_HEALTH);
            }).exceptionally(t -> withoutGpus);
        });
    }

    /**
     * {@code /api/v1/state} ({@code {"state": "INFERENCE"|"POW"|"TRAIN"|"STOPPED"}}): served by every ML node
     * release, touches no GPU. Between two {@code /health} calls the last health verdict and GPU list stay,
     * as long as they are not older than three detail intervals.
     */
    private CompletableFuture<MlNodeHealth> state(MlNode node, String base, String path) {
        return client.getOk(base + "/api/v1/state", false).thenApply(body -> {
            JsonNode root = readTree(body, path + ".state");
            if (!root.isObject()) {
                throw SourceException.parse(path + ".state: expected an object, got " + kind(root));
            }
            String serviceState = textOrEmpty(root, "state", path + ".state");
            MlNodeHealth prev = latest.get(node.id());
            java.time.Instant detailAt = lastDetail.get(node.id());
            boolean keep = prev != null && prev.answered() && prev.healthKnown() && detailAt != null
                    && !noHealthRoute.contains(node.id())
                    && Duration.between(detailAt, clock.instant()).compareTo(detailInterval.multipliedBy(3)) <= 0;
            return new MlNodeHealth(node.id(), true, keep, keep && prev.healthy(), serviceState,
                    keep ? prev.gpus() : List.of(), clock.instant(), route(node.id()));
        });
    }

    private final Map<String, String> lastProblem = new ConcurrentHashMap<>();

    private void logChange(String nodeId, String problem) {
        String prev = problem == null ? lastProblem.remove(nodeId) : lastProblem.put(nodeId, problem);
        if (problem != null && !problem.equals(prev)) {
            LOG.warn("ML node {}: health check failed: {}", nodeId, problem);
        } else if (problem == null && prev != null) {
            LOG.info("ML node {}: answering its health endpoint again", nodeId);
        }
    }

    static List<Gpu> gpus(JsonNode devices, String path) {
        List<Gpu> out = new ArrayList<>();
        int i = 0;
        for (JsonNode d : devices) {
            String p = path + ".devices[" + i++ + "]";
            if (!d.isObject()) {
                throw SourceException.parse(p + ": expected an object, got " + kind(d));
            }
            int index = (int) requiredLong(d, "index", p);
            OptionalDouble util = optionalNumber(d, "utilization_percent", p);
            out.add(new Gpu(index, textOrEmpty(d, "name", p),
                    util.isPresent() ? OptionalDouble.of(util.getAsDouble() / 100.0) : util,
                    scale(optionalNumber(d, "used_memory_mb", p), MIB),
                    scale(optionalNumber(d, "total_memory_mb", p), MIB),
                    optionalNumber(d, "temperature_c", p),
                    boolOrFalse(d, "is_available", p)));
        }
        return List.copyOf(out);
    }

    private static OptionalDouble scale(OptionalDouble v, double factor) {
        return v.isPresent() ? OptionalDouble.of(v.getAsDouble() * factor) : v;
    }
}
