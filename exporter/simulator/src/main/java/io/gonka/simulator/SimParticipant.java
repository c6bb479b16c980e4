package io.gonka.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A network participant: its active-set entry for the effective epoch (SCHEMAS §4.3) and its
 * chain record with current-epoch stats (SCHEMAS §5.1).
 *
 * <p>For the simulator's own participant ({@link SimState#participantAddress()}) the
 * {@code ml_nodes} listed in the participants response come from the local {@link SimMlNode}s,
 * not from {@link #mlNodes()}. Weight is always this object's {@link #weight()}, and every
 * endpoint that shows weight (participants, validators, CometBFT voting power, setup report)
 * reads it from here.
 */
public final class SimParticipant {
    /** CometBFT's validator order: voting power descending, then address. */
    static final Comparator<SimParticipant> BY_VOTING_POWER = Comparator
            .comparingLong((SimParticipant p) -> p.weight()).reversed()
            .thenComparing(SimParticipant::consensusAddress);

    private final String address;
    private String validatorKey;
    private long weight;
    private String inferenceUrl;
    private List<String> models = new ArrayList<>();
    private List<List<EpochMlNode>> mlNodes = new ArrayList<>();
    private long proposerPriority;

    private String status = "ACTIVE";
    private long joinTime = 1756912503114L;
    private long joinHeight = 112406;
    private long lastInferenceTime = 1778508291337L;
    private long coinBalance;
    private long consecutiveInvalidInferences;
    private String workerPublicKey = "";
    private int epochsCompleted;
    private boolean hasEpochStats = true;
    private long inferenceCount;
    private long missedRequests;
    private long rewardedCoins;
    private long burnedCoins;
    private long validatedInferences;
    private long invalidatedInferences;

    public SimParticipant(String address, String validatorKey, long weight, String inferenceUrl) {
        this.address = address;
        this.validatorKey = validatorKey;
        this.weight = weight;
        this.inferenceUrl = inferenceUrl;
    }

    SimParticipant copy() {
        SimParticipant c = new SimParticipant(address, validatorKey, weight, inferenceUrl);
        c.models = new ArrayList<>(models);
        c.mlNodes = new ArrayList<>();
        mlNodes.forEach(group -> c.mlNodes.add(new ArrayList<>(group)));
        c.proposerPriority = proposerPriority;
        c.status = status;
        c.joinTime = joinTime;
        c.joinHeight = joinHeight;
        c.lastInferenceTime = lastInferenceTime;
        c.coinBalance = coinBalance;
        c.consecutiveInvalidInferences = consecutiveInvalidInferences;
        c.workerPublicKey = workerPublicKey;
        c.epochsCompleted = epochsCompleted;
        c.hasEpochStats = hasEpochStats;
        c.inferenceCount = inferenceCount;
        c.missedRequests = missedRequests;
        c.rewardedCoins = rewardedCoins;
        c.burnedCoins = burnedCoins;
        c.validatedInferences = validatedInferences;
        c.invalidatedInferences = invalidatedInferences;
        return c;
    }

    /** CometBFT address: {@code sha256(pubkey)[:20]} in upper-case hex; "" without a key. */
    public String consensusAddress() {
        return validatorKey == null || validatorKey.isEmpty() ? "" : FakeKeys.consensusAddressHex(validatorKey);
    }

    /** Earned coins follow completed inferences (1000 ngonka each, as in the examples). */
    public long earnedCoins() {
        return inferenceCount * 1000;
    }

    public String address() { return address; }
    public String validatorKey() { return validatorKey; }
    public long weight() { return weight; }
    public String inferenceUrl() { return inferenceUrl; }
    public List<String> models() { return models; }
    public List<List<EpochMlNode>> mlNodes() { return mlNodes; }
    public long proposerPriority() { return proposerPriority; }
    public String status() { return status; }
    public long joinTime() { return joinTime; }
    public long joinHeight() { return joinHeight; }
    public long lastInferenceTime() { return lastInferenceTime; }
    public long coinBalance() { return coinBalance; }
    public long consecutiveInvalidInferences() { return consecutiveInvalidInferences; }
    public String workerPublicKey() { return workerPublicKey; }
    public int epochsCompleted() { return epochsCompleted; }
    public boolean hasEpochStats() { return hasEpochStats; }
    public long inferenceCount() { return inferenceCount; }
    public long missedRequests() { return missedRequests; }
    public long rewardedCoins() { return rewardedCoins; }
    public long burnedCoins() { return burnedCoins; }
    public long validatedInferences() { return validatedInferences; }
    public long invalidatedInferences() { return invalidatedInferences; }

    public SimParticipant validatorKey(String v) { validatorKey = v; return this; }
    public SimParticipant weight(long v) { weight = v; return this; }
    public SimParticipant inferenceUrl(String v) { inferenceUrl = v; return this; }
    /** Adds a model and the ML nodes serving it ({@code models[i]} aligns with {@code ml_nodes[i]}). */
    public SimParticipant model(String modelId, List<EpochMlNode> nodes) {
        models.add(modelId);
        mlNodes.add(new ArrayList<>(nodes));
        return this;
    }
    public SimParticipant proposerPriority(long v) { proposerPriority = v; return this; }
    /** Chain status name ("ACTIVE", "INACTIVE", ...); a numeric string renders as a JSON number (unknown enum). */
    public SimParticipant status(String v) { status = v; return this; }
    public SimParticipant joinTime(long v) { joinTime = v; return this; }
    public SimParticipant joinHeight(long v) { joinHeight = v; return this; }
    public SimParticipant lastInferenceTime(long v) { lastInferenceTime = v; return this; }
    public SimParticipant coinBalance(long v) { coinBalance = v; return this; }
    public SimParticipant consecutiveInvalidInferences(long v) { consecutiveInvalidInferences = v; return this; }
    public SimParticipant workerPublicKey(String v) { workerPublicKey = v; return this; }
    public SimParticipant epochsCompleted(int v) { epochsCompleted = v; return this; }
    /** false renders {@code current_epoch_stats: null} (brand-new participant). */
    public SimParticipant hasEpochStats(boolean v) { hasEpochStats = v; return this; }
    public SimParticipant inferenceCount(long v) { inferenceCount = v; return this; }
    public SimParticipant missedRequests(long v) { missedRequests = v; return this; }
    public SimParticipant rewardedCoins(long v) { rewardedCoins = v; return this; }
    public SimParticipant burnedCoins(long v) { burnedCoins = v; return this; }
    public SimParticipant validatedInferences(long v) { validatedInferences = v; return this; }
    public SimParticipant invalidatedInferences(long v) { invalidatedInferences = v; return this; }

    /** Settlement: the chain resets current-epoch stats when a new epoch becomes effective. */
    void settleEpoch() {
        epochsCompleted++;
        inferenceCount = 0;
        missedRequests = 0;
        rewardedCoins = 0;
        burnedCoins = 0;
        validatedInferences = 0;
        invalidatedInferences = 0;
    }
}
