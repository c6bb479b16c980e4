package io.gonka.simulator;

/**
 * One GPU of a simulated ML node, in the ML node's own units (MB, SCHEMAS §7.1).
 * Nullable fields render as JSON {@code null}, as pydantic does. Mutate only through
 * {@link SimState} so caches see the change.
 */
public final class SimGpu {
    private int index;
    private String name;
    private Integer totalMemoryMb;
    private Integer freeMemoryMb;
    private Integer usedMemoryMb;
    private Integer utilizationPercent;
    private Integer temperatureC;
    private boolean available;
    private String errorMessage;

    public SimGpu(int index, String name, Integer totalMemoryMb, Integer usedMemoryMb,
                  Integer utilizationPercent, Integer temperatureC) {
        this.index = index;
        this.name = name;
        this.totalMemoryMb = totalMemoryMb;
        this.usedMemoryMb = usedMemoryMb;
        this.freeMemoryMb = totalMemoryMb == null || usedMemoryMb == null ? null : totalMemoryMb - usedMemoryMb;
        this.utilizationPercent = utilizationPercent;
        this.temperatureC = temperatureC;
        this.available = true;
    }

    /** A GPU NVML reports as lost: name "Unknown", all readings null (edge/mlnode-gpu-devices.degraded.json). */
    public static SimGpu lost(int index) {
        SimGpu gpu = new SimGpu(index, "Unknown", null, null, null, null);
        gpu.available = false;
        gpu.errorMessage = "NVMLError_GpuIsLost: GPU is lost";
        return gpu;
    }

    public SimGpu copy() {
        SimGpu c = new SimGpu(index, name, totalMemoryMb, usedMemoryMb, utilizationPercent, temperatureC);
        c.freeMemoryMb = freeMemoryMb;
        c.available = available;
        c.errorMessage = errorMessage;
        return c;
    }

    public int index() { return index; }
    public String name() { return name; }
    public Integer totalMemoryMb() { return totalMemoryMb; }
    public Integer freeMemoryMb() { return freeMemoryMb; }
    public Integer usedMemoryMb() { return usedMemoryMb; }
    public Integer utilizationPercent() { return utilizationPercent; }
    public Integer temperatureC() { return temperatureC; }
    public boolean available() { return available; }
    public String errorMessage() { return errorMessage; }

    public SimGpu index(int v) { index = v; return this; }
    public SimGpu name(String v) { name = v; return this; }
    public SimGpu totalMemoryMb(Integer v) { totalMemoryMb = v; return this; }
    public SimGpu freeMemoryMb(Integer v) { freeMemoryMb = v; return this; }
    public SimGpu usedMemoryMb(Integer v) { usedMemoryMb = v; return this; }
    public SimGpu utilizationPercent(Integer v) { utilizationPercent = v; return this; }
    public SimGpu temperatureC(Integer v) { temperatureC = v; return this; }
    public SimGpu available(boolean v) { available = v; return this; }
    public SimGpu errorMessage(String v) { errorMessage = v; return this; }
}
