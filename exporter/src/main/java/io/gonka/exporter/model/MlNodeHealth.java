package io.gonka.exporter.model;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What one ML node said about itself: {@code {base}/health} (newer ML nodes; GPU details, NVML behind it)
 * or {@code {base}/api/v1/state} (every release; liveness and service state only).
 *
 * @param answered    false when the node could not be reached or did not answer in time
 * @param healthKnown true when a {@code /health} answer (now or recently) says healthy or not; an older ML node
 *                    without {@code /health} has no such verdict, and {@code healthy} means nothing then
 * @param healthy     the body's {@code status == "healthy"} (503 carries the same body)
 * @param gpus        empty when the node reported none or its devices could not be read
 * @param route       {@code health} or {@code state}: the route the node is polled through
 */
public record MlNodeHealth(String nodeId, boolean answered, boolean healthKnown, boolean healthy, String serviceState,
                           List<Gpu> gpus, Instant at, String route) {

    public static final String ROUTE_HEALTH = "health";
    public static final String ROUTE_STATE = "state";

    /** Values in base units; absent ones are empty, never 0. */
    public record Gpu(int index, String name, OptionalDouble utilizationRatio, OptionalDouble memoryUsedBytes,
                      OptionalDouble memoryTotalBytes, OptionalDouble temperatureCelsius, boolean available) {}
}
