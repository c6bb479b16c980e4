package io.gonka.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Everything the simulated node knows: chain height and epoch, participants, local ML nodes,
 * faults and compatibility modes. All responses are rendered from this.
 *
 * <p>Thread-safety: every method synchronizes on this object. Each mutation bumps
 * {@link #version()} (the key for rendered-response caches) and, once the outermost mutation
 * returns, notifies listeners (the simulator uses that to start and stop ML node servers).
 * To change several things at once, or anything without a named method, use
 * {@link #update(Consumer)}, {@link #updateMlNode} or {@link #updateParticipant}.
 *
 * <p>Epoch model: the latest epoch is the one whose PoC most recently started; moving the
 * height past {@code next_poc_start} starts the next one. The effective epoch (what
 * {@code get_current_epoch} and {@code /v1/epochs/current/participants} report) follows it at
 * {@code set_new_validators}; at that moment every participant's current-epoch stats are
 * reset, as the chain's settlement does.
 */
public final class SimState {

    /** One {@code excluded_participants[]} entry. */
    public record Exclusion(String address, String reason, long exclusionBlockHeight) {
    }

    /** Block time the chain targets; used for onboarding timing (SCHEMAS §8.4). */
    static final double EXPECTED_BLOCK_SECONDS = 5.41;

    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long version;

    private long height;
    private Instant latestBlockTime;
    private boolean chainStalled;
    private boolean catchingUp;
    private int peerCount = 2;
    private SimEpochParams epochParams = SimEpochParams.mainnet2026();
    private long latestEpochIndex;
    private long pocStartBlockHeight;
    private long effectiveEpochIndex;
    private long binomTestP0Value = 1;
    private int binomTestP0Exponent = -1;
    /** The chain binary's version ({@code /abci_info}); upgrades up to it count as applied. */
    private String chainAppVersion = "v0.2.13";
    /** Whether this node's validator signs new blocks (false: absent from their commits). */
    private boolean validatorSigning = true;
    private java.time.Instant validatorJailedUntil;
    private boolean validatorTombstoned;
    /** The own participant's active collateral in ngonka; null: none deposited (the chain's NotFound). */
    private Long collateral = 200_000L;

    private String participantAddress;
    private String accountPubkey = "Apwdfg83xEkhvT9lZOrffxQqcmaMR+Ij0W7djEe0avxb";
    private String nodeConsensusPubkey;
    private String warmKeyAddress = "gonka1r2rrp0kg98gh78xtu6xpp728knle26j58ykx6f";
    private String workerPublicKey = "A+Jh9TsmFS0mO6g7A3zUli5DSAEla4henJBR8yCw24Pz";
    private String workerPrivateKey = "SIM-FAKE-WORKER-PRIVATE-KEY-must-never-be-exported";
    private String publicUrl = "http://203.0.113.45:8000";

    private String currentNodeVersion = "v3.0.12";
    private String lastUsedVersion = "v3.0.11";
    private long processingLag = 2;
    private String upgradePlanName = "";
    private long upgradePlanHeight;
    private String upgradePlanNodeVersion = "";
    private boolean previousSeedClaimed = true;

    private final Map<String, SimParticipant> participants = new LinkedHashMap<>();
    private final List<Exclusion> exclusions = new ArrayList<>();
    private final Map<String, SimMlNode> mlNodes = new LinkedHashMap<>();
    private final Map<SimEndpoint, FaultSpec> faults = new EnumMap<>(SimEndpoint.class);
    private boolean legacy2025;
    private boolean stringNumbers;
    private boolean chainApiDisabled;
    private boolean chainRpcDisabled;
    /** ConfirmationPoCPhase number of the running confirmation PoC; 0 (INACTIVE) when none runs. */
    private int confirmationPocPhase;
    private long accountBalance = 183400112233445L;

    public SimState(Clock clock) {
        this.clock = clock;
        this.latestBlockTime = clock.instant();
    }

    // ---------------------------------------------------------------- reads

    public synchronized long version() { return version; }
    public Clock clock() { return clock; }
    public synchronized long height() { return height; }
    public synchronized Instant latestBlockTime() { return latestBlockTime; }
    public synchronized boolean chainStalled() { return chainStalled; }
    public synchronized boolean catchingUp() { return catchingUp; }
    public synchronized int peerCount() { return peerCount; }
    public synchronized SimEpochParams epochParams() { return epochParams; }
    public synchronized long latestEpochIndex() { return latestEpochIndex; }
    public synchronized long pocStartBlockHeight() { return pocStartBlockHeight; }
    public synchronized long effectiveEpochIndex() { return effectiveEpochIndex; }
    public synchronized long binomTestP0Value() { return binomTestP0Value; }
    public synchronized int binomTestP0Exponent() { return binomTestP0Exponent; }
    public synchronized String chainAppVersion() { return chainAppVersion; }
    public synchronized boolean validatorSigning() { return validatorSigning; }
    /** The slashing module's jailed_until for this node's validator; null: never jailed. */
    public synchronized java.time.Instant validatorJailedUntil() { return validatorJailedUntil; }
    public synchronized boolean validatorTombstoned() { return validatorTombstoned; }
    public synchronized Long collateral() { return collateral; }
    public synchronized String participantAddress() { return participantAddress; }
    public synchronized String accountPubkey() { return accountPubkey; }
    public synchronized String nodeConsensusPubkey() { return nodeConsensusPubkey; }
    public synchronized String warmKeyAddress() { return warmKeyAddress; }
    public synchronized String workerPublicKey() { return workerPublicKey; }
    public synchronized String workerPrivateKey() { return workerPrivateKey; }
    public synchronized String publicUrl() { return publicUrl; }
    public synchronized String currentNodeVersion() { return currentNodeVersion; }
    public synchronized String lastUsedVersion() { return lastUsedVersion; }
    public synchronized long processingLag() { return processingLag; }
    public synchronized String upgradePlanName() { return upgradePlanName; }
    public synchronized long upgradePlanHeight() { return upgradePlanHeight; }
    public synchronized String upgradePlanNodeVersion() { return upgradePlanNodeVersion; }
    public synchronized boolean previousSeedClaimed() { return previousSeedClaimed; }
    public synchronized boolean legacy2025() { return legacy2025; }
    public synchronized boolean stringNumbers() { return stringNumbers; }
    public synchronized boolean chainApiDisabled() { return chainApiDisabled; }
    public synchronized boolean chainRpcDisabled() { return chainRpcDisabled; }
    public synchronized int confirmationPocPhase() { return confirmationPocPhase; }
    public synchronized long accountBalance() { return accountBalance; }

    /** Stages of the latest epoch. */
    public synchronized EpochStages latestStages() {
        return EpochStages.compute(latestEpochIndex, pocStartBlockHeight, epochParams);
    }

    /** dapi phase name at the current height. */
    public synchronized String phase() {
        return latestStages().phaseAt(height);
    }

    /** PoC start of the effective epoch (one epoch back while the latest epoch's PoC runs). */
    public synchronized long effectivePocStart() {
        if (effectiveEpochIndex == latestEpochIndex || latestEpochIndex == 0) {
            return pocStartBlockHeight;
        }
        return Math.max(0, pocStartBlockHeight - epochParams.epochLength());
    }

    /** A copy of the participant, or null. */
    public synchronized SimParticipant participant(String address) {
        SimParticipant p = participants.get(address);
        return p == null ? null : p.copy();
    }

    /** The simulator's own participant (a copy), or null if it was removed. */
    public synchronized SimParticipant ownParticipant() {
        return participant(participantAddress);
    }

    public synchronized int participantCount() { return participants.size(); }

    /** Sum of all active participants' weights. */
    public synchronized long totalWeight() {
        return participants.values().stream().mapToLong(SimParticipant::weight).sum();
    }

    /** A copy of the ML node, or null. */
    public synchronized SimMlNode mlNode(String id) {
        SimMlNode n = mlNodes.get(id);
        return n == null ? null : n.copy();
    }

    public synchronized List<String> mlNodeIds() { return new ArrayList<>(mlNodes.keySet()); }

    /** Copies of all ML nodes in registration order. */
    public synchronized List<SimMlNode> mlNodeSnapshots() {
        return mlNodes.values().stream().map(SimMlNode::copy).toList();
    }

    public synchronized FaultSpec fault(SimEndpoint endpoint) {
        return faults.getOrDefault(endpoint, FaultSpec.NONE);
    }

    /** The fault for an ML node endpoint: the node's own, else the global one. */
    public synchronized FaultSpec mlNodeFault(String nodeId, SimEndpoint endpoint) {
        SimMlNode n = mlNodes.get(nodeId);
        if (n != null && n.faults().containsKey(endpoint)) {
            return n.faults().get(endpoint);
        }
        return fault(endpoint);
    }

    public synchronized Map<SimEndpoint, FaultSpec> faults() { return new EnumMap<>(faults); }

    /** Runs {@code reader} with the state locked (renderers use this for a consistent view). */
    public synchronized <T> T read(Function<SimState, T> reader) {
        return reader.apply(this);
    }

    // Live views for renderers; callers hold the lock via read().
    Map<String, SimParticipant> participantsLive() { return participants; }
    Map<String, SimMlNode> mlNodesLive() { return mlNodes; }
    List<Exclusion> exclusionsLive() { return exclusions; }

    // ---------------------------------------------------------------- mutation plumbing

    void addChangeListener(Runnable listener) {
        listeners.add(listener);
    }

    void removeChangeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private void mutate(Runnable change) {
        synchronized (this) {
            change.run();
            version++;
        }
        if (!Thread.holdsLock(this)) {
            listeners.forEach(Runnable::run);
        }
    }

    /** Applies several changes atomically; listeners run once afterwards. */
    public void update(Consumer<SimState> change) {
        mutate(() -> change.accept(this));
    }

    public void updateMlNode(String id, Consumer<SimMlNode> change) {
        mutate(() -> change.accept(requireNode(id)));
    }

    public void updateParticipant(String address, Consumer<SimParticipant> change) {
        mutate(() -> change.accept(requireParticipant(address)));
    }

    /** Records where a node's server really bound; no listener call (the caller is the listener). */
    synchronized void recordBinding(String nodeId, String address, int port) {
        SimMlNode n = mlNodes.get(nodeId);
        if (n != null && (n.port() != port || !n.bindAddress().equals(address))) {
            n.assignPort(port);
            n.bindAddress(address);
            version++;
        }
    }

    /** Marks a node whose server could not bind; no listener call (the caller is the listener). */
    synchronized void recordUnreachable(String nodeId) {
        SimMlNode n = mlNodes.get(nodeId);
        if (n != null && n.reachable()) {
            n.reachable(false);
            version++;
        }
    }

    private SimMlNode requireNode(String id) {
        SimMlNode n = mlNodes.get(id);
        if (n == null) {
            throw new NoSuchElementException("no ML node " + id);
        }
        return n;
    }

    private SimParticipant requireParticipant(String address) {
        SimParticipant p = participants.get(address);
        if (p == null) {
            throw new NoSuchElementException("no participant " + address);
        }
        return p;
    }

    // ---------------------------------------------------------------- chain and epochs

    /** Sets latest and effective epoch directly, without settlement (scenario set-up). */
    public void setEpoch(long latestIndex, long pocStart, long effectiveIndex) {
        mutate(() -> {
            latestEpochIndex = latestIndex;
            pocStartBlockHeight = pocStart;
            effectiveEpochIndex = effectiveIndex;
        });
    }

    public void setEpochParams(SimEpochParams params) {
        mutate(() -> epochParams = params);
    }

    /** Moves to {@code newHeight}; crossing epoch boundaries starts epochs and settles as the chain would. */
    public void setHeight(long newHeight) {
        mutate(() -> moveTo(newHeight));
    }

    public void advanceBlocks(long blocks) {
        mutate(() -> moveTo(height + blocks));
    }

    /** Jumps to the next epoch's PoC start: latest epoch +1, effective epoch unchanged. */
    public void startNextPoc() {
        mutate(this::jumpToNextPoc);
    }

    /**
     * Makes the next epoch effective: jumps to its {@code claim_money} block (Inference phase),
     * settling the current one. During a PoC the next epoch is the one whose PoC is running.
     */
    public void rollEpoch() {
        mutate(() -> {
            if (effectiveEpochIndex == latestEpochIndex) {
                jumpToNextPoc();
            }
            moveTo(Math.max(height, latestStages().claimMoney()));
        });
    }

    private void jumpToNextPoc() {
        long target = latestStages().nextPocStart();
        if (target > height) {
            moveTo(target);
        } else {
            // Epoch 0 can have a negative next_poc_start; start the PoC here instead.
            latestEpochIndex++;
            pocStartBlockHeight = height;
            moveTo(height);
        }
    }

    private void moveTo(long newHeight) {
        if (epochParams.epochLength() > 0) {
            while (true) {
                long next = latestStages().nextPocStart();
                if (newHeight < next || next <= 0) {
                    break;
                }
                latestEpochIndex++;
                pocStartBlockHeight = next;
            }
        }
        height = newHeight;
        latestBlockTime = clock.instant();
        long effective = latestEpochIndex == 0 || height >= latestStages().setNewValidators()
                ? latestEpochIndex : latestEpochIndex - 1;
        while (effectiveEpochIndex < effective) {
            effectiveEpochIndex++;
            participants.values().forEach(SimParticipant::settleEpoch);
        }
        effectiveEpochIndex = Math.min(effectiveEpochIndex, effective);
    }

    /** A stalled chain ignores automatic block production; block age then grows with the clock. */
    public void setChainStalled(boolean stalled) {
        mutate(() -> chainStalled = stalled);
    }

    /** Makes the latest block {@code age} old without changing the height. */
    public void setLatestBlockAge(Duration age) {
        mutate(() -> latestBlockTime = clock.instant().minus(age));
    }

    public void setCatchingUp(boolean value) {
        mutate(() -> catchingUp = value);
    }

    public void setPeerCount(int count) {
        mutate(() -> peerCount = count);
    }

    /** {@code validation_params.binom_test_p0} as a chain Decimal (value x 10^exponent). */
    public void setBinomTestP0(long value, int exponent) {
        mutate(() -> {
            binomTestP0Value = value;
            binomTestP0Exponent = exponent;
        });
    }

    /** The chain node's version as {@code /abci_info} reports it, e.g. {@code v0.2.10-post7} or a commit hash. */
    public void setChainAppVersion(String value) {
        mutate(() -> chainAppVersion = value);
    }

    /** The own participant's collateral in ngonka; null for none. */
    public void setCollateral(Long amount) {
        mutate(() -> collateral = amount);
    }

    /** false: this node's validator stops signing (it is absent from the commits from now on). */
    public void setValidatorSigning(boolean value) {
        mutate(() -> validatorSigning = value);
    }

    /** Jails this node's validator until {@code until} (null: never jailed), as the slashing module records it. */
    public void setValidatorJailedUntil(java.time.Instant until) {
        mutate(() -> validatorJailedUntil = until);
    }

    public void setValidatorTombstoned(boolean value) {
        mutate(() -> validatorTombstoned = value);
    }

    // ---------------------------------------------------------------- identity and config

    /** Sets the simulator's own participant address (must also be added as a participant). */
    public void setParticipantAddress(String address) {
        mutate(() -> participantAddress = address);
    }

    public void setNodeConsensusPubkey(String base64) {
        mutate(() -> nodeConsensusPubkey = base64);
    }

    public void setAccountPubkey(String base64) {
        mutate(() -> accountPubkey = base64);
    }

    /** The fake secret that {@code /admin/v1/config} leaks as {@code ml_node_key_config.worker_private}. */
    public void setWorkerPrivateKey(String secret) {
        mutate(() -> workerPrivateKey = secret);
    }

    public void setPublicUrl(String url) {
        mutate(() -> publicUrl = url);
    }

    /** {@code current_node_version}, the ML node URL prefix (e.g. "v3.0.12"; "" for none). */
    public void setCurrentNodeVersion(String value) {
        mutate(() -> currentNodeVersion = value);
    }

    /** {@code current_height - last_processed_height} in the config. */
    public void setProcessingLag(long blocks) {
        mutate(() -> processingLag = blocks);
    }

    public void setUpgradePlan(String name, long planHeight, String nodeVersion) {
        mutate(() -> {
            upgradePlanName = name;
            upgradePlanHeight = planHeight;
            upgradePlanNodeVersion = nodeVersion;
        });
    }

    public void setPreviousSeedClaimed(boolean claimed) {
        mutate(() -> previousSeedClaimed = claimed);
    }

    // ---------------------------------------------------------------- participants

    public void addParticipant(SimParticipant participant) {
        mutate(() -> participants.put(participant.address(), participant.copy()));
    }

    public void removeParticipant(String address) {
        mutate(() -> participants.remove(address));
    }

    public void setParticipantWeight(String address, long weight) {
        updateParticipant(address, p -> p.weight(weight));
    }

    /** Current-epoch {@code inference_count} and {@code missed_requests} of the own participant. */
    public void setMissCounts(long inferenceCount, long missedRequests) {
        setMissCounts(participantAddress(), inferenceCount, missedRequests);
    }

    public void setMissCounts(String address, long inferenceCount, long missedRequests) {
        updateParticipant(address, p -> p.inferenceCount(inferenceCount).missedRequests(missedRequests));
    }

    public void addExclusion(Exclusion exclusion) {
        mutate(() -> exclusions.add(exclusion));
    }

    public void clearExclusions() {
        mutate(exclusions::clear);
    }

    // ---------------------------------------------------------------- ML nodes

    /** Registers a node; the simulator starts its server if it is reachable. */
    public void addMlNode(SimMlNode node) {
        mutate(() -> {
            if (mlNodes.containsKey(node.id())) {
                throw new IllegalArgumentException("duplicate ML node " + node.id());
            }
            SimMlNode copy = node.copy();
            if (copy.nodeNum() == 0) {
                copy.nodeNum(mlNodes.size() + 1L);
            }
            mlNodes.put(copy.id(), copy);
        });
    }

    /** Unregisters a node; the simulator stops its server. */
    public void removeMlNode(String id) {
        mutate(() -> {
            if (mlNodes.remove(id) == null) {
                throw new NoSuchElementException("no ML node " + id);
            }
        });
    }

    /** Sets intended and current status ({@code "INFERENCE"}, {@code "POC"}, {@code "FAILED"}, ...). */
    public void setMlNodeStatus(String id, String intendedStatus, String currentStatus) {
        updateMlNode(id, n -> n.intendedStatus(intendedStatus).currentStatus(currentStatus));
    }

    public void setMlNodeReachable(String id, boolean reachable) {
        updateMlNode(id, n -> n.reachable(reachable));
    }

    public void setMlNodeHealthy(String id, boolean healthy) {
        updateMlNode(id, n -> n.healthy(healthy));
    }

    public void setMlNodePocWeight(String id, long pocWeight) {
        updateMlNode(id, n -> n.pocWeight(pocWeight));
    }

    /** Adds a GPU with the next free index. */
    public void addGpu(String nodeId, SimGpu gpu) {
        updateMlNode(nodeId, n -> {
            int next = n.gpus().stream().mapToInt(SimGpu::index).max().orElse(-1) + 1;
            n.gpus().add(gpu.copy().index(next));
        });
    }

    /** Removes the GPU with {@code index} (the others keep their indexes, as NVML would). */
    public void removeGpu(String nodeId, int index) {
        updateMlNode(nodeId, n -> {
            if (!n.gpus().removeIf(g -> g.index() == index)) {
                throw new NoSuchElementException("no GPU " + index + " on " + nodeId);
            }
        });
    }

    // ---------------------------------------------------------------- faults and modes

    public void setFault(SimEndpoint endpoint, FaultSpec spec) {
        mutate(() -> {
            if (spec == null || spec.fault() == Fault.OK) {
                faults.remove(endpoint);
            } else {
                faults.put(endpoint, spec);
            }
        });
    }

    public void setFault(SimEndpoint endpoint, Fault fault) {
        setFault(endpoint, FaultSpec.of(fault));
    }

    public void setMlNodeFault(String nodeId, SimEndpoint endpoint, FaultSpec spec) {
        updateMlNode(nodeId, n -> n.fault(endpoint, spec));
    }

    /** Removes all global and per-node faults. */
    public void clearFaults() {
        mutate(() -> {
            faults.clear();
            mlNodes.values().forEach(n -> n.faults().clear());
        });
    }

    /** 2025-08 dapi: no config or setup report routes (404), older {@code /nodes} shape. */
    public void setLegacy2025(boolean value) {
        mutate(() -> legacy2025 = value);
    }

    /** Participants in the protojson string encoding (int64 as strings, all fields emitted). */
    public void setStringNumbers(boolean value) {
        mutate(() -> stringNumbers = value);
    }

    /** The public proxy's {@code DISABLE_CHAIN_API}: {@code /chain-api/...} answers {@code 404 Chain API Disabled}. */
    public void setChainApiDisabled(boolean value) {
        mutate(() -> chainApiDisabled = value);
    }

    /** The public proxy's {@code DISABLE_CHAIN_RPC}: {@code /chain-rpc/...} answers {@code 404 Chain API Disabled}. */
    public void setChainRpcDisabled(boolean value) {
        mutate(() -> chainRpcDisabled = value);
    }

    /** A running confirmation PoC in that phase (1 grace period .. 4 completed); 0 ends it. */
    public void setConfirmationPocPhase(int phase) {
        mutate(() -> confirmationPocPhase = phase);
    }

    /** The own account's wallet balance ({@code /v1/participants/{a}} balance). */
    public void setAccountBalance(long ngonka) {
        mutate(() -> accountBalance = ngonka);
    }
}
