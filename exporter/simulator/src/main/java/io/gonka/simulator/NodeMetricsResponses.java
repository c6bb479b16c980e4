package io.gonka.simulator;

import java.util.Locale;

/**
 * Prometheus text the node serves itself (newest releases; absent in v0.2.0), for the host Prometheus
 * to scrape next to the exporter: an ML node's {@code /api/v1/metrics} (its allowlisted vLLM series and
 * version), the API node's federation of those at {@code /v1/mlnodes/metrics} (every series labelled
 * {@code node_id}, plus {@code mlnode_up}), and the API node's own {@code /metrics}. Values follow the
 * node's state: a node serving inference has requests running, a stopped or unreachable one has none.
 * Called with the state locked.
 */
final class NodeMetricsResponses {
    private static final double[] LATENCY_BUCKETS = {0.3, 0.5, 1, 2.5, 5, 10, 20, 40};

    private NodeMetricsResponses() {
    }

    /** One ML node's {@code /api/v1/metrics}; {@code withNodeId} adds {@code node_id} as the federation does. */
    static String mlNode(SimMlNode n, long height, boolean withNodeId, StringBuilder out, boolean headers) {
        String id = withNodeId ? "node_id=\"" + n.id() + "\"," : "";
        boolean serving = "INFERENCE".equals(n.currentStatus()) && n.reachable();
        for (String model : n.models().keySet()) {
            String l = "{" + id + "model_name=\"" + model + "\"";
            int running = serving ? Math.min(n.maxConcurrent(), 2 + n.lockCount()) : 0;
            int waiting = serving ? n.lockCount() / 2 : 0;
            family(out, headers, "vllm:num_requests_running", "gauge", "Number of requests in model execution batches.");
            out.append("vllm:num_requests_running").append(l).append("} ").append(running).append('\n');
            family(out, headers, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.");
            out.append("vllm:num_requests_waiting").append(l).append("} ").append(waiting).append('\n');
            family(out, headers, "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.");
            out.append("vllm:kv_cache_usage_perc").append(l).append("} ")
                    .append(String.format(Locale.ROOT, "%.3f", serving ? 0.42 + 0.01 * n.lockCount() : 0)).append('\n');
            // counters grow with the chain, so rate() has something to show while blocks are produced
            long requests = serving ? 1000 + 10L * n.lockCount() + 3 * Math.floorMod(height, 1_000_000) : 0;
            histogram(out, headers, "vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.",
                    l, requests, 2.1);
            histogram(out, headers, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                    l, requests, 0.35);
        }
        family(out, headers, "mlnode_version_info", "gauge", "ML node version.");
        out.append("mlnode_version_info{").append(id).append("version=\"").append(n.mlNodeVersion()).append("\"} 1\n");
        return out.toString();
    }

    /** {@code /v1/mlnodes/metrics}: each registered ML node's series with {@code node_id}, and {@code mlnode_up}. */
    static String federation(SimState s) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP mlnode_up 1 when the API node could scrape the ML node's /api/v1/metrics.\n# TYPE mlnode_up gauge\n");
        for (SimMlNode n : s.mlNodesLive().values()) {
            out.append("mlnode_up{node_id=\"").append(n.id()).append("\"} ").append(n.reachable() ? 1 : 0).append('\n');
        }
        // One block per family, as the exposition format wants: gather per family across nodes.
        StringBuilder series = new StringBuilder();
        for (SimMlNode n : s.mlNodesLive().values()) {
            if (n.reachable()) {
                mlNode(n, s.height(), true, series, false);
            }
        }
        java.util.Map<String, StringBuilder> byFamily = new java.util.LinkedHashMap<>();
        for (String line : series.toString().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String name = line.substring(0, line.indexOf('{'));
            String family = name.replaceAll("_(bucket|sum|count)$", "");
            byFamily.computeIfAbsent(family, k -> new StringBuilder()).append(line).append('\n');
        }
        byFamily.forEach((family, lines) -> {
            boolean histogram = family.endsWith("_seconds");
            out.append("# TYPE ").append(family).append(histogram ? " histogram\n" : " gauge\n").append(lines);
        });
        return out.toString();
    }

    /** The API node's own {@code /metrics} (its ML server port): a few {@code decentralized_api_*} families. */
    static String apiNode(SimState s) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP decentralized_api_block_height Latest block height the API node has seen.\n")
                .append("# TYPE decentralized_api_block_height gauge\n")
                .append("decentralized_api_block_height ").append(s.height()).append('\n');
        int inFlight = s.mlNodesLive().values().stream().mapToInt(SimMlNode::lockCount).sum();
        out.append("# HELP decentralized_api_inference_active_operations Inference operations in flight.\n")
                .append("# TYPE decentralized_api_inference_active_operations gauge\n")
                .append("decentralized_api_inference_active_operations ").append(inFlight).append('\n');
        return out.toString();
    }

    private static void family(StringBuilder out, boolean headers, String name, String type, String help) {
        if (headers && out.indexOf("# TYPE " + name + " ") < 0) {
            out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                    .append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }
    }

    private static void histogram(StringBuilder out, boolean headers, String name, String help, String labels,
                                  long count, double typical) {
        family(out, headers, name, "histogram", help);
        String l = labels.isEmpty() ? "{" : labels + ",";
        for (double le : LATENCY_BUCKETS) {
            // a smooth cumulative distribution around the typical value
            double share = 1 - Math.exp(-le / typical);
            out.append(name).append("_bucket").append(l).append("le=\"").append(le).append("\"} ")
                    .append(Math.round(count * share)).append('\n');
        }
        out.append(name).append("_bucket").append(l).append("le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum").append(labels).append("} ")
                .append(String.format(Locale.ROOT, "%.3f", count * typical)).append('\n');
        out.append(name).append("_count").append(labels).append("} ").append(count).append('\n');
    }
}
