package io.gonka.simulator;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One local ML node: its registration and broker state as the admin API reports them
 * (SCHEMAS §3.1), and how its own loopback HTTP server behaves (SCHEMAS §7).
 *
 * <p>Create one, configure it with the fluent setters, then hand it to
 * {@link SimState#addMlNode}. After that, change it only through {@link SimState#updateMlNode}
 * or the named {@code SimState} methods, so rendered-response caches and the ML node servers
 * see the change.
 */
public final class SimMlNode {

    /** {@code node.hardware[]} entry as declared in the dapi config. */
    public record Hardware(String type, int count) {
    }

    private final String id;
    private String bindAddress;
    private int port;
    private boolean schemeHost;
    private int schemeHostPocPort = 8080;

    private int inferencePort = 5000;
    private int maxConcurrent = 500;
    private long nodeNum;
    private final Map<String, List<String>> models = new LinkedHashMap<>();
    private List<Hardware> hardware = new ArrayList<>();

    private String intendedStatus = "INFERENCE";
    private String currentStatus = "INFERENCE";
    private Integer reconcileStatus;
    private String reconcilePocStatus;
    private String pocIntendedStatus = "IDLE";
    private String pocCurrentStatus = "IDLE";
    private int lockCount;
    private String failureReason = "";
    private String statusTimestamp = "2026-05-11T14:03:22.481923117Z";
    private boolean adminEnabled = true;
    private long adminEpoch;
    private String mlNodeVersion = "3.0.12";
    private boolean pocValidationInference;

    private boolean inEpoch = true;
    private long pocWeight;
    private long throughput;
    private List<Boolean> timeslotAllocation = List.of(true, false);

    private String onboardingParticipantState = "ACTIVE_PARTICIPATING";
    private String onboardingMlnodeState = "WAITING_FOR_POC";
    private String onboardingUserMessage = "MLnode is serving inference";
    private String onboardingGuidance = "Participant is active in the current epoch";

    private boolean reachable = true;
    private boolean healthy = true;
    private boolean upgradeReady = true;
    private boolean healthIncludesGpus = true;
    private boolean signed;
    private long slowMillis;
    private final List<SimGpu> gpus = new ArrayList<>();
    private final Map<SimEndpoint, FaultSpec> faults = new EnumMap<>(SimEndpoint.class);

    /**
     * @param id          the dapi node id, e.g. {@code "node1"}
     * @param bindAddress a loopback IPv4 address the node's server binds, e.g. {@code "127.0.0.11"}
     */
    public SimMlNode(String id, String bindAddress) {
        this.id = id;
        this.bindAddress = Loopback.requireLoopback(bindAddress);
    }

    SimMlNode copy() {
        SimMlNode c = new SimMlNode(id, bindAddress);
        c.port = port;
        c.schemeHost = schemeHost;
        c.schemeHostPocPort = schemeHostPocPort;
        c.inferencePort = inferencePort;
        c.maxConcurrent = maxConcurrent;
        c.nodeNum = nodeNum;
        models.forEach((k, v) -> c.models.put(k, v == null ? null : List.copyOf(v)));
        c.hardware = new ArrayList<>(hardware);
        c.intendedStatus = intendedStatus;
        c.currentStatus = currentStatus;
        c.reconcileStatus = reconcileStatus;
        c.reconcilePocStatus = reconcilePocStatus;
        c.pocIntendedStatus = pocIntendedStatus;
        c.pocCurrentStatus = pocCurrentStatus;
        c.lockCount = lockCount;
        c.failureReason = failureReason;
        c.statusTimestamp = statusTimestamp;
        c.adminEnabled = adminEnabled;
        c.adminEpoch = adminEpoch;
        c.mlNodeVersion = mlNodeVersion;
        c.pocValidationInference = pocValidationInference;
        c.inEpoch = inEpoch;
        c.pocWeight = pocWeight;
        c.throughput = throughput;
        c.timeslotAllocation = timeslotAllocation;
        c.onboardingParticipantState = onboardingParticipantState;
        c.onboardingMlnodeState = onboardingMlnodeState;
        c.onboardingUserMessage = onboardingUserMessage;
        c.onboardingGuidance = onboardingGuidance;
        c.reachable = reachable;
        c.healthy = healthy;
        c.upgradeReady = upgradeReady;
        c.healthIncludesGpus = healthIncludesGpus;
        c.signed = signed;
        c.slowMillis = slowMillis;
        gpus.forEach(g -> c.gpus.add(g.copy()));
        c.faults.putAll(faults);
        return c;
    }

    /** {@code node.host} as the admin API reports it: the bare address, or {@code http://addr:port} for a scheme host. */
    public String reportedHost() {
        return schemeHost ? "http://" + bindAddress + ":" + port : bindAddress;
    }

    /** {@code node.poc_port} as reported. For a scheme host it is a decoy the exporter must not append. */
    public int reportedPocPort() {
        return schemeHost ? schemeHostPocPort : port;
    }

    /** The base URL the simulator really serves this node on, without version prefix. */
    public String serverBaseUrl() {
        return "http://" + bindAddress + ":" + port;
    }

    public String id() { return id; }
    public String bindAddress() { return bindAddress; }
    public int port() { return port; }
    public boolean schemeHost() { return schemeHost; }
    public int schemeHostPocPort() { return schemeHostPocPort; }
    public int inferencePort() { return inferencePort; }
    public int maxConcurrent() { return maxConcurrent; }
    public long nodeNum() { return nodeNum; }
    public Map<String, List<String>> models() { return models; }
    public List<Hardware> hardware() { return hardware; }
    public String intendedStatus() { return intendedStatus; }
    public String currentStatus() { return currentStatus; }
    public Integer reconcileStatus() { return reconcileStatus; }
    public String reconcilePocStatus() { return reconcilePocStatus; }
    public String pocIntendedStatus() { return pocIntendedStatus; }
    public String pocCurrentStatus() { return pocCurrentStatus; }
    public int lockCount() { return lockCount; }
    public String failureReason() { return failureReason; }
    public String statusTimestamp() { return statusTimestamp; }
    public boolean adminEnabled() { return adminEnabled; }
    public long adminEpoch() { return adminEpoch; }
    public String mlNodeVersion() { return mlNodeVersion; }
    public boolean pocValidationInference() { return pocValidationInference; }
    public boolean inEpoch() { return inEpoch; }
    public long pocWeight() { return pocWeight; }
    public long throughput() { return throughput; }
    public List<Boolean> timeslotAllocation() { return timeslotAllocation; }
    public String onboardingParticipantState() { return onboardingParticipantState; }
    public String onboardingMlnodeState() { return onboardingMlnodeState; }
    public String onboardingUserMessage() { return onboardingUserMessage; }
    public String onboardingGuidance() { return onboardingGuidance; }
    public boolean reachable() { return reachable; }
    public boolean healthy() { return healthy; }
    /** Whether the node answers on the upgrade plan's ML-node version ({@code nodes/upgrade-status} is_alive). */
    public boolean upgradeReady() { return upgradeReady; }
    public boolean healthIncludesGpus() { return healthIncludesGpus; }
    public boolean signed() { return signed; }
    public long slowMillis() { return slowMillis; }
    public List<SimGpu> gpus() { return gpus; }
    public Map<SimEndpoint, FaultSpec> faults() { return faults; }

    /** Fixed port to bind (0 = ephemeral, chosen at first start and kept across restarts). */
    public SimMlNode port(int v) { port = v; return this; }
    public SimMlNode bindAddress(String v) { bindAddress = Loopback.requireLoopback(v); return this; }
    /** Report {@code host} as {@code http://addr:port}, used as-is by a correct client. */
    public SimMlNode schemeHost(boolean v) { schemeHost = v; return this; }
    public SimMlNode schemeHostPocPort(int v) { schemeHostPocPort = v; return this; }
    public SimMlNode inferencePort(int v) { inferencePort = v; return this; }
    public SimMlNode maxConcurrent(int v) { maxConcurrent = v; return this; }
    public SimMlNode nodeNum(long v) { nodeNum = v; return this; }
    public SimMlNode model(String modelId, List<String> args) { models.put(modelId, args); return this; }
    public SimMlNode hardware(List<Hardware> v) { hardware = v == null ? null : new ArrayList<>(v); return this; }
    public SimMlNode intendedStatus(String v) { intendedStatus = v; return this; }
    public SimMlNode currentStatus(String v) { currentStatus = v; return this; }
    /** Both statuses at once. */
    public SimMlNode status(String v) { intendedStatus = v; currentStatus = v; return this; }
    /** {@code reconcile_info}; pass a null status to remove it. */
    public SimMlNode reconcile(Integer status, String pocStatus) { reconcileStatus = status; reconcilePocStatus = pocStatus; return this; }
    public SimMlNode pocIntendedStatus(String v) { pocIntendedStatus = v; return this; }
    public SimMlNode pocCurrentStatus(String v) { pocCurrentStatus = v; return this; }
    public SimMlNode lockCount(int v) { lockCount = v; return this; }
    public SimMlNode failureReason(String v) { failureReason = v; return this; }
    public SimMlNode statusTimestamp(String v) { statusTimestamp = v; return this; }
    public SimMlNode adminEnabled(boolean v) { adminEnabled = v; return this; }
    public SimMlNode adminEpoch(long v) { adminEpoch = v; return this; }
    public SimMlNode mlNodeVersion(String v) { mlNodeVersion = v; return this; }
    public SimMlNode pocValidationInference(boolean v) { pocValidationInference = v; return this; }
    /** Whether the node has an {@code epoch_ml_nodes} entry (and appears in our participant's ml_nodes). */
    public SimMlNode inEpoch(boolean v) { inEpoch = v; return this; }
    /** PoC weight; 0 makes the {@code poc_weight} key disappear (protobuf omitempty). */
    public SimMlNode pocWeight(long v) { pocWeight = v; return this; }
    public SimMlNode throughput(long v) { throughput = v; return this; }
    public SimMlNode timeslotAllocation(List<Boolean> v) { timeslotAllocation = v == null ? List.of() : List.copyOf(v); return this; }
    public SimMlNode onboarding(String participantState, String mlnodeState, String userMessage, String guidance) {
        onboardingParticipantState = participantState;
        onboardingMlnodeState = mlnodeState;
        onboardingUserMessage = userMessage;
        onboardingGuidance = guidance;
        return this;
    }
    /** false stops the node's server (connection refused); true starts it again on the same port. */
    public SimMlNode reachable(boolean v) { reachable = v; return this; }
    /** false makes {@code /health} answer 503 with {@code "status":"unhealthy"}. */
    public SimMlNode healthy(boolean v) { healthy = v; return this; }
    public SimMlNode upgradeReady(boolean v) { upgradeReady = v; return this; }
    /** false drops {@code gpu.devices} from the health body. */
    public SimMlNode healthIncludesGpus(boolean v) { healthIncludesGpus = v; return this; }
    /** true makes GPU routes answer 403 {@code {"detail":"Missing signature"}} without an X-Signature header. */
    public SimMlNode signed(boolean v) { signed = v; return this; }
    /** Delay before every answer of this node. */
    public SimMlNode slowMillis(long v) { slowMillis = v; return this; }
    public SimMlNode gpu(SimGpu gpu) { gpus.add(gpu); return this; }
    public SimMlNode fault(SimEndpoint endpoint, FaultSpec spec) {
        if (spec == null || spec.fault() == Fault.OK) {
            faults.remove(endpoint);
        } else {
            faults.put(endpoint, spec);
        }
        return this;
    }

    void assignPort(int boundPort) {
        port = boundPort;
    }
}
