package io.gonka.simulator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Ready-made simulator states. {@link #standard} mirrors the fixture payloads (src/test/resources/gonka-api);
 * {@link #scale} builds large, seeded, deterministic networks for soak and benchmark tests.
 */
public final class Scenarios {

    public static final String MODEL = "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8";
    public static final String OWN_ADDRESS = "gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch";
    public static final String OWN_CONSENSUS_PUBKEY = "UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaE=";
    public static final long STANDARD_HEIGHT = 4141873;
    public static final long STANDARD_EPOCH = 268;
    public static final long STANDARD_POC_START = 4136500;

    private static final String H100 = "NVIDIA H100 80GB HBM3";
    private static final String H200 = "NVIDIA H200";

    private Scenarios() {
    }

    /** Release profiles: the standard network as a node of that release serves it. */
    public static final String PROFILE_NEWEST = "newest";
    public static final String PROFILE_V0_2_0 = "v0.2.0";
    public static final java.util.List<String> PROFILES = java.util.List.of(PROFILE_NEWEST, PROFILE_V0_2_0);

    /**
     * {@code newest}: today's shapes as a default deployment serves them: the public proxy answers
     * {@code 404 Chain API Disabled} on {@code /chain-api/} and {@code /chain-rpc/}, participant data comes from
     * {@code /v2/participants}. {@code v0.2.0}: release v0.2.0 (the 2025-08 dapi: no admin config, setup report,
     * upgrade status or {@code /v2}; ML nodes without {@code /health}); its proxy passes {@code /chain-api/} through.
     */
    public static void applyProfile(SimState s, String profile) {
        switch (profile) {
            case PROFILE_NEWEST -> s.update(st -> {
                st.setLegacy2025(false);
                st.setChainApiDisabled(true);
                st.setChainRpcDisabled(true);
                st.setChainAppVersion("v0.2.13");
            });
            case PROFILE_V0_2_0 -> s.update(st -> {
                st.setLegacy2025(true);
                st.setChainApiDisabled(false);
                st.setChainRpcDisabled(false);
                // /abci_info says v0.2.0: no binom_test_p0 in the params, the 5 % collateral rule
                st.setChainAppVersion("v0.2.0");
            });
            default -> throw new IllegalArgumentException("unknown profile " + profile + " (" + String.join(" | ", PROFILES) + ")");
        }
    }

    /** Names accepted by {@link #byName} and the CLI. */
    public static SimState byName(String name, Clock clock) {
        if ("standard".equals(name)) {
            return standard(clock);
        }
        if (PROFILES.contains(name)) {
            SimState s = standard(clock);
            applyProfile(s, name);
            return s;
        }
        if (name.startsWith("scale")) {
            // scale:PARTICIPANTS:ML_NODES:GPUS, e.g. scale:2000:3:8 (as many local ML nodes as each
            // participant lists), or scale:PARTICIPANTS:ML_NODES_EACH:LOCAL_ML_NODES:GPUS, e.g.
            // scale:2000:3:64:8 (the benchmark's workload)
            String[] parts = name.split(":");
            if (parts.length == 4) {
                return scale(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3]), clock);
            }
            if (parts.length == 5) {
                return scale(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3]),
                        Integer.parseInt(parts[4]), clock);
            }
        }
        throw new IllegalArgumentException("unknown scenario " + name + " (standard | newest | v0.2.0 | scale:P:M:G | scale:P:M:L:G)");
    }

    public static SimState standard() {
        return standard(Clock.systemUTC());
    }

    /**
     * The network of the fixture payloads: height 4141873, epoch 268 (Inference phase), own
     * participant {@value #OWN_ADDRESS} with weight 58351 among 5 participants (total 492000),
     * 1452 completed / 48 missed requests, binom p0 0.1, 2 peers, previous seed claimed, and
     * three ML nodes: node1 INFERENCE (127.0.0.11, 4 GPUs), node2 POC with reconcile_info
     * (127.0.3.21, 8 GPUs), node3 FAILED and unreachable (127.0.0.13, no GPUs, poc_weight 0).
     */
    public static SimState standard(Clock clock) {
        SimState s = new SimState(clock);
        s.update(st -> {
            st.setEpochParams(SimEpochParams.mainnet2026());
            st.setEpoch(STANDARD_EPOCH, STANDARD_POC_START, STANDARD_EPOCH);
            st.setHeight(STANDARD_HEIGHT);
            st.setParticipantAddress(OWN_ADDRESS);
            st.setNodeConsensusPubkey(OWN_CONSENSUS_PUBKEY);

            st.addParticipant(new SimParticipant(OWN_ADDRESS, OWN_CONSENSUS_PUBKEY, 58351, "http://203.0.113.45:8000")
                    .proposerPriority(44120)
                    .joinTime(1756912503114L).joinHeight(112406).lastInferenceTime(1778508291337L)
                    .coinBalance(1452000).workerPublicKey("A+Jh9TsmFS0mO6g7A3zUli5DSAEla4henJBR8yCw24Pz")
                    .epochsCompleted(241).inferenceCount(1452).missedRequests(48)
                    .validatedInferences(311).invalidatedInferences(2)
                    .model(MODEL, List.of()));
            st.addParticipant(other("gonka14muxg9r0dp6x59vlxelf83nv0unu34my0wvf4y",
                    "oJXyD5OVZQz5OAuO2yJKaySKHpJOj9CuLhqUkqMwXxg=", 120442, "https://gnk-host-7.example.net:8443", -183204,
                    List.of(node("h200-rack1-a", 60301, true), node("h200-rack1-b", 60141, false))));
            st.addParticipant(other("gonka1rvtnuksqjkp6car0tpuu7ywx2kknxc3qw3zfxq",
                    "jLYQkA+eNH+uiG3GUHeV7HRcTD/LLrLHPhSTTIZ+4Fc=", 9120, "http://198.51.100.17:8000", 0,
                    List.of(new EpochMlNode("gpu-box", 9120, 2400, List.of(true, false)))));
            st.addParticipant(other("gonka18z5lutm34grmvu2rta5zc573vdqrvtt23umcx2",
                    "unJJm/oSHoNrKsFXJu59awr2qxPDjpLK4NFQV7FZmH8=", 301877, "http://192.0.2.200:8000", 90112,
                    List.of(node("dc1-n01", 75469, true), node("dc1-n02", 75470, true),
                            node("dc1-n03", 75469, false), node("dc1-n04", 75469, false))));
            st.addParticipant(other("gonka16ca7my2kz9wnk4yskn82lmlqgzdvcw3yjqk6me",
                    "lMx0EdcX8UV5sqoQD7uzT6WT/q7Scki3YuOrWAXwdlo=", 2210, "http://gonka.example.org:8000", 0,
                    List.of(node("node1", 2210, false))));
            st.addExclusion(new SimState.Exclusion("gonka17lymkg5xtuhwfkkcx8ve6r7swhzzfu3a00w4x0", "downtime", 4139002));

            st.addMlNode(new SimMlNode("node1", "127.0.0.11")
                    .model(MODEL, List.of("--tensor-parallel-size", "4", "--gpu-memory-utilization", "0.92", "--max-model-len", "240000"))
                    .hardware(List.of(new SimMlNode.Hardware(H100, 4)))
                    .status("INFERENCE").lockCount(3).adminEpoch(241).pocValidationInference(true)
                    .statusTimestamp("2026-05-11T14:03:22.481923117Z")
                    .pocWeight(18234).timeslotAllocation(List.of(true, true))
                    .onboarding("ACTIVE_PARTICIPATING", "WAITING_FOR_POC",
                            "MLnode is serving inference. Next PoC in 15h 3m", "Participant is active in the current epoch")
                    .gpu(new SimGpu(0, H100, 81559, 74512, 87, 61))
                    .gpu(new SimGpu(1, H100, 81559, 74512, 91, 64))
                    .gpu(new SimGpu(2, H100, 81559, 74458, 88, 59))
                    .gpu(new SimGpu(3, H100, 81559, 74512, 90, 66)));

            SimMlNode node2 = new SimMlNode("node2", "127.0.3.21")
                    .model(MODEL, List.of("--tensor-parallel-size", "8", "--gpu-memory-utilization", "0.9"))
                    .hardware(List.of(new SimMlNode.Hardware(H200, 8)))
                    .status("POC").reconcile(2, "VALIDATING")
                    .pocIntendedStatus("VALIDATING").pocCurrentStatus("GENERATING")
                    .statusTimestamp("2026-05-11T13:58:40.009114502Z").adminEpoch(250)
                    .pocWeight(40117).timeslotAllocation(List.of(true, false))
                    .onboarding("ACTIVE_PARTICIPATING", "WAITING_FOR_POC",
                            "PoC is in progress. Keep the MLnode online", "Participant is active in the current epoch");
            for (int i = 0; i < 8; i++) {
                node2.gpu(new SimGpu(i, H200, 143771, 134661, 74 - (i * 3) % 7, 55 - (i * 2) % 5));
            }
            st.addMlNode(node2);

            st.addMlNode(new SimMlNode("node3", "127.0.0.13")
                    .model(MODEL, List.of("--tensor-parallel-size", "4"))
                    .hardware(List.of()).maxConcurrent(200)
                    .intendedStatus("INFERENCE").currentStatus("FAILED")
                    .failureReason("inference up failed: Post \"http://mlnode-c:8080/v3.0.12/api/v1/inference/up\": "
                            + "dial tcp 10.0.3.30:8080: connect: connection refused")
                    .statusTimestamp("2026-05-11T12:41:07.550031998Z").adminEpoch(265).mlNodeVersion("")
                    .inEpoch(false).pocWeight(0)
                    .onboarding("ACTIVE_PARTICIPATING", "TEST_FAILED", "MLnode test failed",
                            "Participant is active in the current epoch")
                    .reachable(false).healthy(false));
        });
        return s;
    }

    public static SimState scale(int participants, int mlNodes, int gpusPerNode) {
        return scale(participants, mlNodes, gpusPerNode, Clock.systemUTC());
    }

    /** {@link #scale(int, int, int, int, Clock)} with as many local ML nodes as each participant has. */
    public static SimState scale(int participants, int mlNodes, int gpusPerNode, Clock clock) {
        return scale(participants, mlNodes, mlNodes, gpusPerNode, clock);
    }

    /**
     * A large network at the standard height and epoch: {@code participants} active participants
     * (the own one first), each listing {@code mlNodesPerParticipant} ML nodes, and
     * {@code localMlNodes} local ML nodes with {@code gpusPerNode} GPUs each, all INFERENCE and
     * healthy, on addresses 127.0.100.10 onwards. Seeded: the same arguments give the same bytes.
     */
    public static SimState scale(int participants, int mlNodesPerParticipant, int localMlNodes, int gpusPerNode, Clock clock) {
        if (participants < 1 || mlNodesPerParticipant < 1 || localMlNodes < 0 || gpusPerNode < 0) {
            throw new IllegalArgumentException("scale needs participants >= 1 and ML nodes >= 1");
        }
        SplittableRandom random = new SplittableRandom(20260511L);
        SimState s = new SimState(clock);
        s.update(st -> {
            st.setEpochParams(SimEpochParams.mainnet2026());
            st.setEpoch(STANDARD_EPOCH, STANDARD_POC_START, STANDARD_EPOCH);
            st.setHeight(STANDARD_HEIGHT);
            st.setParticipantAddress(OWN_ADDRESS);
            st.setNodeConsensusPubkey(OWN_CONSENSUS_PUBKEY);

            long ownWeight = 0;
            for (int i = 1; i <= localMlNodes; i++) {
                long weight = 10_000 + random.nextInt(50_000);
                ownWeight += weight;
                SimMlNode node = new SimMlNode("node" + i, localAddress(i))
                        .model(MODEL, List.of("--tensor-parallel-size", Integer.toString(Math.max(1, gpusPerNode))))
                        .hardware(gpusPerNode == 0 ? List.of() : List.of(new SimMlNode.Hardware(H100, gpusPerNode)))
                        .status("INFERENCE").adminEpoch(STANDARD_EPOCH - 1 - random.nextInt(20))
                        .pocWeight(weight).timeslotAllocation(List.of(true, i % 2 == 0))
                        .lockCount(random.nextInt(5));
                for (int g = 0; g < gpusPerNode; g++) {
                    node.gpu(new SimGpu(g, H100, 81559, 70_000 + random.nextInt(10_000), random.nextInt(101), 40 + random.nextInt(45)));
                }
                st.addMlNode(node);
            }
            st.addParticipant(new SimParticipant(OWN_ADDRESS, OWN_CONSENSUS_PUBKEY, ownWeight, "http://203.0.113.45:8000")
                    .proposerPriority(random.nextLong(-200_000, 200_000))
                    .coinBalance(1452000).epochsCompleted(241).inferenceCount(1452).missedRequests(48)
                    .validatedInferences(311).invalidatedInferences(2)
                    .model(MODEL, List.of()));

            for (int p = 1; p < participants; p++) {
                String label = "scale-participant-" + p;
                List<EpochMlNode> nodes = new ArrayList<>(mlNodesPerParticipant);
                long weight = 0;
                for (int n = 0; n < mlNodesPerParticipant; n++) {
                    long w = 1_000 + random.nextInt(80_000);
                    weight += w;
                    nodes.add(new EpochMlNode("mlnode-" + n, w, 0, List.of(true, random.nextBoolean())));
                }
                long inferences = random.nextInt(5_000);
                st.addParticipant(new SimParticipant(FakeKeys.accountAddress(label), FakeKeys.consensusPubkey(label),
                        weight, "http://participant-" + p + ".example.net:8000")
                        .proposerPriority(random.nextLong(-200_000, 200_000))
                        .epochsCompleted(random.nextInt(268)).coinBalance(inferences * 1000)
                        .inferenceCount(inferences).missedRequests(random.nextInt(1 + (int) inferences / 10))
                        .model(MODEL, nodes));
            }
        });
        return s;
    }

    /** Loopback address of the i-th (1-based) local ML node in scale scenarios. */
    static String localAddress(int i) {
        return "127.0." + (100 + (i - 1) / 200) + "." + (10 + (i - 1) % 200);
    }

    private static EpochMlNode node(String id, long weight, boolean preserved) {
        return new EpochMlNode(id, weight, 0, List.of(true, preserved));
    }

    private static SimParticipant other(String address, String validatorKey, long weight, String url,
                                        long proposerPriority, List<EpochMlNode> nodes) {
        long inferences = Math.max(1, weight / 50);
        return new SimParticipant(address, validatorKey, weight, url)
                .proposerPriority(proposerPriority)
                .joinHeight(200_000 + weight % 100_000)
                .coinBalance(inferences * 1000)
                .epochsCompleted(200)
                .inferenceCount(inferences)
                .missedRequests(inferences / 40)
                .model(MODEL, nodes);
    }
}
