package io.gonka.exporter.sources.nvml;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.LogCapture;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.Promtool;
import io.gonka.exporter.support.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real JNA binding, loaded through the production code path, against the stub NVML library. */
class NvmlSourceTest {
    static final String H100 = "GPU-11111111-2222-3333-4444-555555555555";
    static final String RTX = "GPU-66666666-7777-8888-9999-000000000000";
    static Path stub;
    static Path oldDriver;
    Harness h;
    LogCapture logs;

    @BeforeAll
    static void build() throws Exception {
        stub = NvmlStub.build("current");
        oldDriver = NvmlStub.build("old", "-DNO_TEMPERATURE_V", "-DNO_CLOCKS_EVENT_REASONS");
    }

    @BeforeEach
    void start() {
        NvmlStub.reset(stub);
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        logs.close();
    }

    /** A plain GPU exporter: the Gonka sources off, NVML from {@code library}. */
    static Harness gpuOnly(Path library) {
        TestConfig cfg = new TestConfig();
        cfg.enabled = false;
        cfg.nvmlEnabled = true;
        cfg.nvmlLibraryPath = library.toString();
        return new Harness(cfg);
    }

    MetricSamples poll() {
        return h.pollAll().scrape();
    }

    @Test
    void everyFieldInBaseUnits() throws Exception {
        h = gpuOnly(stub);
        MetricSamples m = poll();
        assertEquals(1, m.value("gonka_source_up", "source", "nvml"));
        assertFalse(m.has("gonka_source_up", "source", "rpc_status"), "Gonka sources are off");
        assertEquals(2, m.value("gonka_gpus"));
        assertEquals(1, m.value("gonka_gpu_info", "gpu", "0", "uuid", H100, "name", "NVIDIA H100 80GB HBM3",
                "pci_bus_id", "00000000:17:00.0", "driver_version", "570.133.20"));
        String[] g0 = {"gpu", "0", "uuid", H100};
        assertEquals(0.87, m.value("gonka_gpu_utilization_ratio", g0), 1e-12);
        assertEquals(0.41, m.value("gonka_gpu_memory_utilization_ratio", g0), 1e-12);
        assertEquals(74512 * 1048576.0, m.value("gonka_gpu_memory_used_bytes", g0));
        assertEquals(81559 * 1048576.0, m.value("gonka_gpu_memory_total_bytes", g0));
        assertEquals(61, m.value("gonka_gpu_temperature_celsius", g0), "from nvmlDeviceGetTemperatureV");
        assertEquals(350.0, m.value("gonka_gpu_power_watts", g0), 1e-9);
        assertEquals(700.0, m.value("gonka_gpu_power_limit_watts", g0), 1e-9);
        assertEquals(123456.789, m.value("gonka_gpu_energy_joules_total", g0), 1e-6);
        assertEquals(1.98e9, m.value("gonka_gpu_sm_clock_hertz", g0));
        assertEquals(2.619e9, m.value("gonka_gpu_memory_clock_hertz", g0));
        assertEquals(3, m.value("gonka_gpu_ecc_errors_total", "gpu", "0", "type", "corrected"));
        assertEquals(0, m.value("gonka_gpu_ecc_errors_total", "gpu", "0", "type", "uncorrected"));
        assertEquals(0, m.value("gonka_gpu_row_remap_pending", g0));
        assertEquals(0, m.value("gonka_gpu_row_remap_failure", g0));
        assertEquals(1, m.value("gonka_gpu_clock_event_active", "gpu", "0", "reason", "hw_thermal"));
        assertEquals(0, m.value("gonka_gpu_clock_event_active", "gpu", "0", "reason", "sw_power_cap"));
        assertEquals(5, m.all("gonka_gpu_clock_event_active", "gpu", "0").size());
        Promtool.checkMetrics(m.text());
    }

    @Test
    void unsupportedFieldsAreAbsentNotZero() {
        h = gpuOnly(stub);
        MetricSamples m = poll();
        for (String family : new String[] {"gonka_gpu_power_watts", "gonka_gpu_energy_joules_total", "gonka_gpu_ecc_errors_total",
                "gonka_gpu_row_remap_pending", "gonka_gpu_row_remap_failure"}) {
            assertFalse(m.has(family, "gpu", "1"), family + " is NOT_SUPPORTED on the 4090");
            assertTrue(m.has(family, "gpu", "0"), family + " on the H100");
        }
        assertEquals(450.0, m.value("gonka_gpu_power_limit_watts", "gpu", "1", "uuid", RTX), 1e-9);
        assertEquals(41, m.value("gonka_gpu_temperature_celsius", "gpu", "1"));
        assertEquals(1, m.value("gonka_gpu_clock_event_active", "gpu", "1", "reason", "sw_power_cap"));
    }

    @Test
    void aLostGpuIsItsOwnSeriesWhileTheOthersKeepReporting() throws Exception {
        h = gpuOnly(stub);
        MetricSamples before = poll();
        assertEquals(0, before.value("gonka_gpu_lost", "gpu", "0", "uuid", H100));
        assertEquals(0, before.value("gonka_gpu_lost", "gpu", "1", "uuid", RTX));

        NvmlStub.setLost(stub, 1, true);
        MetricSamples lost = poll();
        assertEquals(1, lost.value("gonka_source_up", "source", "nvml"), "one lost GPU does not fail the poll");
        assertEquals(0, lost.value("gonka_source_errors_total", "source", "nvml", "reason", "connect"));
        assertEquals(1, lost.value("gonka_gpu_lost", "gpu", "1", "uuid", RTX), "the UUID seen before the loss");
        assertEquals(0, lost.value("gonka_gpu_lost", "gpu", "0", "uuid", H100));
        assertEquals(2, lost.value("gonka_gpus"), "NVML still counts the lost GPU");
        assertEquals(0.87, lost.value("gonka_gpu_utilization_ratio", "gpu", "0", "uuid", H100), 1e-12, "GPU 0 keeps reporting");
        assertFalse(lost.has("gonka_gpu_utilization_ratio", "gpu", "1"), "no made-up values for the lost GPU");
        assertFalse(lost.has("gonka_gpu_info", "gpu", "1"));
        assertEquals(1, logs.count("source nvml: GPU 1 (" + RTX + ") is lost: nvmlDeviceGetHandleByIndex_v2 failed: GPU is lost"), logs.all());
        poll();
        assertEquals(1, logs.count("is lost"), "logged once per change, not per poll: " + logs.all());

        NvmlStub.setLost(stub, 1, false);
        MetricSamples back = poll();
        assertEquals(0, back.value("gonka_gpu_lost", "gpu", "1", "uuid", RTX));
        assertEquals(0.12, back.value("gonka_gpu_utilization_ratio", "gpu", "1", "uuid", RTX), 1e-12);
        assertEquals(1, logs.count("source nvml: GPU 1 (" + RTX + ") answers again"), logs.all());
        Promtool.checkMetrics(back.text());
    }

    @Test
    void aGpuLostBeforeItWasEverSeenHasNoUuid() {
        NvmlStub.setLost(stub, 0, true);
        h = gpuOnly(stub);
        MetricSamples m = poll();
        assertEquals(1, m.value("gonka_source_up", "source", "nvml"));
        assertEquals(1, m.value("gonka_gpu_lost", "gpu", "0"));
        assertEquals("", m.all("gonka_gpu_lost", "gpu", "0").get(0).labels().getOrDefault("uuid", ""));
        assertEquals(0, m.value("gonka_gpu_lost", "gpu", "1", "uuid", RTX));
    }

    @Test
    void nvmlFailingAsAWholeFailsThePollAndXidCountsSurvive() throws Exception {
        h = gpuOnly(stub);
        poll();
        NvmlStub.pushXid(stub, 0, 79);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (h.sources.nvml.xidEvents() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        NvmlStub.setMismatch(stub, true);
        MetricSamples broken = poll();
        assertEquals(0, broken.value("gonka_source_up", "source", "nvml"));
        assertEquals(1, broken.value("gonka_source_errors_total", "source", "nvml", "reason", "connect"));
        assertTrue(logs.all().contains("source nvml: poll failed: connect: nvmlDeviceGetCount_v2 failed: RM has detected"), logs.all());
        h.clock.advance(Duration.ofSeconds(31)); // past 3 x 10 s: the last good data is stale now
        MetricSamples stale = h.scrape();
        assertFalse(stale.has("gonka_gpus"), "no stale GPU data");
        assertFalse(stale.has("gonka_gpu_lost"), "no made-up loss either");
        assertEquals(1, stale.value("gonka_gpu_xid_errors_total", "gpu", "0", "uuid", H100, "xid", "79"), "counted XIDs survive");
        assertTrue(stale.has("gonka_gpu_last_xid_timestamp_seconds", "gpu", "0"));

        NvmlStub.setMismatch(stub, false);
        MetricSamples back = poll();
        assertEquals(1, back.value("gonka_source_up", "source", "nvml"));
        assertEquals(2, back.value("gonka_gpus"));
        assertEquals(1, back.value("gonka_gpu_xid_errors_total", "gpu", "0", "xid", "79"));
        assertEquals(1, logs.count("source nvml: recovered"), logs.all());
    }

    @Test
    void xidEventsAreCountedPerGpuAndCode() throws Exception {
        h = gpuOnly(stub);
        poll(); // initialises NVML and starts the event thread
        assertTrue(h.sources.nvml.watchingXids());
        NvmlStub.pushXid(stub, 0, 79);
        NvmlStub.pushXid(stub, 0, 79);
        NvmlStub.pushXid(stub, 0, 48);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (h.sources.nvml.xidCounts().counts().stream().mapToLong(c -> c.events()).sum() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        MetricSamples m = h.scrape();
        assertEquals(2, m.value("gonka_gpu_xid_errors_total", "gpu", "0", "uuid", H100, "xid", "79"));
        assertEquals(1, m.value("gonka_gpu_xid_errors_total", "gpu", "0", "xid", "48"));
        assertFalse(m.has("gonka_gpu_xid_errors_total", "gpu", "1"));
        double last = m.value("gonka_gpu_last_xid_timestamp_seconds", "gpu", "0", "uuid", H100);
        assertTrue(Math.abs(last - System.currentTimeMillis() / 1000.0) < 60, "last XID time " + last);
        Promtool.checkMetrics(m.text());

        h.close();
        assertFalse(h.sources.nvml.watchingXids(), "the event thread stops on shutdown");
        h = null;
    }

    @Test
    void withoutADriverNvmlIsUnsupportedOnceAndTheRestWorks() {
        h = gpuOnly(Path.of("/nonexistent/libnvidia-ml.so.1"));
        MetricSamples m = null;
        for (int i = 0; i < 3; i++) {
            m = poll();
        }
        assertEquals(1, m.value("gonka_source_unsupported", "source", "nvml"));
        assertFalse(m.has("gonka_source_up", "source", "nvml"));
        assertEquals(0, m.value("gonka_source_errors_total", "source", "nvml", "reason", "connect"));
        assertFalse(m.has("gonka_gpus"));
        assertEquals(1, m.value("gonka_exporter_build_info", "version", "test"));
        assertEquals(1, logs.count("source nvml: not supported by this node (NVML not available"), logs.all());
        assertFalse(logs.all().contains("Exception"), logs.all());
    }

    @Test
    void anOlderDriverIsReadThroughTheOlderSymbols() {
        h = gpuOnly(oldDriver);
        MetricSamples m = poll();
        assertEquals(60, m.value("gonka_gpu_temperature_celsius", "gpu", "0"), "nvmlDeviceGetTemperature");
        assertEquals(1, m.value("gonka_gpu_clock_event_active", "gpu", "0", "reason", "sw_thermal"),
                "nvmlDeviceGetCurrentClocksThrottleReasons");
        assertEquals(0, m.value("gonka_gpu_clock_event_active", "gpu", "0", "reason", "hw_thermal"));
    }
}
