package io.gonka.exporter.model;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What one ML node said about itself ({@code {base}/{version}/health}, and its GPU route when the
 * health body has no device list).
 *
 * @param answered false when the node could not be reached or did not answer in time
 * @param healthy  the body's {@code status == "healthy"} (503 carries the same body)
 * @param gpus     empty when the node reported none or its devices could not be read
 */
public record MlNodeHealth(String nodeId, boolean answered, boolean healthy, String serviceState,
                           List<Gpu> gpus, Instant at) {

    /** Values in base units; absent ones are empty, never 0. */
    public record Gpu(int index, String name, OptionalDouble utilizationRatio, OptionalDouble memoryUsedBytes,
                      OptionalDouble memoryTotalBytes, OptionalDouble temperatureCelsius, boolean available) {}
}
