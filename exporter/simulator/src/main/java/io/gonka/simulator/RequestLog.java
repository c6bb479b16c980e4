package io.gonka.simulator;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the simulator received (control API excluded): the most recent
 * {@link #MAX_ENTRIES} in full, and exact counts per path, per endpoint and per method for all
 * of them, so soak tests can count without unbounded memory.
 */
public final class RequestLog {

    /**
     * One received request.
     *
     * @param server   {@code "node"} for the node port, otherwise the ML node id
     * @param endpoint the endpoint it was routed to, or null for an unknown path
     */
    public record Entry(Instant time, String server, String method, String path, String query, SimEndpoint endpoint) {
    }

    public static final int MAX_ENTRIES = 100_000;

    private final ArrayDeque<Entry> recent = new ArrayDeque<>();
    private final Map<String, LongAdder> byPath = new ConcurrentHashMap<>();
    private final Map<SimEndpoint, LongAdder> byEndpoint = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byServer = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    void record(Entry e) {
        total.increment();
        byPath.computeIfAbsent(e.path(), k -> new LongAdder()).increment();
        byMethod.computeIfAbsent(e.method(), k -> new LongAdder()).increment();
        byServer.computeIfAbsent(e.server(), k -> new LongAdder()).increment();
        if (e.endpoint() != null) {
            byEndpoint.computeIfAbsent(e.endpoint(), k -> new LongAdder()).increment();
        }
        synchronized (recent) {
            if (recent.size() == MAX_ENTRIES) {
                recent.removeFirst();
            }
            recent.addLast(e);
        }
    }

    /** The most recent entries, oldest first. */
    public List<Entry> entries() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public long total() {
        return total.sum();
    }

    /** Requests whose path starts with {@code pathPrefix} (e.g. {@code "/admin/v1/"} or {@code "/v3.0.12/health"}). */
    public long count(String pathPrefix) {
        return byPath.entrySet().stream().filter(e -> e.getKey().startsWith(pathPrefix))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    public long count(SimEndpoint endpoint) {
        LongAdder a = byEndpoint.get(endpoint);
        return a == null ? 0 : a.sum();
    }

    /** Requests that reached one server: {@code "node"} or an ML node id. */
    public long countForServer(String server) {
        LongAdder a = byServer.get(server);
        return a == null ? 0 : a.sum();
    }

    /** Every HTTP method seen, e.g. {@code [GET]}. */
    public Set<String> methods() {
        return new TreeSet<>(byMethod.keySet());
    }

    /** Exact counts per path, sorted. */
    public Map<String, Long> countsByPath() {
        Map<String, Long> out = new TreeMap<>();
        byPath.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public Map<String, Long> countsByEndpoint() {
        Map<String, Long> out = new TreeMap<>();
        byEndpoint.forEach((k, v) -> out.put(k.wireName(), v.sum()));
        return out;
    }

    public void clear() {
        synchronized (recent) {
            recent.clear();
            byPath.clear();
            byEndpoint.clear();
            byMethod.clear();
            byServer.clear();
            total.reset();
        }
    }
}
