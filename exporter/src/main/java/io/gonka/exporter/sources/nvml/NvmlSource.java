package io.gonka.exporter.sources.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.gonka.exporter.model.gpu.GpuDevice;
import io.gonka.exporter.model.gpu.GpuFleetSnapshot;
import io.gonka.exporter.model.gpu.XidCounts;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.UnsupportedUpstreamException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Local GPUs through NVML. NVML calls block, so polls run on a thread of their own. Without an
 * NVIDIA driver the source is unsupported (logged once by the scheduler, no GPU series). A lost
 * GPU ({@code GPU_IS_LOST}, or a device that is no longer found) is reported on its own while the
 * others keep reporting; NVML is initialised afresh on the next poll, which is how a recovered GPU
 * comes back. NVML failing as a whole (driver/library mismatch, count or init failing) fails the
 * poll.
 */
public final class NvmlSource implements Source<GpuFleetSnapshot>, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NvmlSource.class);
    public static final String NAME = "nvml";
    private static final double MIB = 1024.0 * 1024.0;

    private final String library;
    private final Duration interval;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gonka-nvml");
        t.setDaemon(true);
        return t;
    });
    private NvmlLibrary nvml;
    private boolean initialized;
    // The nvml thread's own state: the last UUID seen per index (a lost GPU no longer tells its
    // UUID) and which GPUs were lost in the last poll (logged on change, re-initialised after).
    private final Map<Integer, String> uuidByIndex = new java.util.HashMap<>();
    private Set<Integer> lostBefore = Set.of();
    private volatile XidWatcher xids;
    private final Map<XidWatcher.Key, long[]> xidCounts = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param library an explicit path of libnvidia-ml, or empty for the system's */
    public NvmlSource(String library, Duration interval) {
        this.library = library == null || library.isBlank() ? "nvidia-ml" : library;
        this.interval = interval;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public CompletionStage<GpuFleetSnapshot> poll() {
        return CompletableFuture.supplyAsync(this::read, thread);
    }

    /** XID events counted so far (none before the first successful poll). */
    public XidCounts xidCounts() {
        List<XidCounts.Count> out = new ArrayList<>();
        xidCounts.forEach((k, v) -> out.add(new XidCounts.Count(k.gpu(), k.uuid(), k.xid(), v[0], v[1] / 1000.0)));
        return new XidCounts(List.copyOf(out));
    }

    /** Total XID events counted, which changes whenever {@link #xidCounts()} does. */
    public long xidEvents() {
        long n = 0;
        for (long[] v : xidCounts.values()) {
            n += v[0];
        }
        return n;
    }

    /** Whether the XID event thread runs (for tests and shutdown checks). */
    public boolean watchingXids() {
        XidWatcher w = xids;
        return w != null && w.alive();
    }

    private GpuFleetSnapshot read() {
        if (!lostBefore.isEmpty()) {
            reset(); // a lost GPU's handle stays lost: only a fresh nvmlInit finds it again
        }
        if (nvml == null) {
            try {
                nvml = NvmlLibrary.load(library);
            } catch (UnsatisfiedLinkError e) {
                throw new UnsupportedUpstreamException("NVML not available (" + library + " cannot be loaded: no NVIDIA driver?)");
            }
        }
        if (!initialized) {
            int rc = nvml.call("nvmlInit_v2");
            if (rc == NvmlReturn.DRIVER_NOT_LOADED || rc == NvmlReturn.LIBRARY_NOT_FOUND || rc == NvmlReturn.NO_PERMISSION) {
                throw new UnsupportedUpstreamException("NVML not available: " + nvml.errorString(rc));
            }
            check(rc, "nvmlInit_v2", -1);
            initialized = true;
        }
        try {
            int[] rc = new int[1];
            String driver = nvml.string("nvmlSystemGetDriverVersion", null, 96, rc);
            Long count = nvml.uint("nvmlDeviceGetCount_v2", null, rc);
            check(rc[0], "nvmlDeviceGetCount_v2", -1);
            List<GpuDevice> devices = new ArrayList<>();
            List<GpuFleetSnapshot.LostGpu> lost = new ArrayList<>();
            List<Pointer> handles = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                try {
                    Pointer h = nvml.handle(i, rc);
                    check(rc[0], "nvmlDeviceGetHandleByIndex_v2", i);
                    GpuDevice d = device(i, h);
                    uuidByIndex.put(i, d.uuid());
                    handles.add(h);
                    indexes.add(i);
                    devices.add(d);
                } catch (DeviceLostException e) {
                    lost.add(new GpuFleetSnapshot.LostGpu(i, uuidByIndex.getOrDefault(i, ""), e.getMessage()));
                }
            }
            logLostChanges(lost);
            if (xids == null) {
                xids = new XidWatcher(nvml, handles, indexes, devices.stream().map(GpuDevice::uuid).toList(), xidCounts);
            }
            return new GpuFleetSnapshot(driver == null ? "" : driver, List.copyOf(devices), List.copyOf(lost));
        } catch (SourceException e) {
            reset();
            throw e;
        }
    }

    private GpuDevice device(int i, Pointer h) {
        int[] rc = new int[1];
        String uuid = nvml.string("nvmlDeviceGetUUID", h, 96, rc);
        check(rc[0], "nvmlDeviceGetUUID", i);
        String name = nvml.string("nvmlDeviceGetName", h, 96, rc);
        check(rc[0], "nvmlDeviceGetName", i);

        Memory pci = new Memory(68);
        pci.clear();
        String busId = read(nvml.call("nvmlDeviceGetPciInfo_v3", h, pci), "nvmlDeviceGetPciInfo_v3", i) ? pci.getString(36) : "";

        Double util = null;
        Double memUtil = null;
        Memory u = new Memory(8);
        if (read(nvml.call("nvmlDeviceGetUtilizationRates", h, u), "nvmlDeviceGetUtilizationRates", i)) {
            util = Integer.toUnsignedLong(u.getInt(0)) / 100.0;
            memUtil = Integer.toUnsignedLong(u.getInt(4)) / 100.0;
        }
        Double used = null;
        Double total = null;
        Memory m = new Memory(24);
        if (read(nvml.call("nvmlDeviceGetMemoryInfo", h, m), "nvmlDeviceGetMemoryInfo", i)) {
            total = (double) m.getLong(0);
            used = (double) m.getLong(16);
        }
        Double temp = temperature(h, i);
        Double power = scaled(nvml.uint("nvmlDeviceGetPowerUsage", h, rc), rc, "nvmlDeviceGetPowerUsage", i, 1e-3);
        Double limit = scaled(nvml.uint("nvmlDeviceGetEnforcedPowerLimit", h, rc), rc, "nvmlDeviceGetEnforcedPowerLimit", i, 1e-3);
        Double energy = scaled(nvml.ulonglong("nvmlDeviceGetTotalEnergyConsumption", h, rc), rc, "nvmlDeviceGetTotalEnergyConsumption", i, 1e-3);
        Double sm = scaled(nvml.uint("nvmlDeviceGetClockInfo", h, rc, 1), rc, "nvmlDeviceGetClockInfo", i, 1e6);
        Double memClock = scaled(nvml.uint("nvmlDeviceGetClockInfo", h, rc, 2), rc, "nvmlDeviceGetClockInfo", i, 1e6);
        // Aggregate (lifetime) counters: they only grow, like a Prometheus counter should.
        Double eccCorrected = scaled(nvml.ulonglong("nvmlDeviceGetTotalEccErrors", h, rc, 0, 1), rc, "nvmlDeviceGetTotalEccErrors", i, 1);
        Double eccUncorrected = scaled(nvml.ulonglong("nvmlDeviceGetTotalEccErrors", h, rc, 1, 1), rc, "nvmlDeviceGetTotalEccErrors", i, 1);

        Double remapPending = null;
        Double remapFailure = null;
        IntByReference corr = new IntByReference();
        IntByReference unc = new IntByReference();
        IntByReference pending = new IntByReference();
        IntByReference failure = new IntByReference();
        if (read(nvml.call("nvmlDeviceGetRemappedRows", h, corr, unc, pending, failure), "nvmlDeviceGetRemappedRows", i)) {
            remapPending = pending.getValue() != 0 ? 1.0 : 0.0;
            remapFailure = failure.getValue() != 0 ? 1.0 : 0.0;
        }
        return new GpuDevice(i, uuid, name, busId, util, memUtil, used, total, temp, power, limit, energy, sm, memClock,
                eccCorrected, eccUncorrected, remapPending, remapFailure, clockEventReasons(h, i));
    }

    private Double temperature(Pointer h, int i) {
        if (nvml.has("nvmlDeviceGetTemperatureV")) {
            Memory t = new Memory(12);
            t.clear();
            t.setInt(0, 12 | (1 << 24)); // nvmlTemperature_v1
            if (read(nvml.call("nvmlDeviceGetTemperatureV", h, t), "nvmlDeviceGetTemperatureV", i)) {
                return (double) t.getInt(8);
            }
            return null;
        }
        int[] rc = new int[1];
        return scaled(nvml.uint("nvmlDeviceGetTemperature", h, rc, 0), rc, "nvmlDeviceGetTemperature", i, 1);
    }

    private Set<String> clockEventReasons(Pointer h, int i) {
        String symbol = nvml.has("nvmlDeviceGetCurrentClocksEventReasons")
                ? "nvmlDeviceGetCurrentClocksEventReasons" : "nvmlDeviceGetCurrentClocksThrottleReasons";
        int[] rc = new int[1];
        Long bits = nvml.ulonglong(symbol, h, rc);
        if (!read(rc[0], symbol, i)) {
            return null;
        }
        Set<String> active = new LinkedHashSet<>();
        for (Map.Entry<Long, String> r : GpuDevice.CLOCK_EVENT_REASONS.entrySet()) {
            if ((bits & r.getKey()) != 0) {
                active.add(r.getValue());
            }
        }
        return active;
    }

    private Double scaled(Long raw, int[] rc, String symbol, int gpu, double factor) {
        return read(rc[0], symbol, gpu) ? raw * factor : null;
    }

    /** True when the call succeeded; false for a field to leave out; throws when the GPU is gone. */
    private boolean read(int rc, String symbol, int gpu) {
        if (rc == NvmlReturn.SUCCESS) {
            return true;
        }
        if (NvmlReturn.fatal(rc)) {
            check(rc, symbol, gpu);
        }
        return false; // unsupported, or an error that only costs this field
    }

    private void check(int rc, String symbol, int gpu) {
        if (gpu >= 0 && NvmlReturn.deviceLost(rc)) {
            throw new DeviceLostException(symbol + " failed: " + nvml.errorString(rc));
        }
        if (rc != NvmlReturn.SUCCESS) {
            throw new SourceException(FailureReason.CONNECT,
                    (gpu >= 0 ? "GPU " + gpu + ": " : "") + symbol + " failed: " + nvml.errorString(rc));
        }
    }

    private void logLostChanges(List<GpuFleetSnapshot.LostGpu> lost) {
        Set<Integer> now = new java.util.TreeSet<>();
        for (GpuFleetSnapshot.LostGpu g : lost) {
            now.add(g.index());
            if (!lostBefore.contains(g.index())) {
                LOG.warn("source nvml: GPU {} ({}) is lost: {}", g.index(), g.uuid().isEmpty() ? "uuid unknown" : g.uuid(), g.reason());
            }
        }
        for (int i : lostBefore) {
            if (!now.contains(i)) {
                LOG.info("source nvml: GPU {} ({}) answers again", i, uuidByIndex.getOrDefault(i, "uuid unknown"));
            }
        }
        lostBefore = now;
    }

    /** One GPU is gone (the others still answer): it is reported as lost, the poll goes on. */
    private static final class DeviceLostException extends RuntimeException {
        DeviceLostException(String message) {
            super(message, null, false, false);
        }
    }

    /** After a fatal error: stop listening for events and start NVML afresh on the next poll. */
    private void reset() {
        if (xids != null) {
            xids.close();
            xids = null;
        }
        if (initialized) {
            nvml.call("nvmlShutdown");
            initialized = false;
        }
    }

    @Override
    public void close() {
        try {
            // bounded: a driver call that hangs must not hang the exporter's shutdown
            thread.submit(this::reset).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
        thread.shutdownNow();
    }
}
