package io.gonka.exporter.model.gpu;

import java.util.List;

/** Every GPU NVML sees on this host, read in one poll. */
public record GpuFleetSnapshot(String driverVersion, List<GpuDevice> devices) {}
