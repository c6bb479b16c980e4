package io.gonka.exporter.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Realistic exporter output (Prometheus text format 0.0.4) for two hosts, without the exporter: every metric of
 * METRICS.md with its contract labels and no host identity (the scraping Prometheus adds {@code host} and
 * {@code participant}, as the hosts' external labels would).
 *
 * <ul>
 *   <li>{@code host-a} is in trouble: 35 blocks behind and catching up, 2 peers, miss rate 0.085 against a 0.10
 *       cutoff, ML node {@code node3} FAILED while intended INFERENCE, one ML node GPU unavailable, the
 *       {@code participant_stats} source timing out, a throttled GPU and an XID on another.</li>
 *   <li>{@code host-b} is healthy and already in the next PoC (host-a, lagging, still sees Inference).</li>
 * </ul>
 * Values move with {@code elapsedSeconds}: heights, inference counts and counters grow between scrapes.
 */
public final class SyntheticFleet {

    public static final List<String> HOSTS = List.of("host-a", "host-b");
    public static final Map<String, String> PARTICIPANTS = Map.of(
            "host-a", "gonka13f9zflr73zazq627j30rkxgj6a9trlcmh5mcch",
            "host-b", "gonka14muxg9r0dp6x59vlxelf83nv0unu34my0wvf4y");
    private static final List<String> OTHER_PARTICIPANTS = List.of(
            "gonka16ca7my2kz9wnk4yskn82lmlqgzdvcw3yjqk6me", "gonka17lymkg5xtuhwfkkcx8ve6r7swhzzfu3a00w4x0",
            "gonka18z5lutm34grmvu2rta5zc573vdqrvtt23umcx2", "gonka1rvtnuksqjkp6car0tpuu7ywx2kknxc3qw3zfxq");
    private static final String MODEL = "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8";
    private static final List<String> SOURCES = List.of("admin_nodes", "admin_config", "setup_report", "rpc_status",
            "rpc_net_info", "reference_heights", "epoch", "participants", "participant_stats", "upgrade_status", "chain_params", "validator_liveness", "collateral", "nvml");
    private static final List<String> PHASES = List.of("PoCGenerate", "PoCGenerateWindDown", "PoCValidate",
            "PoCValidateWindDown", "Inference");
    private static final List<String> NODE_STATES = List.of("UNKNOWN", "INFERENCE", "POC", "TRAINING", "STOPPED",
            "FAILED");
    private static final List<String> POC_STATES = List.of("IDLE", "GENERATING", "VALIDATING");
    private static final List<String> CLOCK_REASONS = List.of("sw_power_cap", "hw_slowdown", "sw_thermal",
            "hw_thermal", "hw_power_brake");
    private static final long BASE_HEIGHT = 1_843_210;
    private static final long EPOCH_LENGTH = 15_391;
    private static final double BLOCK_SECONDS = 5.41;
    private static final double NETWORK_WEIGHT = 1_523_406;
    /** Events in the past (status changes, the last XID) are anchored here so they stay put between scrapes. */
    private static final double LOADED_AT = System.currentTimeMillis() / 1000.0;

    private record Node(String id, String address, String status, String intended, String poc, boolean enabled,
                        boolean up, long weight, boolean pocSlot, List<Gpu> gpus) { }

    /** An ML node GPU; a null utilization means the device is unavailable (its other fields are null too). */
    private record Gpu(int index, Double utilization, long usedMb, int temperature) { }

    private SyntheticFleet() { }

    /**
     * What the host Prometheus scrapes from the node itself next to the exporter (METRICS.md "Scraped from
     * the node itself"): the API node's federation of its ML nodes' vLLM series, labelled {@code node_id}.
     */
    public static String nodeExposition(String host, double elapsedSeconds) {
        boolean a = host.equals("host-a");
        StringBuilder x = new StringBuilder();
        String[] nodes = {"node1", "node2", "node3"};
        x.append("# TYPE mlnode_up gauge\n");
        for (String n : nodes) {
            x.append("mlnode_up{node_id=\"").append(n).append("\"} ").append(a && n.equals("node3") ? 0 : 1).append('\n');
        }
        String[][] gauges = {{"vllm:num_requests_running", "12"}, {"vllm:num_requests_waiting", "3"}, {"vllm:kv_cache_usage_perc", "0.61"}};
        for (String[] g : gauges) {
            x.append("# TYPE ").append(g[0]).append(" gauge\n");
            for (String n : nodes) {
                x.append(g[0]).append("{node_id=\"").append(n).append("\",model_name=\"").append(MODEL).append("\"} ")
                        .append(g[1]).append('\n');
            }
        }
        long count = 1000 + (long) (elapsedSeconds * 7);
        for (String h : List.of("vllm:e2e_request_latency_seconds", "vllm:time_to_first_token_seconds")) {
            x.append("# TYPE ").append(h).append(" histogram\n");
            for (String n : nodes) {
                String l = "node_id=\"" + n + "\",model_name=\"" + MODEL + "\"";
                long cumulative = 0;
                for (double le : new double[] {0.5, 1, 2.5, 5}) {
                    cumulative = Math.min(count, cumulative + count / 4);
                    x.append(h).append("_bucket{").append(l).append(",le=\"").append(le).append("\"} ").append(cumulative).append('\n');
                }
                x.append(h).append("_bucket{").append(l).append(",le=\"+Inf\"} ").append(count).append('\n');
                x.append(h).append("_sum{").append(l).append("} ").append(count * 1.7).append('\n');
                x.append(h).append("_count{").append(l).append("} ").append(count).append('\n');
            }
        }
        return x.toString();
    }

    /** The exposition one host's exporter would serve {@code elapsedSeconds} after the start of the test. */
    public static String exposition(String host, double elapsedSeconds) {
        boolean a = host.equals("host-a");
        double t = elapsedSeconds;
        double now = System.currentTimeMillis() / 1000.0;
        Text x = new Text();

        // ---- exporter ---------------------------------------------------------------------------------
        x.family("gonka_exporter_build_info", "gauge", "Exporter build information; always 1.")
                .sample(1, "version", "0.1.0", "revision", a ? "86ca2eaaf077" : "unknown", "branch", a ? "main" : "unknown",
                        "java_version", "17.0.15");
        x.family("gonka_source_up", "gauge", "1 when the last poll of the source succeeded and is fresh.");
        for (String s : SOURCES) {
            x.sample(a && s.equals("participant_stats") ? 0 : 1, "source", s);
        }
        // Every synthetic host runs a build without the setup report (an older build).
        x.family("gonka_source_unsupported", "gauge", "1 for an optional endpoint this node does not have.")
                .sample(1, "source", "setup_report");
        x.family("gonka_source_last_success_timestamp_seconds", "gauge", "Unix time of the last successful poll.");
        for (String s : SOURCES) {
            x.sample(now - (a && s.equals("participant_stats") ? 645 : 4), "source", s);
        }
        x.family("gonka_source_poll_duration_seconds", "gauge", "Duration of the last poll.");
        for (String s : SOURCES) {
            x.sample(a && s.equals("participant_stats") ? 10.0 : 0.012 + SOURCES.indexOf(s) * 0.007, "source", s);
        }
        x.family("gonka_source_errors_total", "counter", "Failed polls by reason.");
        if (a) {
            x.sample(42 + Math.floor(t / 2), "source", "participant_stats", "reason", "timeout");
            x.sample(1, "source", "rpc_net_info", "reason", "connect");
        } else {
            x.sample(2, "source", "admin_nodes", "reason", "http");
        }

        // ---- chain ------------------------------------------------------------------------------------
        long reference = BASE_HEIGHT + (long) Math.floor(t / BLOCK_SECONDS);
        long lag = a ? 35 : 0;
        long height = reference - lag;
        x.family("gonka_chain_block_height", "gauge", "Latest block height of the local node.").sample(height);
        x.family("gonka_chain_latest_block_timestamp_seconds", "gauge", "Header time of the latest block.")
                .sample(now - 2.4 - lag * BLOCK_SECONDS);
        x.family("gonka_chain_catching_up", "gauge", "1 while the node is syncing.").sample(a ? 1 : 0);
        x.family("gonka_chain_peers", "gauge", "Connected peers.").sample(a ? 2 : 14);
        // host-a's validator missed blocks (12 of the window, 3 in a row) and is jailed for the next 7 minutes,
        // so out of the set; host-b signs everything
        x.family("gonka_chain_validator_in_active_set", "gauge", "1 when this host's validator is in the set.").sample(a ? 0 : 1);
        x.family("gonka_chain_validator_voting_power", "gauge", "Its voting power.").sample(a ? 0 : 40_117);
        x.family("gonka_chain_validator_window_blocks", "gauge", "Blocks of the slashing window seen.").sample(100);
        x.family("gonka_chain_validator_missed_blocks", "gauge", "Blocks of the window not signed.").sample(a ? 12 : 0);
        x.family("gonka_chain_validator_consecutive_missed_blocks", "gauge", "Missed in a row.").sample(a ? 3 : 0);
        // jailed_until exists only while jailed
        x.family("gonka_chain_validator_jailed", "gauge", "1 while jailed.").sample(a ? 1 : 0);
        x.family("gonka_chain_validator_jailed_until_timestamp_seconds", "gauge", "While jailed: jailed_until.");
        if (a) {
            x.sample(Math.floor(now) + 420);
        }
        x.family("gonka_chain_validator_tombstoned", "gauge", "1 when tombstoned.").sample(0);
        x.family("gonka_chain_validator_signing_info_missed_blocks", "gauge", "The chain's missed_blocks_counter.").sample(a ? 12 : 0);
        x.family("gonka_chain_reference_block_height", "gauge", "Highest height among the reference nodes.")
                .sample(reference);
        x.family("gonka_chain_block_lag_blocks", "gauge", "Reference minus local height.").sample(lag);

        // ---- epoch and network: PoC started 20 blocks before BASE_HEIGHT -------------------------------
        long pocStart = BASE_HEIGHT - 20;
        boolean inPoc = height >= pocStart;
        long nextPoc = inPoc ? pocStart + EPOCH_LENGTH : pocStart;
        x.family("gonka_epoch_index", "gauge", "Effective epoch index.").sample(142);
        x.family("gonka_epoch_phase", "gauge", "Current epoch phase (state set).");
        String phase = inPoc ? "PoCGenerate" : "Inference";
        for (String p : PHASES) {
            x.sample(p.equals(phase) ? 1 : 0, "phase", p);
        }
        x.family("gonka_epoch_next_poc_start_block_height", "gauge", "Next PoC start height.").sample(nextPoc);
        x.family("gonka_epoch_blocks_until_next_poc", "gauge", "Blocks until the next PoC.").sample(nextPoc - height);
        x.family("gonka_epoch_confirmation_poc_active", "gauge", "1 while a confirmation PoC runs.").sample(a ? 1 : 0);
        x.family("gonka_epoch_confirmation_poc_phase", "gauge", "Confirmation PoC phase (state set).");
        for (String p : List.of("INACTIVE", "GRACE_PERIOD", "GENERATION", "VALIDATION", "COMPLETED")) {
            x.sample(p.equals(a ? "GENERATION" : "INACTIVE") ? 1 : 0, "phase", p);
        }
        x.family("gonka_network_participants", "gauge", "Active participants.").sample(57);
        x.family("gonka_network_weight", "gauge", "Sum of participant weights.").sample(NETWORK_WEIGHT);
        Map<String, Long> weights = new LinkedHashMap<>();
        weights.put(PARTICIPANTS.get("host-a"), 38_351L);
        weights.put(PARTICIPANTS.get("host-b"), 40_117L);
        long w = 61_020;
        for (String p : OTHER_PARTICIPANTS) {
            weights.put(p, w);
            w -= 9_377;
        }
        x.family("gonka_network_participant_excluded", "gauge", "Participants excluded from the epoch.")
                .sample(1, "participant", OTHER_PARTICIPANTS.get(0), "reason", "failed_confirmation_poc");
        x.family("gonka_network_participant_weight", "gauge", "Every participant's weight (opt-in).");
        weights.forEach((p, pw) -> x.sample(pw, "participant", p));
        x.family("gonka_network_mlnode_poc_weight", "gauge", "Every participant's ML node weights (opt-in).");
        weights.forEach((p, pw) -> {
            x.sample(pw / 2, "participant", p, "node_id", "node1", "model", MODEL);
            x.sample(pw - pw / 2, "participant", p, "node_id", "node2", "model", MODEL);
        });

        // ---- the node's own view ---------------------------------------------------------------------
        x.family("gonka_api_block_processing_lag_blocks", "gauge", "API event processing lag.").sample(a ? 6 : 1);
        x.family("gonka_chain_upgrade_plan_height", "gauge", "Height of a pending chain upgrade.")
                .sample(BASE_HEIGHT + 4_000, "name", "v0.2.11");
        x.family("gonka_mlnode_upgrade_target_info", "gauge", "ML-node version the pending upgrade needs.")
                .sample(1, "version", "v3.0.13");
        x.family("gonka_setup_check_passed", "gauge", "Setup report checks: 1 PASS, 0 FAIL.");
        for (String check : List.of("cold_key_configured", "cold_key_not_in_keyring", "warm_key_in_keyring",
                "warm_key_address_match", "permissions_granted", "consensus_key_match", "active_in_epoch",
                "missed_requests_threshold", "block_sync", "mlnode_node1", "mlnode_node2", "mlnode_node3")) {
            x.sample(a && (check.equals("block_sync") || check.equals("mlnode_node3")) ? 0 : 1, "check", check);
        }
        if (!a) {
            x.sample(1, "check", "validator_in_set"); // UNAVAILABLE on host-a, so absent there
        }

        // ---- participant ------------------------------------------------------------------------------
        String participant = PARTICIPANTS.get(host);
        long completed = a ? 1_830 + (long) (t / 2) : 2_511 + (long) t;
        long missed = a ? 170 + (long) (t / 20) : 12;
        long weight = weights.get(participant);
        x.family("gonka_participant_info", "gauge", "This host's participant.").sample(1, "participant", participant);
        x.family("gonka_participant_weight", "gauge", "Participant weight this epoch.").sample(weight);
        x.family("gonka_participant_weight_ratio", "gauge", "Weight over network weight.")
                .sample(weight / NETWORK_WEIGHT);
        x.family("gonka_participant_completed_inferences", "gauge", "Completed inferences this epoch.")
                .sample(completed);
        x.family("gonka_participant_missed_requests", "gauge", "Missed requests this epoch.").sample(missed);
        x.family("gonka_participant_miss_rate", "gauge", "missed / (completed + missed).")
                .sample((double) missed / (completed + missed));
        // The chain's miss test at p0 0.10 (governance): host-a runs short of margin and is projected
        // to fail by the epoch's end, host-b is far inside it.
        long requests = completed + missed;
        java.math.BigDecimal p0 = new java.math.BigDecimal("0.10");
        long allowed = io.gonka.exporter.rules.MissTest.allowedMisses(io.gonka.exporter.rules.CriticalValueTables.CURRENT, requests, p0);
        x.family("gonka_participant_miss_test_requests", "gauge", "n of the chain's miss test.").sample(requests);
        x.family("gonka_participant_miss_test_allowed_misses", "gauge", "The chain's critical value.").sample(allowed);
        x.family("gonka_participant_miss_test_failing", "gauge", "1 when missed > allowed.").sample(missed > allowed ? 1 : 0);
        x.family("gonka_participant_miss_test_p0", "gauge", "The p0 in effect.").sample(0.10, "source", "governance");
        long projectedN = requests + (a ? 1_200 : 2_000);
        long projectedMissed = missed + (a ? 170 : 4);
        long projectedAllowed = io.gonka.exporter.rules.MissTest.allowedMisses(io.gonka.exporter.rules.CriticalValueTables.CURRENT, projectedN, p0);
        x.family("gonka_participant_miss_test_projected_requests", "gauge", "Projected n at the epoch's end.").sample(projectedN);
        x.family("gonka_participant_miss_test_projected_misses", "gauge", "Projected misses at the epoch's end.").sample(projectedMissed);
        x.family("gonka_participant_miss_test_projected_allowed_misses", "gauge", "Critical value at the projected n.").sample(projectedAllowed);
        x.family("gonka_participant_miss_test_projected_failing", "gauge", "1 when projected to fail.")
                .sample(projectedMissed > projectedAllowed ? 1 : 0);
        x.family("gonka_participant_validated_inferences", "gauge", "Validated inferences.").sample(a ? 640 : 902);
        x.family("gonka_participant_invalidated_inferences", "gauge", "Invalidated inferences.").sample(a ? 3 : 0);
        x.family("gonka_participant_earned_coins", "gauge", "Coins earned this epoch.")
                .sample(a ? 98_112_000 : 121_500_000);
        x.family("gonka_participant_rewarded_coins", "gauge", "Coins rewarded this epoch.").sample(0);
        x.family("gonka_participant_burned_coins", "gauge", "Coins burned this epoch.").sample(a ? 1_200_000 : 0);
        x.family("gonka_participant_coin_balance", "gauge", "The participant record's coin_balance.")
                .sample(a ? 98_112_000 : 121_500_000);
        x.family("gonka_participant_epochs_completed", "gauge", "Epochs completed.").sample(a ? 118 : 131);
        x.family("gonka_participant_account_balance", "gauge", "Account balance in ngonka.")
                .sample(a ? 250_000_000_000.0 - t * 1000 : 310_000_000_000.0);
        x.family("gonka_participant_status", "gauge", "Participant status (state set).");
        for (String s : List.of("ACTIVE", "INACTIVE", "INVALID")) {
            x.sample(s.equals("ACTIVE") ? 1 : 0, "status", s);
        }
        // host-a's collateral covers only part of its weight (r = 0.2, u = 4.2), host-b's all of it
        double requiredCollateral = weight * 0.8 * 4.2;
        double heldCollateral = a ? 100_000 : 200_000;
        x.family("gonka_participant_collateral", "gauge", "Active collateral.").sample(heldCollateral);
        x.family("gonka_participant_collateral_required", "gauge", "Collateral the weight needs.").sample(requiredCollateral);
        x.family("gonka_participant_collateral_shortfall", "gauge", "1 when collateral is short.").sample(heldCollateral < requiredCollateral ? 1 : 0);
        // weight - trunc(weight x 0.2 + min(weight x 0.8, collateral / 4.2))
        x.family("gonka_participant_collateral_weight_at_risk", "gauge", "Weight collateral does not back.")
                .sample(weight - Math.floor(weight * 0.2 + Math.min(weight * 0.8, heldCollateral / 4.2)));
        x.family("gonka_participant_reward_claimed", "gauge", "1 once the previous epoch's reward is claimed.")
                .sample(a ? 0 : 1, "epoch", "141");

        // ---- ML nodes ---------------------------------------------------------------------------------
        List<Node> nodes = a
                ? List.of(
                    new Node("node1", "10.0.1.11", "INFERENCE", "INFERENCE", "IDLE", true, true, 18_234, true,
                            List.of(new Gpu(0, 0.87, 74_512, 61), new Gpu(1, 0.84, 74_100, 63))),
                    new Node("node2", "10.0.1.12", "POC", "POC", "GENERATING", true, true, 20_117, false,
                            List.of(new Gpu(0, 0.99, 79_800, 71), new Gpu(1, null, 0, 0))),
                    new Node("node3", "10.0.1.13", "FAILED", "INFERENCE", "IDLE", true, false, 0, false, List.of()))
                : List.of(
                    new Node("node1", "10.0.2.11", "INFERENCE", "INFERENCE", "IDLE", true, true, 21_000, true,
                            List.of(new Gpu(0, 0.91, 75_000, 64), new Gpu(1, 0.90, 75_200, 65))),
                    new Node("node2", "10.0.2.12", "INFERENCE", "INFERENCE", "IDLE", true, true, 19_117, false,
                            List.of(new Gpu(0, 0.88, 74_900, 62), new Gpu(1, 0.89, 74_950, 62))),
                    new Node("node3", "10.0.2.13", "STOPPED", "STOPPED", "IDLE", false, true, 0, false,
                            List.of(new Gpu(0, 0.0, 512, 38), new Gpu(1, 0.0, 512, 37))));
        x.family("gonka_mlnode_info", "gauge", "ML node identity.");
        nodes.forEach(n -> x.sample(1, "node_id", n.id(), "host", n.address(), "version", "v3.0.12"));
        x.family("gonka_mlnode_status", "gauge", "ML node current status (state set).");
        nodes.forEach(n -> NODE_STATES.forEach(s -> x.sample(s.equals(n.status()) ? 1 : 0, "node_id", n.id(), "status", s)));
        x.family("gonka_mlnode_intended_status", "gauge", "ML node intended status (state set).");
        nodes.forEach(n -> NODE_STATES.forEach(s -> x.sample(s.equals(n.intended()) ? 1 : 0, "node_id", n.id(), "status", s)));
        x.family("gonka_mlnode_status_mismatch", "gauge", "1 when current differs from intended.");
        nodes.forEach(n -> x.sample(n.status().equals(n.intended()) ? 0 : 1, "node_id", n.id()));
        x.family("gonka_mlnode_poc_status", "gauge", "ML node PoC status (state set).");
        nodes.forEach(n -> POC_STATES.forEach(s -> x.sample(s.equals(n.poc()) ? 1 : 0, "node_id", n.id(), "status", s)));
        x.family("gonka_mlnode_enabled", "gauge", "Admin enabled state.");
        nodes.forEach(n -> x.sample(n.enabled() ? 1 : 0, "node_id", n.id()));
        x.family("gonka_mlnode_poc_weight", "gauge", "PoC weight this epoch.");
        nodes.forEach(n -> x.sample(n.weight(), "node_id", n.id(), "model", MODEL));
        x.family("gonka_mlnode_poc_slot", "gauge", "1 when the node serves inference during PoC.");
        nodes.forEach(n -> x.sample(n.pocSlot() ? 1 : 0, "node_id", n.id(), "model", MODEL));
        x.family("gonka_mlnode_status_timestamp_seconds", "gauge", "When the status last changed.");
        nodes.forEach(n -> x.sample(LOADED_AT - (n.status().equals("FAILED") ? 1_260 : 86_400 + 60 * nodes.indexOf(n)),
                "node_id", n.id()));
        x.family("gonka_mlnode_requests_in_flight", "gauge", "lock_count.");
        nodes.forEach(n -> x.sample(n.up() ? 3 + nodes.indexOf(n) : 0, "node_id", n.id()));
        x.family("gonka_mlnode_max_concurrent_requests", "gauge", "max_concurrent.");
        nodes.forEach(n -> x.sample(500, "node_id", n.id()));
        x.family("gonka_mlnode_failure_info", "gauge", "failure_reason up to the first colon.");
        nodes.stream().filter(n -> n.status().equals("FAILED"))
                .forEach(n -> x.sample(1, "node_id", n.id(), "reason", "inference up failed"));
        x.family("gonka_mlnode_upgrade_ready", "gauge", "1 when the node answers on the upgrade's ML-node version.");
        nodes.forEach(n -> x.sample(n.up() ? 1 : 0, "node_id", n.id()));
        x.family("gonka_mlnode_up", "gauge", "The ML node answered its health endpoint.");
        nodes.forEach(n -> x.sample(n.up() ? 1 : 0, "node_id", n.id()));
        x.family("gonka_mlnode_healthy", "gauge", "1 when the ML node reports itself healthy.");
        nodes.forEach(n -> x.sample(n.up() && !n.status().equals("FAILED") ? 1 : 0, "node_id", n.id()));
        x.family("gonka_mlnode_gpu_utilization_ratio", "gauge", "GPU utilization from the ML node.");
        gpus(nodes, (n, g) -> g.utilization() != null, (n, g) -> x.sample(jitter(g.utilization(), t, 0.03), "node_id", n.id(), "gpu", "" + g.index()));
        x.family("gonka_mlnode_gpu_memory_used_bytes", "gauge", "GPU memory used, from the ML node.");
        gpus(nodes, (n, g) -> g.utilization() != null, (n, g) -> x.sample(g.usedMb() * 1_048_576.0, "node_id", n.id(), "gpu", "" + g.index()));
        x.family("gonka_mlnode_gpu_memory_total_bytes", "gauge", "GPU memory total, from the ML node.");
        gpus(nodes, (n, g) -> g.utilization() != null, (n, g) -> x.sample(81_559 * 1_048_576.0, "node_id", n.id(), "gpu", "" + g.index()));
        x.family("gonka_mlnode_gpu_temperature_celsius", "gauge", "GPU temperature, from the ML node.");
        gpus(nodes, (n, g) -> g.utilization() != null, (n, g) -> x.sample(g.temperature(), "node_id", n.id(), "gpu", "" + g.index()));
        x.family("gonka_mlnode_gpu_available", "gauge", "The ML node reports the GPU as available.");
        gpus(nodes, (n, g) -> true, (n, g) -> x.sample(g.utilization() != null ? 1 : 0, "node_id", n.id(), "gpu", "" + g.index()));

        // ---- local GPUs (NVML) ------------------------------------------------------------------------
        int count = a ? 4 : 6;
        x.family("gonka_gpus", "gauge", "GPUs NVML sees.").sample(count);
        String[] uuid = new String[count];
        for (int i = 0; i < count; i++) {
            uuid[i] = String.format(Locale.ROOT, "GPU-%s-%04d-4a1e-9c3b-5f2e8d%06d", a ? "a1b2c3d4" : "b5c6d7e8", i, i);
        }
        x.family("gonka_gpu_info", "gauge", "GPU identity.");
        for (int i = 0; i < count; i++) {
            x.sample(1, "gpu", "" + i, "uuid", uuid[i], "name", "NVIDIA H100 80GB HBM3",
                    "pci_bus_id", String.format(Locale.ROOT, "00000000:%02X:00.0", 0x18 + i * 0x11),
                    "driver_version", "570.133.20");
        }
        x.family("gonka_gpu_lost", "gauge", "1 when NVML reports the GPU lost.");
        for (int i = 0; i < count; i++) {
            x.sample(0, "gpu", "" + i, "uuid", uuid[i]);
        }
        boolean[] throttled = new boolean[count];
        if (a) {
            throttled[3] = true;
        }
        perGpu(x, count, uuid, "gonka_gpu_utilization_ratio", "GPU utilization.", i -> jitter(0.86, t + i, 0.05));
        perGpu(x, count, uuid, "gonka_gpu_memory_utilization_ratio", "Memory controller utilization.",
                i -> jitter(0.41, t + i, 0.05));
        perGpu(x, count, uuid, "gonka_gpu_memory_used_bytes", "GPU memory used.", i -> (74_000 + i * 250) * 1_048_576.0);
        perGpu(x, count, uuid, "gonka_gpu_memory_total_bytes", "GPU memory total.", i -> 81_559 * 1_048_576.0);
        perGpu(x, count, uuid, "gonka_gpu_temperature_celsius", "GPU temperature.", i -> throttled[i] ? 86.0 : 61.0 + i);
        perGpu(x, count, uuid, "gonka_gpu_power_watts", "GPU power draw.", i -> throttled[i] ? 699.2 : jitter(512, t + i, 20));
        perGpu(x, count, uuid, "gonka_gpu_power_limit_watts", "GPU power limit.", i -> 700.0);
        x.family("gonka_gpu_energy_joules_total", "counter", "GPU energy consumed.");
        for (int i = 0; i < count; i++) {
            x.sample(3.1e9 + i * 1e7 + (throttled[i] ? 699 : 505 + 4 * i) * t, "gpu", "" + i, "uuid", uuid[i]);
        }
        perGpu(x, count, uuid, "gonka_gpu_sm_clock_hertz", "SM clock.", i -> throttled[i] ? 1.41e9 : 1.98e9);
        perGpu(x, count, uuid, "gonka_gpu_memory_clock_hertz", "Memory clock.", i -> 2.619e9);
        x.family("gonka_gpu_ecc_errors_total", "counter", "ECC errors.");
        for (int i = 0; i < count; i++) {
            x.sample(a && i == 2 ? 12 + Math.floor(t / 4) : 0, "gpu", "" + i, "uuid", uuid[i], "type", "corrected");
            x.sample(0, "gpu", "" + i, "uuid", uuid[i], "type", "uncorrected");
        }
        perGpu(x, count, uuid, "gonka_gpu_row_remap_pending", "Row remap pending.", i -> 0.0);
        perGpu(x, count, uuid, "gonka_gpu_row_remap_failure", "Row remap failed.", i -> 0.0);
        x.family("gonka_gpu_clock_event_active", "gauge", "Active clock-event reasons.");
        for (int i = 0; i < count; i++) {
            for (String r : CLOCK_REASONS) {
                x.sample(throttled[i] && r.equals("sw_power_cap") ? 1 : 0, "gpu", "" + i, "uuid", uuid[i], "reason", r);
            }
        }
        // an XID 13 on host-a's GPU 2 an hour and a half ago; host-b never had one (its families stay empty)
        x.family("gonka_gpu_xid_errors_total", "counter", "XID errors by code.");
        if (a) {
            x.sample(2, "gpu", "2", "uuid", uuid[2], "xid", "13");
        }
        x.family("gonka_gpu_last_xid_timestamp_seconds", "gauge", "Time of the last XID error.");
        if (a) {
            x.sample(LOADED_AT - 5_400, "gpu", "2", "uuid", uuid[2]);
        }
        return x.toString();
    }

    private interface GpuFilter {
        boolean test(Node n, Gpu g);
    }

    private interface GpuSink {
        void accept(Node n, Gpu g);
    }

    private static void gpus(List<Node> nodes, GpuFilter filter, GpuSink sink) {
        for (Node n : nodes) {
            for (Gpu g : n.gpus()) {
                if (filter.test(n, g)) {
                    sink.accept(n, g);
                }
            }
        }
    }

    private static void perGpu(Text x, int count, String[] uuid, String name, String help,
                               java.util.function.IntFunction<Double> value) {
        x.family(name, "gauge", help);
        for (int i = 0; i < count; i++) {
            x.sample(value.apply(i), "gpu", "" + i, "uuid", uuid[i]);
        }
    }

    private static double jitter(double base, double t, double amplitude) {
        return base + amplitude * Math.sin(t / 3.0);
    }

    /** A tiny text-format writer: families in order, each with HELP and TYPE. */
    /**
     * What node_exporter on each synthetic host serves for the host panels (not contract metrics:
     * the host bundle scrapes node_exporter as a job of its own). host-a's data disk is filling.
     */
    public static String nodeExporter(String host, double elapsedSeconds) {
        boolean a = host.equals("host-a");
        Text x = new Text();
        x.family("node_filesystem_avail_bytes", "gauge", "Filesystem space available to non-root users in bytes.");
        x.sample(a ? 180e9 - 1e6 * elapsedSeconds : 1.2e12, "device", "/dev/nvme0n1p1", "fstype", "ext4", "mountpoint", "/");
        x.sample(a ? 0.9e9 : 1.1e9, "device", "tmpfs", "fstype", "tmpfs", "mountpoint", "/run");
        x.family("node_filesystem_size_bytes", "gauge", "Filesystem size in bytes.");
        x.sample(a ? 1.9e12 : 3.8e12, "device", "/dev/nvme0n1p1", "fstype", "ext4", "mountpoint", "/");
        x.sample(1.3e9, "device", "tmpfs", "fstype", "tmpfs", "mountpoint", "/run");
        x.family("node_memory_MemAvailable_bytes", "gauge", "Memory information field MemAvailable_bytes.").sample(a ? 41e9 : 97e9);
        x.family("node_memory_MemTotal_bytes", "gauge", "Memory information field MemTotal_bytes.").sample(a ? 128e9 : 256e9);
        x.family("node_timex_offset_seconds", "gauge", "Time offset in between local system and reference clock.")
                .sample(a ? -0.0021 : 0.0004);
        x.family("node_timex_maxerror_seconds", "gauge", "Maximum error in seconds.").sample(a ? 0.012 : 0.004);
        x.family("node_filefd_allocated", "gauge", "File descriptor statistics: allocated.").sample(a ? 12_832 : 9_120);
        x.family("node_filefd_maximum", "gauge", "File descriptor statistics: maximum.").sample(9.2e18);
        return x.toString();
    }

    private static final class Text {
        private final Map<String, List<String>> families = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String current;

        Text family(String name, String type, String help) {
            current = name;
            headers.put(name, "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n");
            families.put(name, new ArrayList<>());
            return this;
        }

        Text sample(double value, String... labels) {
            families.get(current).add(line(current, value, labels));
            return this;
        }

        String line(String name, double value, String... labels) {
            StringBuilder b = new StringBuilder(name);
            if (labels.length > 0) {
                b.append('{');
                for (int i = 0; i < labels.length; i += 2) {
                    if (i > 0) {
                        b.append(',');
                    }
                    b.append(labels[i]).append("=\"").append(labels[i + 1].replace("\\", "\\\\")
                            .replace("\"", "\\\"")).append('"');
                }
                b.append('}');
            }
            b.append(' ').append(value == Math.rint(value) && Math.abs(value) < 1e15
                    ? String.valueOf((long) value) : String.valueOf(value));
            return b.toString();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            families.forEach((name, lines) -> {
                b.append(headers.get(name));
                lines.forEach(l -> b.append(l).append('\n'));
            });
            return b.toString();
        }
    }
}
