package io.gonka.exporter.model.gpu;

import java.util.List;

/**
 * Every GPU NVML sees on this host, read in one poll: the ones that answered, and the ones that
 * are lost ({@code GPU_IS_LOST}: fell off the bus, needs a reset), each a series of its own.
 */
public record GpuFleetSnapshot(String driverVersion, List<GpuDevice> devices, List<LostGpu> lost) {
    public GpuFleetSnapshot(String driverVersion, List<GpuDevice> devices) {
        this(driverVersion, devices, List.of());
    }

    /** Number of GPUs NVML counts, answering or not. */
    public int count() {
        return devices.size() + lost.size();
    }

    /** A GPU NVML still counts but can no longer talk to; {@code uuid} is the last one seen, or empty. */
    public record LostGpu(int index, String uuid, String reason) {}
}
