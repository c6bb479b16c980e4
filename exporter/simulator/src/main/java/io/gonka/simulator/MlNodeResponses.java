package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** ML node bodies (SCHEMAS §7), family E: numbers, null for missing readings. */
final class MlNodeResponses {
    private MlNodeResponses() {
    }

    static ObjectNode gpuDevices(SimMlNode n) {
        ObjectNode r = Json.obj();
        r.set("devices", devices(n));
        r.put("count", n.gpus().size());
        return r;
    }

    /**
     * {@code /health}: the same body for 200 and 503. Unhealthy when the node is marked so or
     * has no GPU, as the ML node itself decides.
     */
    static ObjectNode health(SimMlNode n) {
        boolean healthy = isHealthy(n);
        boolean inferenceRunning = serviceState(n).equals("INFERENCE");
        ObjectNode r = Json.obj();
        r.put("status", healthy ? "healthy" : "unhealthy");
        r.put("service_state", serviceState(n));
        ObjectNode gpu = r.putObject("gpu");
        gpu.put("available", n.gpus().stream().anyMatch(SimGpu::available));
        gpu.put("count", n.gpus().size());
        if (n.healthIncludesGpus()) {
            gpu.set("devices", devices(n));
        }
        ObjectNode managers = r.putObject("managers");
        managers.putObject("inference").put("running", inferenceRunning).put("healthy", inferenceRunning && healthy);
        managers.putObject("train").put("running", false).put("healthy", false);
        return r;
    }

    /** {@code /api/v1/state}: {@code StateResponse{state}}, every ML node release. */
    static ObjectNode state(SimMlNode n, boolean legacy) {
        String st = serviceState(n);
        if (legacy && "POC".equals(n.currentStatus())) {
            st = "POW"; // v0.2.0 ran PoC as its own service state
        }
        return Json.obj().put("state", st);
    }

    static boolean isHealthy(SimMlNode n) {
        return n.healthy() && !n.gpus().isEmpty();
    }

    /** What the ML node itself reports; in 2026 PoC runs inside vLLM, so POC still reads INFERENCE. */
    private static String serviceState(SimMlNode n) {
        return switch (n.currentStatus()) {
            case "INFERENCE", "POC" -> "INFERENCE";
            case "TRAINING" -> "TRAIN";
            default -> "STOPPED";
        };
    }

    private static ArrayNode devices(SimMlNode n) {
        ArrayNode a = Json.arr();
        for (SimGpu g : n.gpus()) {
            ObjectNode d = a.addObject();
            d.put("index", g.index());
            d.put("name", g.name());
            d.put("total_memory_mb", g.totalMemoryMb());
            d.put("free_memory_mb", g.freeMemoryMb());
            d.put("used_memory_mb", g.usedMemoryMb());
            d.put("utilization_percent", g.utilizationPercent());
            d.put("temperature_c", g.temperatureC());
            d.put("is_available", g.available());
            d.put("error_message", g.errorMessage());
        }
        return a;
    }

    static ObjectNode detail(String message) {
        return Json.obj().put("detail", message);
    }
}
