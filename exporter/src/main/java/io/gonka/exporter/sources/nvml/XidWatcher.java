package io.gonka.exporter.sources.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits on an NVML event set for critical XID errors and counts them per GPU and XID code. A
 * dedicated daemon thread; {@link #close()} stops it and frees the event set.
 */
final class XidWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(XidWatcher.class);
    private static final long XID_CRITICAL_ERROR = 0x8L;
    private static final int WAIT_MS = 500;

    /** One XID code on one GPU. */
    record Key(int gpu, String uuid, long xid) {}

    private final NvmlLibrary nvml;
    private final List<Pointer> devices;
    private final List<Integer> indexes; // NVML index of each device (lost GPUs are not watched)
    private final List<String> uuids;
    private final Map<Key, long[]> counts; // [events, last seen ms]; owned by the source, survives re-inits
    private final Thread thread;
    private volatile boolean running = true;
    private Pointer set;

    XidWatcher(NvmlLibrary nvml, List<Pointer> devices, List<Integer> indexes, List<String> uuids, Map<Key, long[]> counts) {
        this.nvml = nvml;
        this.counts = counts;
        this.devices = devices;
        this.indexes = indexes;
        this.uuids = uuids;
        PointerByReference ref = new PointerByReference();
        int rc = nvml.call("nvmlEventSetCreate", ref);
        if (rc != NvmlReturn.SUCCESS) {
            LOG.info("NVML: XID events unavailable ({})", nvml.errorString(rc));
            thread = null;
            return;
        }
        set = ref.getValue();
        for (int i = 0; i < devices.size(); i++) {
            int r = nvml.call("nvmlDeviceRegisterEvents", devices.get(i), XID_CRITICAL_ERROR, set);
            if (r != NvmlReturn.SUCCESS) {
                LOG.info("NVML: GPU {} does not report XID events ({})", indexes.get(i), nvml.errorString(r));
            }
        }
        thread = new Thread(this::run, "gonka-nvml-xid");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Memory data = new Memory(32); // nvmlEventData_t: device, eventType, eventData, two uint ids
        while (running) {
            data.clear();
            int rc = nvml.call("nvmlEventSetWait_v2", set, data, WAIT_MS);
            if (rc == NvmlReturn.SUCCESS) {
                Pointer device = data.getPointer(0);
                long xid = data.getLong(16);
                int at = devices.indexOf(device);
                if (at >= 0) {
                    int gpu = indexes.get(at);
                    counts.compute(new Key(gpu, uuids.get(at), xid), (k, v) -> v == null
                            ? new long[] {1, System.currentTimeMillis()} : new long[] {v[0] + 1, System.currentTimeMillis()});
                    LOG.warn("GPU {} ({}): XID {}", gpu, uuids.get(at), xid);
                }
            } else if (rc != NvmlReturn.TIMEOUT) {
                try {
                    Thread.sleep(WAIT_MS); // e.g. a GPU went away; the source re-creates the watcher
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    boolean alive() {
        return thread != null && thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            nvml.call("nvmlEventSetFree", set);
        }
    }
}
