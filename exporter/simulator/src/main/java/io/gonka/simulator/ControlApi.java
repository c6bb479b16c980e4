package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /_sim/...}: lets a test drive a simulator running in another process. The command
 * set is documented on {@link SimulatedGonkaNode}; each command maps to one or two
 * {@link SimState} calls.
 */
final class ControlApi {
    /** Notifications kept for {@code GET /_sim/notifications}: the latest ones only. */
    static final int MAX_NOTIFICATIONS = 500;
    private static final int MAX_NOTIFICATION_BYTES = 256 * 1024;

    private final SimulatedGonkaNode sim;
    private final SimState state;
    private final java.util.ArrayDeque<ObjectNode> notifications = new java.util.ArrayDeque<>();

    ControlApi(SimulatedGonkaNode sim) {
        this.sim = sim;
        this.state = sim.state();
    }

    void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/_sim/state") && method.equals("GET")) {
            FaultWriter.send(ex, Reply.json(200, summary()));
        } else if (path.equals("/_sim/state") && method.equals("POST")) {
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                body = Json.MAPPER.readTree(in);
            } catch (IOException e) {
                FaultWriter.send(ex, Reply.json(400, Json.obj().put("error", "body is not JSON: " + e.getMessage())));
                return;
            }
            try {
                for (JsonNode command : commands(body)) {
                    apply(command);
                }
            } catch (RuntimeException e) {
                FaultWriter.send(ex, Reply.json(400, Json.obj().put("error", String.valueOf(e.getMessage()))));
                return;
            }
            FaultWriter.send(ex, Reply.json(200, summary()));
        } else if (path.startsWith("/_sim/notify/") && method.equals("POST")) {
            recordNotification(ex, path);
        } else if (path.equals("/_sim/notifications") && method.equals("GET")) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            synchronized (notifications) {
                notifications.forEach(out::add);
            }
            FaultWriter.send(ex, Reply.json(200, out));
        } else if (path.equals("/_sim/requests") && method.equals("GET")) {
            FaultWriter.send(ex, Reply.json(200, requests()));
        } else if (path.equals("/_sim/requests/clear") && method.equals("POST")) {
            sim.requestLog().clear();
            FaultWriter.send(ex, Reply.json(200, requests()));
        } else {
            FaultWriter.send(ex, Reply.json(404, Json.obj().put("error", "unknown control route " + method + " " + path)));
        }
    }

    /**
     * A stand-in for Telegram's and Slack's APIs, so that the demo's Alertmanager (its
     * TELEGRAM_API_URL / SLACK_API_URL pointed here) delivers somewhere one can look at:
     * records the path and body and answers as Telegram's sendMessage does (Slack only needs 200).
     */
    private void recordNotification(HttpExchange ex, String path) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_NOTIFICATION_BYTES);
        }
        ObjectNode n = Json.obj().put("path", path).put("body", new String(body, java.nio.charset.StandardCharsets.UTF_8));
        synchronized (notifications) {
            notifications.addLast(n);
            while (notifications.size() > MAX_NOTIFICATIONS) {
                notifications.removeFirst();
            }
        }
        // Alertmanager's Telegram notifier reads result.chat.id from the answer (and crashes without it).
        ObjectNode ok = Json.obj().put("ok", true);
        ObjectNode result = ok.putObject("result").put("message_id", 1).put("date", System.currentTimeMillis() / 1000).put("text", "ok");
        result.putObject("chat").put("id", -1001234567890L).put("type", "group");
        FaultWriter.send(ex, Reply.json(200, ok));
    }

    private static List<JsonNode> commands(JsonNode body) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode list = body != null && body.has("commands") ? body.get("commands") : body;
        if (list == null || list.isNull() || list.isMissingNode()) {
            throw new IllegalArgumentException("no command");
        }
        if (list.isArray()) {
            list.forEach(out::add);
        } else {
            out.add(list);
        }
        return out;
    }

    /** Applies one command; unknown ops and missing required fields throw. */
    void apply(JsonNode c) {
        String op = text(c, "op");
        switch (op) {
            case "set_height" -> state.setHeight(requiredLong(c, "height"));
            case "advance_blocks" -> state.advanceBlocks(requiredLong(c, "blocks"));
            case "start_next_poc" -> state.startNextPoc();
            case "roll_epoch" -> state.rollEpoch();
            case "set_chain" -> setChain(c);
            case "set_ml_node" -> setMlNode(c);
            case "add_ml_node" -> addMlNode(c);
            case "remove_ml_node" -> state.removeMlNode(text(c, "node_id"));
            case "add_gpu" -> state.addGpu(text(c, "node_id"), new SimGpu(0, c.path("name").asText("NVIDIA H100 80GB HBM3"),
                    c.path("total_memory_mb").asInt(81559), c.path("used_memory_mb").asInt(74512),
                    c.path("utilization_percent").asInt(50), c.path("temperature_c").asInt(60)));
            case "remove_gpu" -> state.removeGpu(text(c, "node_id"), (int) requiredLong(c, "index"));
            case "set_gpu" -> setGpu(c);
            case "set_participant" -> setParticipant(c);
            case "add_participant" -> addParticipant(c);
            case "remove_participant" -> state.removeParticipant(text(c, "address"));
            case "set_fault" -> setFault(c);
            case "clear_faults" -> state.clearFaults();
            case "set_mode" -> state.update(s -> {
                if (c.has("legacy2025")) {
                    s.setLegacy2025(c.get("legacy2025").asBoolean());
                }
                if (c.has("string_numbers")) {
                    s.setStringNumbers(c.get("string_numbers").asBoolean());
                }
                if (c.has("chain_api_disabled")) {
                    s.setChainApiDisabled(c.get("chain_api_disabled").asBoolean());
                }
                if (c.has("chain_rpc_disabled")) {
                    s.setChainRpcDisabled(c.get("chain_rpc_disabled").asBoolean());
                }
                if (c.has("profile")) {
                    Scenarios.applyProfile(s, c.get("profile").asText());
                }
            });
            case "set_confirmation_poc" -> state.setConfirmationPocPhase(c.path("phase").asInt(0));
            case "set_config" -> setConfig(c);
            default -> throw new IllegalArgumentException("unknown op " + op);
        }
    }

    private void setChain(JsonNode c) {
        state.update(s -> {
            if (c.has("stalled")) {
                s.setChainStalled(c.get("stalled").asBoolean());
            }
            if (c.has("block_age_seconds")) {
                s.setLatestBlockAge(Duration.ofSeconds(c.get("block_age_seconds").asLong()));
            }
            if (c.has("catching_up")) {
                s.setCatchingUp(c.get("catching_up").asBoolean());
            }
            if (c.has("peers")) {
                s.setPeerCount(c.get("peers").asInt());
            }
        });
        if (c.has("block_interval_ms")) {
            sim.startBlockProduction(Duration.ofMillis(c.get("block_interval_ms").asLong()));
        }
    }

    private void setMlNode(JsonNode c) {
        state.updateMlNode(text(c, "node_id"), n -> {
            if (c.has("status")) {
                n.status(c.get("status").asText());
            }
            if (c.has("intended_status")) {
                n.intendedStatus(c.get("intended_status").asText());
            }
            if (c.has("current_status")) {
                n.currentStatus(c.get("current_status").asText());
            }
            if (c.has("poc_intended_status")) {
                n.pocIntendedStatus(c.get("poc_intended_status").asText());
            }
            if (c.has("poc_current_status")) {
                n.pocCurrentStatus(c.get("poc_current_status").asText());
            }
            if (c.has("reconcile_status")) {
                JsonNode r = c.get("reconcile_status");
                n.reconcile(r.isNull() ? null : r.asInt(), c.path("reconcile_poc_status").asText(""));
            }
            if (c.has("poc_weight")) {
                n.pocWeight(c.get("poc_weight").asLong());
            }
            if (c.has("in_epoch")) {
                n.inEpoch(c.get("in_epoch").asBoolean());
            }
            if (c.has("enabled")) {
                n.adminEnabled(c.get("enabled").asBoolean());
            }
            if (c.has("lock_count")) {
                n.lockCount(c.get("lock_count").asInt());
            }
            if (c.has("failure_reason")) {
                n.failureReason(c.get("failure_reason").asText());
            }
            if (c.has("reachable")) {
                n.reachable(c.get("reachable").asBoolean());
            }
            if (c.has("upgrade_ready")) {
                n.upgradeReady(c.get("upgrade_ready").asBoolean());
            }
            if (c.has("healthy")) {
                n.healthy(c.get("healthy").asBoolean());
            }
            if (c.has("signed")) {
                n.signed(c.get("signed").asBoolean());
            }
            if (c.has("slow_ms")) {
                n.slowMillis(c.get("slow_ms").asLong());
            }
            if (c.has("health_gpus")) {
                n.healthIncludesGpus(c.get("health_gpus").asBoolean());
            }
        });
    }

    private void addMlNode(JsonNode c) {
        SimMlNode n = new SimMlNode(text(c, "node_id"), text(c, "address"))
                .port(c.path("port").asInt(0))
                .schemeHost(c.path("scheme_host").asBoolean(false))
                .model(Scenarios.MODEL, List.of("--tensor-parallel-size", "1"))
                .status(c.path("status").asText("INFERENCE"))
                .pocWeight(c.path("poc_weight").asLong(0));
        int gpus = c.path("gpus").asInt(0);
        String gpuName = c.path("gpu_name").asText("NVIDIA H100 80GB HBM3");
        for (int i = 0; i < gpus; i++) {
            n.gpu(new SimGpu(i, gpuName, 81559, 74512, 80, 60));
        }
        n.hardware(gpus == 0 ? List.of() : List.of(new SimMlNode.Hardware(gpuName, gpus)));
        state.addMlNode(n);
    }

    private void setGpu(JsonNode c) {
        int index = (int) requiredLong(c, "index");
        state.updateMlNode(text(c, "node_id"), n -> {
            List<SimGpu> gpus = n.gpus();
            int pos = -1;
            for (int i = 0; i < gpus.size(); i++) {
                if (gpus.get(i).index() == index) {
                    pos = i;
                }
            }
            if (pos < 0) {
                throw new IllegalArgumentException("no GPU " + index + " on " + n.id());
            }
            if (c.path("lost").asBoolean(false)) {
                gpus.set(pos, SimGpu.lost(index));
                return;
            }
            SimGpu g = gpus.get(pos);
            if (c.has("available")) {
                g.available(c.get("available").asBoolean());
            }
            if (c.has("error_message")) {
                g.errorMessage(c.get("error_message").isNull() ? null : c.get("error_message").asText());
            }
            if (c.has("utilization_percent")) {
                g.utilizationPercent(c.get("utilization_percent").asInt());
            }
            if (c.has("temperature_c")) {
                g.temperatureC(c.get("temperature_c").asInt());
            }
            if (c.has("used_memory_mb") && g.totalMemoryMb() != null) {
                int used = c.get("used_memory_mb").asInt();
                g.usedMemoryMb(used).freeMemoryMb(g.totalMemoryMb() - used);
            }
        });
    }

    private void setParticipant(JsonNode c) {
        String address = c.path("address").asText(state.participantAddress());
        state.updateParticipant(address, p -> {
            if (c.has("weight")) {
                p.weight(c.get("weight").asLong());
            }
            if (c.has("status")) {
                p.status(c.get("status").asText());
            }
            if (c.has("inference_count")) {
                p.inferenceCount(c.get("inference_count").asLong());
            }
            if (c.has("missed_requests")) {
                p.missedRequests(c.get("missed_requests").asLong());
            }
        });
    }

    private void addParticipant(JsonNode c) {
        String label = c.path("label").asText("control-api-participant-" + state.participantCount());
        String address = c.path("address").asText(FakeKeys.accountAddress(label));
        long weight = requiredLong(c, "weight");
        state.addParticipant(new SimParticipant(address, FakeKeys.consensusPubkey(label), weight,
                c.path("inference_url").asText("http://" + label + ".example.net:8000"))
                .model(Scenarios.MODEL, List.of(new EpochMlNode("mlnode-0", weight, 0, List.of(true, false)))));
    }

    private void setFault(JsonNode c) {
        SimEndpoint endpoint = SimEndpoint.fromWireName(text(c, "endpoint"));
        Fault fault = Fault.fromWireName(text(c, "fault"));
        FaultSpec base = FaultSpec.of(fault);
        FaultSpec spec = new FaultSpec(fault, c.path("delay_ms").asLong(base.delayMillis()),
                c.path("huge_mb").asInt(base.hugeMegabytes()));
        if (c.hasNonNull("node_id")) {
            state.setMlNodeFault(c.get("node_id").asText(), endpoint, spec);
        } else {
            state.setFault(endpoint, spec);
        }
    }

    private void setConfig(JsonNode c) {
        state.update(s -> {
            if (c.has("current_node_version")) {
                s.setCurrentNodeVersion(c.get("current_node_version").asText());
            }
            if (c.has("previous_seed_claimed")) {
                s.setPreviousSeedClaimed(c.get("previous_seed_claimed").asBoolean());
            }
            if (c.has("processing_lag")) {
                s.setProcessingLag(c.get("processing_lag").asLong());
            }
            if (c.has("worker_private")) {
                s.setWorkerPrivateKey(c.get("worker_private").asText());
            }
            if (c.has("upgrade_name") || c.has("upgrade_height") || c.has("upgrade_node_version")) {
                s.setUpgradePlan(c.path("upgrade_name").asText(s.upgradePlanName()),
                        c.path("upgrade_height").asLong(s.upgradePlanHeight()),
                        c.path("upgrade_node_version").asText(s.upgradePlanNodeVersion()));
            }
            if (c.has("collateral")) {
                s.setCollateral(c.get("collateral").isNull() ? null : c.get("collateral").asLong());
            }
            if (c.has("validator_signing")) {
                s.setValidatorSigning(c.get("validator_signing").asBoolean());
            }
            if (c.has("validator_jailed_until")) {
                s.setValidatorJailedUntil(c.get("validator_jailed_until").isNull() ? null
                        : java.time.Instant.parse(c.get("validator_jailed_until").asText()));
            }
            if (c.has("validator_tombstoned")) {
                s.setValidatorTombstoned(c.get("validator_tombstoned").asBoolean());
            }
            if (c.has("chain_app_version")) {
                s.setChainAppVersion(c.get("chain_app_version").asText());
            }
            if (c.has("binom_p0_value") || c.has("binom_p0_exponent")) {
                s.setBinomTestP0(c.path("binom_p0_value").asLong(s.binomTestP0Value()),
                        c.path("binom_p0_exponent").asInt(s.binomTestP0Exponent()));
            }
        });
    }

    private static String text(JsonNode c, String field) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty()) {
            throw new IllegalArgumentException("missing field " + field);
        }
        return v.asText();
    }

    private static long requiredLong(JsonNode c, String field) {
        JsonNode v = c.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new IllegalArgumentException("missing or non-integer field " + field);
        }
        return v.asLong();
    }

    ObjectNode summary() {
        ObjectNode o = state.read(s -> {
            ObjectNode r = Json.obj();
            r.put("version", s.version());
            r.put("height", s.height());
            r.put("latest_block_time", s.latestBlockTime().toString());
            r.put("latest_epoch", s.latestEpochIndex());
            r.put("effective_epoch", s.effectiveEpochIndex());
            r.put("poc_start_block_height", s.pocStartBlockHeight());
            r.put("phase", s.phase());
            r.put("chain_stalled", s.chainStalled());
            r.put("catching_up", s.catchingUp());
            r.put("peers", s.peerCount());
            r.put("participants", s.participantCount());
            r.put("total_weight", s.totalWeight());
            r.put("participant_address", s.participantAddress());
            SimParticipant own = s.participantsLive().get(s.participantAddress());
            if (own != null) {
                r.putObject("own_participant").put("weight", own.weight()).put("status", own.status())
                        .put("inference_count", own.inferenceCount()).put("missed_requests", own.missedRequests());
            }
            r.put("legacy2025", s.legacy2025());
            r.put("string_numbers", s.stringNumbers());
            r.put("chain_api_disabled", s.chainApiDisabled());
            r.put("chain_rpc_disabled", s.chainRpcDisabled());
            r.put("confirmation_poc_phase", s.confirmationPocPhase());
            r.put("current_node_version", s.currentNodeVersion());
            ObjectNode faults = r.putObject("faults");
            s.faults().forEach((k, v) -> faults.put(k.wireName(), v.fault().wireName()));
            ArrayNode nodes = r.putArray("ml_nodes");
            for (SimMlNode n : s.mlNodesLive().values()) {
                ObjectNode node = nodes.addObject().put("node_id", n.id()).put("address", n.bindAddress())
                        .put("port", n.port()).put("host", n.reportedHost())
                        .put("intended_status", n.intendedStatus()).put("current_status", n.currentStatus())
                        .put("poc_weight", n.pocWeight()).put("reachable", n.reachable()).put("healthy", n.healthy())
                        .put("gpus", n.gpus().size());
                ObjectNode nodeFaults = node.putObject("faults");
                n.faults().forEach((k, v) -> nodeFaults.put(k.wireName(), v.fault().wireName()));
            }
            return r;
        });
        o.put("block_interval_ms", sim.blockIntervalMillis());
        o.put("base_url", sim.baseUrl());
        return o;
    }

    private ObjectNode requests() {
        RequestLog log = sim.requestLog();
        ObjectNode o = Json.obj();
        o.put("total", log.total());
        o.set("methods", Json.strings(new ArrayList<>(log.methods())));
        ObjectNode byPath = o.putObject("by_path");
        log.countsByPath().forEach(byPath::put);
        ObjectNode byEndpoint = o.putObject("by_endpoint");
        for (Map.Entry<String, Long> e : log.countsByEndpoint().entrySet()) {
            byEndpoint.put(e.getKey(), e.getValue());
        }
        return o;
    }
}
