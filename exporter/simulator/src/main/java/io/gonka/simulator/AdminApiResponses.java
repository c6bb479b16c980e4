package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bodies of the dapi admin API (SCHEMAS §3), family A. Called with the state locked.
 */
final class AdminApiResponses {
    private AdminApiResponses() {
    }

    // ------------------------------------------------------------------ GET /admin/v1/nodes

    static ArrayNode nodes(SimState s) {
        ArrayNode out = Json.arr();
        for (SimMlNode n : s.mlNodesLive().values()) {
            ObjectNode entry = out.addObject();
            entry.set("node", nodeRegistration(n, s.legacy2025()));
            entry.set("state", nodeState(n, s));
            if (!s.legacy2025()) {
                entry.set("onboarding", onboarding(n, s));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ GET /admin/v1/nodes/upgrade-status

    /** {@code getUpgradeStatus}: a message without a plan naming an ML-node version, else node id -> {is_alive, error?}. */
    static ObjectNode upgradeStatus(SimState s) {
        String version = s.upgradePlanNodeVersion();
        if (version.isEmpty()) {
            return Json.obj().put("message", "No upgrade plan active");
        }
        ObjectNode r = Json.obj();
        for (SimMlNode n : s.mlNodesLive().values()) {
            boolean alive = n.reachable() && n.upgradeReady();
            ObjectNode o = r.putObject(n.id()).put("is_alive", alive);
            if (!alive) {
                o.put("error", "Get \"http://" + n.reportedHost() + ":" + n.reportedPocPort() + "/" + version
                        + "/api/v1/state\": dial tcp: connect: connection refused");
            }
        }
        return r;
    }

    private static ObjectNode nodeRegistration(SimMlNode n, boolean legacy) {
        ObjectNode node = Json.obj();
        node.put("host", n.reportedHost());
        node.put("inference_segment", "");
        node.put("inference_port", n.inferencePort());
        node.put("poc_segment", "");
        node.put("poc_port", n.reportedPocPort());
        node.set("models", modelArgs(n));
        node.put("id", n.id());
        node.put("max_concurrent", n.maxConcurrent());
        node.put("node_num", n.nodeNum());
        node.set("hardware", hardware(n));
        if (legacy) {
            node.put("version", "");
        }
        return node;
    }

    private static ObjectNode modelArgs(SimMlNode n) {
        ObjectNode models = Json.obj();
        for (Map.Entry<String, List<String>> m : n.models().entrySet()) {
            ObjectNode args = models.putObject(m.getKey());
            if (m.getValue() == null) {
                args.putNull("args");
            } else {
                args.set("args", Json.strings(m.getValue()));
            }
        }
        return models;
    }

    private static com.fasterxml.jackson.databind.JsonNode hardware(SimMlNode n) {
        if (n.hardware() == null) {
            return Json.MAPPER.nullNode();
        }
        ArrayNode hw = Json.arr();
        n.hardware().forEach(h -> hw.addObject().put("type", h.type()).put("count", h.count()));
        return hw;
    }

    private static ObjectNode nodeState(SimMlNode n, SimState s) {
        boolean legacy = s.legacy2025();
        ObjectNode st = Json.obj();
        st.put("intended_status", n.intendedStatus());
        st.put("current_status", n.currentStatus());
        if (n.reconcileStatus() != null) {
            // reconcile_info.status is the same enum as current_status, but as a JSON integer.
            st.putObject("reconcile_info")
                    .put("status", n.reconcileStatus())
                    .put("poc_status", n.reconcilePocStatus() == null ? "" : n.reconcilePocStatus());
        }
        st.put("poc_intended_status", n.pocIntendedStatus());
        st.put("poc_current_status", n.pocCurrentStatus());
        st.put("lock_count", n.lockCount());
        st.put("failure_reason", n.failureReason());
        st.put("status_timestamp", n.statusTimestamp());
        st.putObject("admin_state").put("enabled", n.adminEnabled()).put("epoch", n.adminEpoch());
        if (!legacy) {
            st.put("ml_node_version", n.mlNodeVersion());
            st.put("poc_validation_inference", n.pocValidationInference());
        }
        ObjectNode epochModels = st.putObject("epoch_models");
        ObjectNode epochMlNodes = st.putObject("epoch_ml_nodes");
        ObjectNode preserved = Json.obj();
        if (n.inEpoch()) {
            boolean servingModels = "INFERENCE".equals(n.currentStatus()) && n.pocWeight() > 0;
            boolean preserves = n.timeslotAllocation().size() > 1 && n.timeslotAllocation().get(1);
            for (String model : n.models().keySet()) {
                if (servingModels) {
                    epochModels.set(model, modelInfo(model));
                }
                epochMlNodes.set(model, epochMlNode(n.id(), n.pocWeight(), n.throughput(),
                        n.timeslotAllocation(), NumberEncoding.NUMBER_OMIT_ZERO));
                if (preserves) {
                    preserved.put(model, true);
                }
            }
        }
        if (!legacy) {
            st.set("preserved_models", preserved);
        }
        return st;
    }

    /** {@code MLNodeInfo} (node_id, throughput, poc_weight, timeslot_allocation) in the given encoding. */
    static ObjectNode epochMlNode(String nodeId, long pocWeight, long throughput, List<Boolean> timeslots,
                                  NumberEncoding encoding) {
        ObjectNode o = Json.obj();
        o.put("node_id", nodeId);
        encoding.put(o, "throughput", throughput);
        encoding.put(o, "poc_weight", pocWeight);
        if (!timeslots.isEmpty() || encoding != NumberEncoding.NUMBER_OMIT_ZERO) {
            o.set("timeslot_allocation", Json.booleans(timeslots));
        }
        return o;
    }

    /** The chain {@code Model} snapshot for a model id (family A). */
    static ObjectNode modelInfo(String modelId) {
        ObjectNode m = Json.obj();
        m.put("proposed_by", "gonka10d07y265gmmuvt4z0w9aw880jnsr700j2h5m33");
        m.put("id", modelId);
        m.put("units_of_compute_per_token", 1000);
        m.put("context_window", 240000);
        m.put("quantization", "fp8");
        m.put("coins_per_input_token", 1);
        m.put("coins_per_output_token", 1);
        m.put("hf_repo", modelId);
        m.put("hf_commit", "3c8ac2d2a4f1f0e9b7d6c5a4b3e2f1d0c9b8a7e6");
        m.set("model_args", Json.strings(List.of("--max-model-len", "240000", "--enable-auto-tool-choice",
                "--tool-call-parser", "hermes")));
        m.put("v_ram", 640);
        m.put("throughput_per_nonce", 1000);
        m.set("validation_threshold", Json.decimal(958, -3, NumberEncoding.NUMBER));
        return m;
    }

    private static ObjectNode onboarding(SimMlNode n, SimState s) {
        ObjectNode o = Json.obj();
        o.put("participant_state", n.onboardingParticipantState());
        o.put("mlnode_state", n.onboardingMlnodeState());
        String phase = s.phase();
        boolean inference = EpochStages.PHASE_INFERENCE.equals(phase);
        long blocks = inference ? Math.max(0, s.latestStages().nextPocStart() - s.height()) : 0;
        o.putObject("timing")
                .put("current_phase", phase)
                .put("blocks_until_next_poc", blocks)
                .put("seconds_until_next_poc", (long) (blocks * SimState.EXPECTED_BLOCK_SECONDS))
                .put("should_be_online", !inference);
        if (n.onboardingUserMessage() != null && !n.onboardingUserMessage().isEmpty()) {
            o.put("user_message", n.onboardingUserMessage());
        }
        if (n.onboardingGuidance() != null && !n.onboardingGuidance().isEmpty()) {
            o.put("guidance", n.onboardingGuidance());
        }
        return o;
    }

    // ------------------------------------------------------------------ GET /admin/v1/config

    static ObjectNode config(SimState s) {
        ObjectNode c = Json.obj();
        c.putObject("api")
                .put("port", 8080)
                .put("poc_callback_url", "http://api:9100")
                .put("ml_grpc_callback_address", "api:9300")
                .put("public_url", s.publicUrl())
                .put("public_server_port", 9000)
                .put("ml_server_port", 9100)
                .put("admin_server_port", 9200)
                .put("ml_grpc_server_port", 9300)
                .put("test_mode", false)
                .put("node_manager_grpc_port", 9400)
                .put("node_manager_lock_ttl_seconds", 30)
                .put("mlnode_metrics_disabled", false)
                .put("mlnode_ping_disabled", false);
        ArrayNode nodes = c.putArray("nodes");
        for (SimMlNode n : s.mlNodesLive().values()) {
            ObjectNode node = nodes.addObject();
            node.put("host", n.reportedHost());
            node.put("inference_segment", "");
            node.put("inference_port", n.inferencePort());
            node.put("poc_segment", "");
            node.put("poc_port", n.reportedPocPort());
            node.set("models", modelArgs(n));
            node.put("id", n.id());
            node.put("max_concurrent", n.maxConcurrent());
            node.set("hardware", hardware(n));
        }
        c.put("merged_node_config", true);
        c.putObject("chain_node")
                .put("url", "http://node:26657")
                .put("is_genesis", false)
                .put("seed_api_url", "http://node2.gonka.ai:8000")
                .put("account_public_key", s.accountPubkey())
                .put("signer_key_name", "ml-ops-key")
                .put("keyring_backend", "file")
                .put("keyring_dir", "/root/.inference")
                .put("min_gas_price_ngonka", 0);
        long epoch = s.effectiveEpochIndex();
        c.set("upcoming_seed", seed(s, epoch + 1, false));
        c.set("current_seed", seed(s, epoch, false));
        c.set("previous_seed", seed(s, Math.max(0, epoch - 1), s.previousSeedClaimed()));
        c.put("current_height", s.height());
        c.put("last_processed_height", s.height() - s.processingLag());
        ObjectNode plan = c.putObject("upgrade_plan");
        plan.put("name", s.upgradePlanName());
        plan.put("height", s.upgradePlanHeight());
        plan.putNull("binaries");
        plan.put("node_version", s.upgradePlanNodeVersion());
        c.putObject("ml_node_key_config")
                .put("worker_public", s.workerPublicKey())
                .put("worker_private", s.workerPrivateKey());
        c.putObject("nats").put("host", "0.0.0.0").put("port", 4222);
        c.putObject("tx_batching")
                .put("disabled", false)
                .put("validation_v2_flush_size", 100)
                .put("validation_v2_flush_timeout_seconds", 5)
                .put("poc_commit_interval_seconds", 10);
        c.put("current_node_version", s.currentNodeVersion());
        c.put("last_used_version", s.lastUsedVersion());
        c.putObject("validation_params")
                .put("timestamp_expiration", 300)
                .put("timestamp_advance", 30)
                .put("expiration_blocks", 150)
                .put("logprobs_mode", "processed_logprobs");
        c.putObject("bandwidth_params")
                .put("estimated_limits_per_block_kb", 53760)
                .put("kb_per_input_token", 0.0023)
                .put("kb_per_output_token", 0.64)
                .put("max_inferences_per_block", 1000);
        c.putObject("poc_params").putArray("models").addObject()
                .put("model_id", Scenarios.MODEL).put("seq_len", 1024);
        c.putObject("early_share_guard")
                .put("mode", "enforce")
                .put("first_fraction", 1.0 / 3.0)
                .put("threshold_ratio", 0.5)
                .put("require_inclusion_proof", true)
                .put("inclusion_sample_size", 64);
        return c;
    }

    /** Seed of {@code epoch}; the signature matches the participant entry's {@code seed.signature}. */
    private static ObjectNode seed(SimState s, long epoch, boolean claimed) {
        return Json.obj()
                .put("seed", FakeKeys.seedValue(s.participantAddress() + ":" + epoch))
                .put("epoch_index", epoch)
                .put("signature", seedSignature(s.participantAddress(), epoch))
                .put("claimed", claimed);
    }

    static String seedSignature(String address, long epoch) {
        return FakeKeys.signatureHex(address + ":" + epoch);
    }

    // ------------------------------------------------------------------ GET /admin/v1/setup/report

    private record Check(String id, String status, String message, ObjectNode details, String recommendation) {
    }

    static ObjectNode setupReport(SimState s) {
        Instant now = s.clock().instant();
        String address = s.participantAddress();
        SimParticipant own = s.participantsLive().get(address);
        long epoch = s.effectiveEpochIndex();
        List<Check> checks = new ArrayList<>();

        checks.add(pass("cold_key_configured", "Cold key is configured",
                Json.obj().put("address", address).put("pubkey", s.accountPubkey())));
        checks.add(pass("cold_key_not_in_keyring", "Cold key correctly NOT in keyring", null));
        checks.add(pass("warm_key_in_keyring", "Warm key 'ml-ops-key' found in keyring", null));
        checks.add(pass("warm_key_address_match", "Warm key address matches signer address", null));
        checks.add(pass("permissions_granted", "All 27 required permissions granted",
                Json.obj().put("cold_key_address", address).put("warm_key_address", s.warmKeyAddress())
                        .put("granted", 27).put("missing", 0)));
        checks.add(pass("feegrant_allowance", "Fee allowance from cold to warm key is configured",
                Json.obj().put("cold_key_address", address).put("warm_key_address", s.warmKeyAddress())
                        .put("allowance_type", "BasicAllowance")));
        checks.add(pass("consensus_key_match", "Consensus key matches participant registration",
                Json.obj().put("consensus_pubkey", s.nodeConsensusPubkey())));

        boolean active = own != null && own.weight() > 0;
        if (active) {
            checks.add(pass("active_in_epoch", "Participant is active in epoch " + epoch + " with weight " + own.weight(),
                    Json.obj().put("epoch", epoch).put("weight", own.weight())));
            checks.add(pass("validator_in_set", "Validator is active in consensus validator set",
                    Json.obj().put("consensus_pubkey", s.nodeConsensusPubkey())));
        } else {
            checks.add(new Check("active_in_epoch", "FAIL", "Participant is not active in epoch " + epoch,
                    Json.obj().put("epoch", epoch), "Wait for the next PoC and make sure the ML nodes take part"));
            checks.add(new Check("validator_in_set", "FAIL", "Validator is not in consensus validator set",
                    Json.obj().put("consensus_pubkey", s.nodeConsensusPubkey()), null));
        }

        checks.add(missedRequests(own));
        for (SimMlNode n : s.mlNodesLive().values()) {
            checks.add(mlNodeCheck(n, s.currentNodeVersion()));
        }

        long age = Math.max(0, Duration.between(s.latestBlockTime(), now).getSeconds());
        ObjectNode sync = Json.obj().put("latest_height", s.height())
                .put("latest_block_time", s.latestBlockTime().toString()).put("seconds_since_block", age);
        if (age >= 60) {
            checks.add(new Check("block_sync", "FAIL", "Chain is not synced. Latest block: " + s.height() + ", age: " + age + "s",
                    sync, "Check the chain node is running and has peers"));
        } else {
            checks.add(pass("block_sync", "Chain is synced. Latest block: " + s.height() + ", age: " + age + "s", sync));
        }
        return report(now, checks);
    }

    private static Check pass(String id, String message, ObjectNode details) {
        return new Check(id, "PASS", message, details, null);
    }

    private static Check missedRequests(SimParticipant own) {
        long done = own == null ? 0 : own.inferenceCount();
        long missed = own == null ? 0 : own.missedRequests();
        long total = done + missed;
        double pct = total == 0 ? 0.0 : missed * 100.0 / total;
        ObjectNode d = Json.obj().put("inference_count", done).put("missed_requests", missed)
                .put("total_requests", total).put("missed_percentage", pct);
        String shown = String.format(java.util.Locale.ROOT, "%.1f%%", pct);
        if (pct >= 10.0) {
            return new Check("missed_requests_threshold", "FAIL", "Missed requests: " + shown + " (above 10% threshold)", d,
                    "Check ML node availability; missed inference requests reduce rewards");
        }
        return pass("missed_requests_threshold", "Missed requests: " + shown + " (below 10% threshold)", d);
    }

    private static Check mlNodeCheck(SimMlNode n, String version) {
        ObjectNode d = Json.obj().put("id", n.id()).put("host", n.reportedHost());
        d.set("models", Json.strings(new ArrayList<>(n.models().keySet())));
        ArrayNode gpus = d.putArray("gpus");
        String prefix = version == null || version.isEmpty() ? "" : "/" + version;
        if (!n.reachable()) {
            String message = "MLNode health check failed: Get \"" + n.serverBaseUrl() + prefix + "/health\": dial tcp "
                    + n.bindAddress() + ":" + n.port() + ": connect: connection refused";
            return new Check("mlnode_" + n.id(), "FAIL", message, d,
                    "Check MLNode '" + n.id() + "' is running and accessible at " + n.reportedHost());
        }
        for (SimGpu g : n.gpus()) {
            gpus.add(setupReportGpu(g));
        }
        if (!n.healthy()) {
            return new Check("mlnode_" + n.id(), "FAIL", "MLNode health check failed: HTTP 503", d,
                    "Check MLNode '" + n.id() + "' logs; /health reports unhealthy");
        }
        if (n.gpus().isEmpty()) {
            return new Check("mlnode_" + n.id(), "PASS", "MLNode is healthy", d,
                    "Verify GPU drivers and CUDA installation on node '" + n.id() + "'");
        }
        return pass("mlnode_" + n.id(), "MLNode is healthy", d);
    }

    /** The setup report's own GPU shape: GB (MB / 1024), {@code available}, optional fields omitted. */
    private static ObjectNode setupReportGpu(SimGpu g) {
        ObjectNode o = Json.obj();
        o.put("index", g.index());
        o.put("name", g.name());
        o.put("total_memory_gb", gb(g.totalMemoryMb()));
        o.put("free_memory_gb", gb(g.freeMemoryMb()));
        o.put("used_memory_gb", gb(g.usedMemoryMb()));
        if (g.utilizationPercent() != null) {
            o.put("utilization_percent", g.utilizationPercent());
        }
        if (g.temperatureC() != null) {
            o.put("temperature_c", g.temperatureC());
        }
        o.put("available", g.available());
        if (g.errorMessage() != null) {
            o.put("error", g.errorMessage());
        }
        return o;
    }

    private static double gb(Integer mb) {
        return mb == null ? 0.0 : mb / 1024.0;
    }

    private static ObjectNode report(Instant now, List<Check> checks) {
        ObjectNode r = Json.obj();
        r.put("experimental", true);
        r.put("generated_at", now.toString());
        r.put("cached_until", now.plusSeconds(60).toString());
        long failed = checks.stream().filter(c -> c.status().equals("FAIL")).count();
        long unavailable = checks.stream().filter(c -> c.status().equals("UNAVAILABLE")).count();
        r.put("overall_status", failed > 0 ? "FAIL" : unavailable > 0 ? "UNAVAILABLE" : "PASS");
        ArrayNode list = r.putArray("checks");
        ArrayNode issues = Json.arr();
        ArrayNode recommendations = Json.arr();
        for (Check c : checks) {
            ObjectNode o = list.addObject().put("id", c.id()).put("status", c.status()).put("message", c.message());
            if (c.details() != null) {
                o.set("details", c.details());
            }
            if (c.status().equals("FAIL")) {
                issues.add(c.message());
            } else if (c.status().equals("UNAVAILABLE")) {
                issues.add("Check unavailable: " + c.message());
            } else if (c.id().startsWith("mlnode_") && c.recommendation() != null) {
                issues.add("No GPUs detected on MLNode '" + c.id().substring("mlnode_".length()) + "'");
            }
            if (c.recommendation() != null) {
                recommendations.add(c.recommendation());
            }
        }
        ObjectNode summary = r.putObject("summary");
        summary.put("total_checks", checks.size());
        summary.put("passed_checks", checks.size() - failed - unavailable);
        summary.put("failed_checks", failed);
        summary.put("unavailable_checks", unavailable);
        summary.set("issues", issues);
        summary.set("recommendations", recommendations);
        return r;
    }
}
