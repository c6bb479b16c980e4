package io.gonka.exporter.metrics;

import io.gonka.exporter.model.gpu.GpuDevice;
import io.gonka.exporter.model.gpu.GpuFleetSnapshot;
import io.gonka.exporter.model.gpu.XidCounts;
import java.util.function.Function;

/**
 * The "Local GPUs" families of the metric contract, from an NVML snapshot, and the XID counts,
 * which are the exporter's own tally and outlive a failed or stale poll.
 */
public final class GpuMetrics {
    private GpuMetrics() {}

    public static void render(FamilyBuilder f, GpuFleetSnapshot fleet) {
        f.gauge("gonka_gpus", "Number of GPUs NVML sees.").add(fleet.count());
        FamilyBuilder.Family lost = f.gauge("gonka_gpu_lost", "1 when NVML reports the GPU lost (GPU_IS_LOST: fallen off the bus), 0 while it answers.");
        for (GpuDevice d : fleet.devices()) {
            lost.add(0, "gpu", Integer.toString(d.index()), "uuid", d.uuid());
        }
        for (GpuFleetSnapshot.LostGpu g : fleet.lost()) {
            lost.add(1, "gpu", Integer.toString(g.index()), "uuid", g.uuid());
        }
        FamilyBuilder.Family info = f.gauge("gonka_gpu_info", "A local GPU; always 1.");
        for (GpuDevice d : fleet.devices()) {
            info.add(1, "gpu", Integer.toString(d.index()), "uuid", d.uuid(), "name", d.name(),
                    "pci_bus_id", d.pciBusId(), "driver_version", fleet.driverVersion());
        }
        gauge(f, fleet, "gonka_gpu_utilization_ratio", "GPU busy time over the last sample period.", GpuDevice::utilizationRatio);
        gauge(f, fleet, "gonka_gpu_memory_utilization_ratio", "Memory controller busy time over the last sample period.", GpuDevice::memoryUtilizationRatio);
        gauge(f, fleet, "gonka_gpu_memory_used_bytes", "GPU memory in use.", GpuDevice::memoryUsedBytes);
        gauge(f, fleet, "gonka_gpu_memory_total_bytes", "GPU memory installed.", GpuDevice::memoryTotalBytes);
        gauge(f, fleet, "gonka_gpu_temperature_celsius", "GPU core temperature.", GpuDevice::temperatureCelsius);
        gauge(f, fleet, "gonka_gpu_power_watts", "Power draw.", GpuDevice::powerWatts);
        gauge(f, fleet, "gonka_gpu_power_limit_watts", "Enforced power limit.", GpuDevice::powerLimitWatts);
        FamilyBuilder.Family energy = f.counter("gonka_gpu_energy_joules", "Energy used since the driver loaded.");
        gauge(f, fleet, "gonka_gpu_sm_clock_hertz", "Current SM clock.", GpuDevice::smClockHertz);
        gauge(f, fleet, "gonka_gpu_memory_clock_hertz", "Current memory clock.", GpuDevice::memoryClockHertz);
        FamilyBuilder.Family ecc = f.counter("gonka_gpu_ecc_errors", "ECC errors over the GPU's lifetime (aggregate counter).");
        gauge(f, fleet, "gonka_gpu_row_remap_pending", "1 when a row remap waits for a GPU reset.", GpuDevice::rowRemapPending);
        gauge(f, fleet, "gonka_gpu_row_remap_failure", "1 when a row remap failed.", GpuDevice::rowRemapFailure);
        FamilyBuilder.Family events = f.gauge("gonka_gpu_clock_event_active", "1 while this reason holds the clocks down.");
        for (GpuDevice d : fleet.devices()) {
            String gpu = Integer.toString(d.index());
            if (d.energyJoules() != null) {
                energy.add(d.energyJoules(), "gpu", gpu, "uuid", d.uuid());
            }
            if (d.eccCorrected() != null) {
                ecc.add(d.eccCorrected(), "gpu", gpu, "uuid", d.uuid(), "type", "corrected");
            }
            if (d.eccUncorrected() != null) {
                ecc.add(d.eccUncorrected(), "gpu", gpu, "uuid", d.uuid(), "type", "uncorrected");
            }
            if (d.clockEventReasons() != null) {
                for (String reason : GpuDevice.CLOCK_EVENT_REASONS.values().stream().sorted().toList()) {
                    events.add(d.clockEventReasons().contains(reason) ? 1 : 0, "gpu", gpu, "uuid", d.uuid(), "reason", reason);
                }
            }
        }
    }

    public static void renderXids(FamilyBuilder f, XidCounts xids) {
        FamilyBuilder.Family xid = f.counter("gonka_gpu_xid_errors", "Critical XID errors seen since the exporter started.");
        FamilyBuilder.Family last = f.gauge("gonka_gpu_last_xid_timestamp_seconds", "When the GPU last reported a critical XID error.");
        java.util.Map<String, Double> lastByGpu = new java.util.TreeMap<>();
        for (XidCounts.Count c : xids.counts()) {
            xid.add(c.events(), "gpu", Integer.toString(c.gpu()), "uuid", c.uuid(), "xid", Long.toString(c.xid()));
            lastByGpu.merge(c.gpu() + "\u0000" + c.uuid(), c.lastSeenEpochSeconds(), Math::max);
        }
        lastByGpu.forEach((k, t) -> {
            String[] p = k.split("\u0000", 2);
            last.add(t, "gpu", p[0], "uuid", p[1]);
        });
    }

    private static void gauge(FamilyBuilder f, GpuFleetSnapshot fleet, String name, String help, Function<GpuDevice, Double> value) {
        FamilyBuilder.Family family = f.gauge(name, help);
        for (GpuDevice d : fleet.devices()) {
            Double v = value.apply(d);
            if (v != null) {
                family.add(v, "gpu", Integer.toString(d.index()), "uuid", d.uuid());
            }
        }
    }
}
