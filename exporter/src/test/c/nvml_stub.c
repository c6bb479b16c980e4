/*
 * A stand-in for libnvidia-ml.so.1 with the real symbols, signatures and return codes, for the
 * tests of the exporter's NVML binding on machines without an NVIDIA driver.
 *
 * Two devices: 0 an H100 with every field, 1 an RTX 4090 whose power, energy, ECC and remapped
 * rows are NOT_SUPPORTED. Tests steer it through stub_* functions (same process) or, for an
 * exporter running as its own process, NVML_STUB_XIDS="0:79,0:48" (XID events queued at init) and
 * NVML_STUB_CONTROL=/path/file, read at every device count: "lost:1" loses GPU 1 (GPU_IS_LOST),
 * "mismatch" fails NVML as a whole (LIB_RM_VERSION_MISMATCH), as a driver update without a reboot
 * would; a missing or empty file means all is well.
 *
 * Build variants: -DNO_TEMPERATURE_V and -DNO_CLOCKS_EVENT_REASONS leave out the newer symbols,
 * as an older driver would, so the binding's fallbacks get exercised.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

typedef int nvmlReturn_t;
typedef struct stub_device { int index; } *nvmlDevice_t;
typedef struct stub_set { int unused; } *nvmlEventSet_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_TIMEOUT 10
#define NVML_ERROR_GPU_IS_LOST 15
#define NVML_ERROR_LIB_RM_VERSION_MISMATCH 18

typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;
typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_t;
typedef struct {
    nvmlDevice_t device;
    unsigned long long eventType;
    unsigned long long eventData;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlEventData_t;

static struct stub_device devices[2] = {{0}, {1}};
static struct stub_set the_set;
static int initialized;
static int lost[2];
static int registered[2];
static int mismatch;

#define QUEUE 64
static int queue_dev[QUEUE];
static unsigned long long queue_xid[QUEUE];
static int queue_len;

void stub_reset(void) { lost[0] = lost[1] = 0; mismatch = 0; queue_len = 0; }
void stub_set_mismatch(int value) { mismatch = value; }

/* NVML_STUB_CONTROL: the state of a stub inside another process, steered through a file. */
static void read_control(void) {
    const char *path = getenv("NVML_STUB_CONTROL");
    if (!path) return;
    char buf[128] = {0};
    FILE *f = fopen(path, "r");
    if (f) { size_t n = fread(buf, 1, sizeof buf - 1, f); buf[n] = 0; fclose(f); }
    lost[0] = strstr(buf, "lost:0") != NULL;
    lost[1] = strstr(buf, "lost:1") != NULL;
    mismatch = strstr(buf, "mismatch") != NULL;
}
void stub_set_lost(int dev, int value) { if (dev >= 0 && dev < 2) lost[dev] = value; }
void stub_push_xid(int dev, unsigned long long xid) {
    if (queue_len < QUEUE) { queue_dev[queue_len] = dev; queue_xid[queue_len] = xid; queue_len++; }
}
int stub_initialized(void) { return initialized; }

static int dev_index(nvmlDevice_t d) { return d == &devices[0] ? 0 : d == &devices[1] ? 1 : -1; }
static nvmlReturn_t check(nvmlDevice_t d) {
    int i = dev_index(d);
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (i < 0) return NVML_ERROR_INVALID_ARGUMENT;
    if (lost[i]) return NVML_ERROR_GPU_IS_LOST;
    return NVML_SUCCESS;
}
#define CHECK(d) do { nvmlReturn_t r_ = check(d); if (r_ != NVML_SUCCESS) return r_; } while (0)

nvmlReturn_t nvmlInit_v2(void) {
    initialized = 1;
    const char *xids = getenv("NVML_STUB_XIDS");
    if (xids && queue_len == 0) {
        char buf[256];
        strncpy(buf, xids, sizeof buf - 1);
        buf[sizeof buf - 1] = 0;
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            int dev; unsigned long long xid;
            if (sscanf(tok, "%d:%llu", &dev, &xid) == 2) stub_push_xid(dev, xid);
        }
    }
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlShutdown(void) { initialized = 0; return NVML_SUCCESS; }
const char *nvmlErrorString(nvmlReturn_t r) {
    switch (r) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH: return "RM has detected an NVML/RM version mismatch.";
    default: return "Unknown Error";
    }
}
nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    if (length < 11) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(version, "570.133.20");
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    read_control();
    if (mismatch) return NVML_ERROR_LIB_RM_VERSION_MISMATCH;
    *count = 2;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (index > 1) return NVML_ERROR_INVALID_ARGUMENT;
    if (lost[index]) return NVML_ERROR_GPU_IS_LOST;
    *device = &devices[index];
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
    CHECK(d);
    snprintf(uuid, length, dev_index(d) == 0 ? "GPU-11111111-2222-3333-4444-555555555555" : "GPU-66666666-7777-8888-9999-000000000000");
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
    CHECK(d);
    snprintf(name, length, dev_index(d) == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA GeForce RTX 4090");
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
    CHECK(d);
    memset(pci, 0, sizeof *pci);
    strcpy(pci->busId, dev_index(d) == 0 ? "00000000:17:00.0" : "00000000:65:00.0");
    pci->bus = dev_index(d) == 0 ? 0x17 : 0x65;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
    CHECK(d);
    u->gpu = dev_index(d) == 0 ? 87 : 12;
    u->memory = dev_index(d) == 0 ? 41 : 5;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
    CHECK(d);
    unsigned long long mib = 1024ULL * 1024ULL;
    m->total = (dev_index(d) == 0 ? 81559ULL : 24564ULL) * mib;
    m->used = (dev_index(d) == 0 ? 74512ULL : 1210ULL) * mib;
    m->free = m->total - m->used;
    return NVML_SUCCESS;
}
#ifndef NO_TEMPERATURE_V
nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t d, nvmlTemperature_t *t) {
    CHECK(d);
    if (t->version != (sizeof(nvmlTemperature_t) | (1u << 24))) return NVML_ERROR_INVALID_ARGUMENT;
    t->temperature = dev_index(d) == 0 ? 61 : 41;
    return NVML_SUCCESS;
}
#endif
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *temp) {
    CHECK(d);
    if (sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *temp = dev_index(d) == 0 ? 60 : 40; /* one less than the V call, so tests see which path ran */
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) {
    CHECK(d);
    if (dev_index(d) == 1) return NVML_ERROR_NOT_SUPPORTED;
    *mw = 350000;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) {
    CHECK(d);
    *mw = dev_index(d) == 0 ? 700000 : 450000;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *mj) {
    CHECK(d);
    if (dev_index(d) == 1) return NVML_ERROR_NOT_SUPPORTED;
    *mj = 123456789ULL;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
    CHECK(d);
    if (type == 1) { *mhz = dev_index(d) == 0 ? 1980 : 2520; return NVML_SUCCESS; }
    if (type == 2) { *mhz = dev_index(d) == 0 ? 2619 : 10501; return NVML_SUCCESS; }
    if (type == 0) { *mhz = 1980; return NVML_SUCCESS; }
    return NVML_ERROR_INVALID_ARGUMENT;
}
nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int errorType, int counterType, unsigned long long *count) {
    CHECK(d);
    if (dev_index(d) == 1) return NVML_ERROR_NOT_SUPPORTED;
    if (counterType != 1) return NVML_ERROR_INVALID_ARGUMENT;
    *count = errorType == 0 ? 3 : 0;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failure) {
    CHECK(d);
    if (dev_index(d) == 1) return NVML_ERROR_NOT_SUPPORTED;
    *corr = 2; *unc = 0; *pending = 0; *failure = 0;
    return NVML_SUCCESS;
}
#ifndef NO_CLOCKS_EVENT_REASONS
nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *reasons) {
    CHECK(d);
    *reasons = dev_index(d) == 0 ? 0x40ULL : 0x4ULL; /* hw_thermal ; sw_power_cap */
    return NVML_SUCCESS;
}
#endif
nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *reasons) {
    CHECK(d);
    *reasons = dev_index(d) == 0 ? 0x20ULL : 0x4ULL; /* sw_thermal here, so tests see which symbol ran */
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    *set = &the_set;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, nvmlEventSet_t set) {
    CHECK(d);
    if (set != &the_set || (types & 0x8ULL) == 0) return NVML_ERROR_INVALID_ARGUMENT;
    registered[dev_index(d)] = 1;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (set != &the_set) return NVML_ERROR_INVALID_ARGUMENT;
    if (queue_len > 0 && registered[queue_dev[0]]) {
        data->device = &devices[queue_dev[0]];
        data->eventType = 0x8ULL;
        data->eventData = queue_xid[0];
        data->gpuInstanceId = 0xFFFFFFFFu;
        data->computeInstanceId = 0xFFFFFFFFu;
        memmove(queue_dev, queue_dev + 1, sizeof(int) * (queue_len - 1));
        memmove(queue_xid, queue_xid + 1, sizeof(unsigned long long) * (queue_len - 1));
        queue_len--;
        return NVML_SUCCESS;
    }
    usleep((timeoutms < 50 ? timeoutms : 50) * 1000);
    return NVML_ERROR_TIMEOUT;
}
nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
    registered[0] = registered[1] = 0;
    return set == &the_set ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
}
