package io.gonka.exporter.sources.nvml;

/** {@code nvmlReturn_t} values the exporter tells apart (nvml.h). */
final class NvmlReturn {
    static final int SUCCESS = 0;
    static final int UNINITIALIZED = 1;
    static final int NOT_SUPPORTED = 3;
    static final int NO_PERMISSION = 4;
    static final int NOT_FOUND = 6;
    static final int DRIVER_NOT_LOADED = 9;
    static final int TIMEOUT = 10;
    static final int LIBRARY_NOT_FOUND = 12;
    static final int FUNCTION_NOT_FOUND = 13;
    static final int GPU_IS_LOST = 15;
    static final int LIB_RM_VERSION_MISMATCH = 18;

    private NvmlReturn() {}

    /** The field simply is not available on this device or driver: leave it out. */
    static boolean absent(int rc) {
        return rc == NOT_SUPPORTED || rc == FUNCTION_NOT_FOUND || rc == NO_PERMISSION;
    }

    /** This one device is gone (fell off the bus, or vanished): it is reported lost, the others go on. */
    static boolean deviceLost(int rc) {
        return rc == GPU_IS_LOST || rc == NOT_FOUND;
    }

    /** The device or the driver is gone: the whole poll fails and NVML is initialised again later. */
    static boolean fatal(int rc) {
        return rc == GPU_IS_LOST || rc == LIB_RM_VERSION_MISMATCH || rc == NOT_FOUND || rc == UNINITIALIZED;
    }
}
