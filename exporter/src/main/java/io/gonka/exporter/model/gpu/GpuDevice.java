package io.gonka.exporter.model.gpu;

import java.util.Set;

/**
 * One local GPU as NVML reports it, in base units. A field the device or driver does not support
 * is {@code null} (absent from the metrics), never 0.
 *
 * @param clockEventReasons active reasons among {@link #CLOCK_EVENT_REASONS}; null when unsupported
 */
public record GpuDevice(
        int index, String uuid, String name, String pciBusId,
        Double utilizationRatio, Double memoryUtilizationRatio,
        Double memoryUsedBytes, Double memoryTotalBytes,
        Double temperatureCelsius, Double powerWatts, Double powerLimitWatts, Double energyJoules,
        Double smClockHertz, Double memoryClockHertz,
        Double eccCorrected, Double eccUncorrected,
        Double rowRemapPending, Double rowRemapFailure,
        Set<String> clockEventReasons) {

    /** NVML clock-event reason bits and the label value each one gets. */
    public static final java.util.Map<Long, String> CLOCK_EVENT_REASONS = java.util.Map.of(
            0x4L, "sw_power_cap", 0x8L, "hw_slowdown", 0x20L, "sw_thermal", 0x40L, "hw_thermal", 0x80L, "hw_power_brake");
}
