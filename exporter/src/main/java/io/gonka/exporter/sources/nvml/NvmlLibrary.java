package io.gonka.exporter.sources.nvml;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libnvidia-ml through JNA, symbol by symbol. Each symbol is looked up once; one an older driver
 * lacks counts as {@code FUNCTION_NOT_FOUND} for the field it serves instead of failing the load.
 */
final class NvmlLibrary {
    private static final Object MISSING = new Object();
    private final NativeLibrary lib;
    private final Map<String, Object> functions = new ConcurrentHashMap<>();

    private NvmlLibrary(NativeLibrary lib) {
        this.lib = lib;
    }

    /** @throws UnsatisfiedLinkError when the library cannot be loaded */
    static NvmlLibrary load(String pathOrName) {
        return new NvmlLibrary(NativeLibrary.getInstance(pathOrName));
    }

    boolean has(String symbol) {
        return function(symbol).isPresent();
    }

    private Optional<Function> function(String symbol) {
        Object f = functions.computeIfAbsent(symbol, s -> {
            try {
                return lib.getFunction(s);
            } catch (UnsatisfiedLinkError e) {
                return MISSING;
            }
        });
        return f == MISSING ? Optional.empty() : Optional.of((Function) f);
    }

    int call(String symbol, Object... args) {
        return function(symbol).map(f -> f.invokeInt(args)).orElse(NvmlReturn.FUNCTION_NOT_FOUND);
    }

    String errorString(int rc) {
        return function("nvmlErrorString").map(f -> f.invokeString(new Object[] {rc}, false)).orElse("NVML error " + rc);
    }

    // Typed helpers for the call shapes NVML uses.

    Long uint(String symbol, Pointer device, int[] rc, Object... before) {
        IntByReference out = new IntByReference();
        rc[0] = call(symbol, args(device, before, out));
        return rc[0] == NvmlReturn.SUCCESS ? Integer.toUnsignedLong(out.getValue()) : null;
    }

    Long ulonglong(String symbol, Pointer device, int[] rc, Object... before) {
        LongByReference out = new LongByReference();
        rc[0] = call(symbol, args(device, before, out));
        return rc[0] == NvmlReturn.SUCCESS ? out.getValue() : null;
    }

    String string(String symbol, Pointer device, int length, int[] rc) {
        Memory buf = new Memory(length);
        buf.clear();
        rc[0] = device == null ? call(symbol, buf, length) : call(symbol, device, buf, length);
        return rc[0] == NvmlReturn.SUCCESS ? buf.getString(0) : null;
    }

    Pointer handle(int index, int[] rc) {
        PointerByReference out = new PointerByReference();
        rc[0] = call("nvmlDeviceGetHandleByIndex_v2", index, out);
        return rc[0] == NvmlReturn.SUCCESS ? out.getValue() : null;
    }

    /** (device, before..., out), or (before..., out) for system-level calls with no device. */
    private static Object[] args(Pointer device, Object[] before, Object out) {
        int lead = device == null ? 0 : 1;
        Object[] all = new Object[before.length + lead + 1];
        if (device != null) {
            all[0] = device;
        }
        System.arraycopy(before, 0, all, lead, before.length);
        all[all.length - 1] = out;
        return all;
    }
}
