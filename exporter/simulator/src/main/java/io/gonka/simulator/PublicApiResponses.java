package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Bodies of the public API {@code /v1/...} (SCHEMAS §4). Called with the state locked. */
final class PublicApiResponses {
    private PublicApiResponses() {
    }

    static ObjectNode status() {
        return Json.obj().put("status", "ok");
    }

    // ------------------------------------------------------------------ GET /v1/epochs/latest

    static ObjectNode epochsLatest(SimState s) {
        EpochStages latest = s.latestStages();
        ObjectNode r = Json.obj();
        r.put("block_height", s.height());
        r.putObject("latest_epoch")
                .put("index", s.latestEpochIndex())
                .put("poc_start_block_height", s.pocStartBlockHeight());
        r.put("phase", latest.phaseAt(s.height()));
        r.set("epoch_stages", stages(latest));
        r.set("next_epoch_stages", stages(latest.next(s.epochParams())));
        r.set("epoch_params", epochParams(s.epochParams(), s.legacy2025()));
        if (!s.legacy2025()) {
            r.put("effective_epoch_index", s.effectiveEpochIndex());
            int phase = s.confirmationPocPhase();
            r.put("is_confirmation_poc_active", phase > 0 && phase < 4);
            if (phase > 0) {
                // encoding/json of the gogoproto ConfirmationPoCEvent: numbers, the phase as its integer, zeros omitted.
                ObjectNode ev = r.putObject("active_confirmation_poc_event");
                ev.put("epoch_index", s.effectiveEpochIndex());
                ev.put("trigger_height", s.height() - 10);
                ev.put("generation_start_height", s.height());
                ev.put("phase", phase);
                ev.put("poc_seed_block_hash", FakeKeys.hashHex("confirmation:" + s.effectiveEpochIndex()));
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ GET /v2/participants/{a}, /v1/participants/{a}

    /**
     * Newest dapi {@code getParticipantByAddress}: {@code c.JSON(QueryGetParticipantResponse)} through encoding/json,
     * so numbers, {@code status} as its integer and every zero field omitted. Null for an unknown address.
     */
    static ObjectNode v2Participant(SimState s, String address) {
        SimParticipant p = s.participantsLive().get(address);
        if (p == null) {
            return null;
        }
        NumberEncoding a = NumberEncoding.NUMBER_OMIT_ZERO;
        ObjectNode o = Json.obj();
        o.put("index", p.address());
        o.put("address", p.address());
        a.put(o, "weight", p.weight());
        a.put(o, "join_time", p.joinTime());
        a.put(o, "join_height", p.joinHeight());
        a.put(o, "last_inference_time", p.lastInferenceTime());
        if (!p.inferenceUrl().isEmpty()) {
            o.put("inference_url", p.inferenceUrl());
        }
        int status = statusNumber(p.status());
        if (status != 0) {
            o.put("status", status);
        }
        a.put(o, "coin_balance", p.coinBalance());
        o.put("validator_key", p.validatorKey());
        a.put(o, "consecutive_invalid_inferences", p.consecutiveInvalidInferences());
        o.put("worker_public_key", p.workerPublicKey());
        a.put(o, "epochs_completed", p.epochsCompleted());
        if (p.hasEpochStats()) {
            ObjectNode stats = o.putObject("current_epoch_stats");
            a.put(stats, "inference_count", p.inferenceCount());
            a.put(stats, "missed_requests", p.missedRequests());
            a.put(stats, "earned_coins", p.earnedCoins());
            a.put(stats, "rewarded_coins", p.rewardedCoins());
            a.put(stats, "burned_coins", p.burnedCoins());
            a.put(stats, "validated_inferences", p.validatedInferences());
            a.put(stats, "invalidated_inferences", p.invalidatedInferences());
        }
        ObjectNode r = Json.obj();
        r.set("participant", o);
        return r;
    }

    /** ParticipantStatus by name, or the number an unknown value was set as. */
    static int statusNumber(String status) {
        if (status.matches("-?\\d+")) {
            return Integer.parseInt(status);
        }
        return switch (status) {
            case "ACTIVE" -> 1;
            case "INACTIVE" -> 2;
            case "INVALID" -> 3;
            case "RAMPING" -> 4;
            default -> 0;
        };
    }

    /**
     * {@code /v1/participants/{a}}: the account, {@code {pubkey, balance, denom}} (newest AccountDto) or
     * {@code {pubkey, balance}} with a zero balance omitted (v0.2.0). Null for an unknown address.
     */
    static ObjectNode v1Participant(SimState s, String address) {
        SimParticipant p = s.participantsLive().get(address);
        if (p == null) {
            return null;
        }
        boolean own = address.equals(s.participantAddress());
        long balance = own ? s.accountBalance() : 0;
        ObjectNode o = Json.obj();
        o.put("pubkey", own ? s.accountPubkey() : FakeKeys.hashBase64("account:" + address));
        if (s.legacy2025()) {
            NumberEncoding.NUMBER_OMIT_ZERO.put(o, "balance", balance);
        } else {
            o.put("balance", balance);
            o.put("denom", "ngonka");
        }
        return o;
    }

    private static ObjectNode stages(EpochStages e) {
        ObjectNode o = Json.obj();
        o.put("epoch_index", e.epochIndex());
        o.put("poc_start", e.pocStart());
        o.put("poc_generation_wind_down", e.pocGenerationWindDown());
        o.put("poc_generation_end", e.pocGenerationEnd());
        o.put("poc_validation_start", e.pocValidationStart());
        o.put("poc_validation_wind_down", e.pocValidationWindDown());
        o.put("poc_validation_end", e.pocValidationEnd());
        o.put("set_new_validators", e.setNewValidators());
        o.put("claim_money", e.claimMoney());
        o.put("inference_validation_cutoff", e.inferenceValidationCutoff());
        o.put("next_poc_start", e.nextPocStart());
        o.putObject("poc_exchange_window").put("start", e.pocExchangeWindowStart()).put("end", e.pocExchangeWindowEnd());
        o.putObject("poc_validation_exchange_window")
                .put("start", e.pocValidationExchangeWindowStart()).put("end", e.pocValidationExchangeWindowEnd());
        return o;
    }

    /** {@code EpochParams} in family A: zero fields omitted; the 2025 build lacks the pruning/slot fields. */
    private static ObjectNode epochParams(SimEpochParams p, boolean legacy) {
        NumberEncoding a = NumberEncoding.NUMBER_OMIT_ZERO;
        ObjectNode o = Json.obj();
        a.put(o, "epoch_length", p.epochLength());
        a.put(o, "epoch_multiplier", p.epochMultiplier());
        a.put(o, "epoch_shift", p.epochShift());
        a.put(o, "default_unit_of_compute_price", p.defaultUnitOfComputePrice());
        a.put(o, "poc_stage_duration", p.pocStageDuration());
        a.put(o, "poc_exchange_duration", p.pocExchangeDuration());
        a.put(o, "poc_validation_delay", p.pocValidationDelay());
        a.put(o, "poc_validation_duration", p.pocValidationDuration());
        a.put(o, "set_new_validators_delay", p.setNewValidatorsDelay());
        a.put(o, "inference_validation_cutoff", p.inferenceValidationCutoff());
        a.put(o, "inference_pruning_epoch_threshold", p.inferencePruningEpochThreshold());
        if (!legacy) {
            a.put(o, "inference_pruning_max", p.inferencePruningMax());
            a.put(o, "poc_pruning_max", p.pocPruningMax());
            if (p.pocSlotAllocationValue() != 0) {
                o.set("poc_slot_allocation", Json.decimal(p.pocSlotAllocationValue(), p.pocSlotAllocationExponent(),
                        NumberEncoding.NUMBER));
            }
            a.put(o, "confirmation_poc_safety_window", p.confirmationPocSafetyWindow());
        }
        return o;
    }

    // ------------------------------------------------------------------ GET /v1/epochs/{id}/participants

    /**
     * Participants of the effective epoch. Normal mode is family A (numbers, zero fields
     * omitted, like the main example); string mode is the protojson encoding of
     * {@code edge/public-epoch-participants.protojson-strings.json}.
     */
    static ObjectNode epochParticipants(SimState s) {
        boolean strings = s.stringNumbers();
        NumberEncoding enc = strings ? NumberEncoding.STRING : NumberEncoding.NUMBER_OMIT_ZERO;
        long epoch = s.effectiveEpochIndex();
        EpochStages stages = EpochStages.compute(epoch, s.effectivePocStart(), s.epochParams());
        List<SimParticipant> active = new ArrayList<>(s.participantsLive().values());

        ObjectNode r = Json.obj();
        ObjectNode ap = r.putObject("active_participants");
        ArrayNode list = ap.putArray("participants");
        for (SimParticipant p : active) {
            list.add(participant(p, s, epoch, enc));
        }
        enc.put(ap, "epoch_group_id", epoch);
        enc.put(ap, "poc_start_block_height", stages.pocStart());
        enc.put(ap, "effective_block_height", stages.setNewValidators());
        enc.put(ap, "created_at_block_height", stages.pocValidationEnd());
        enc.put(ap, "epoch_id", epoch);

        ArrayNode addresses = r.putArray("addresses");
        active.forEach(p -> addresses.add(p.consensusAddress()));
        r.put("active_participants_bytes", FakeKeys.hashHex("active-participants:" + epoch + ":" + active.size()).toLowerCase());
        if (!strings) {
            ObjectNode proof = r.putObject("proof_ops");
            ArrayNode ops = proof.putArray("ops");
            ops.addObject().put("type", "ics23:iavl")
                    .put("key", "QWN0aXZlUGFydGljaXBhbnRzL3ZhbHVlLwAAAAAAAAEM")
                    .put("data", FakeKeys.hashBase64("proof-iavl:" + epoch));
            ops.addObject().put("type", "ics23:simple")
                    .put("key", "aW5mZXJlbmNl")
                    .put("data", FakeKeys.hashBase64("proof-simple:" + epoch));
        }

        List<SimParticipant> validators = active.stream()
                .filter(p -> p.weight() > 0 && !p.consensusAddress().isEmpty())
                .sorted(SimParticipant.BY_VOTING_POWER)
                .toList();
        ArrayNode vals = r.putArray("validators");
        NumberEncoding valEnc = strings ? NumberEncoding.STRING : NumberEncoding.NUMBER;
        for (SimParticipant v : validators) {
            ObjectNode o = vals.addObject().put("address", v.consensusAddress()).put("pub_key", v.validatorKey());
            valEnc.put(o, "voting_power", v.weight());
            valEnc.put(o, "proposer_priority", v.proposerPriority());
        }

        String proposer = validators.isEmpty() ? "" : validators.get(0).consensusAddress();
        r.set("block", block(s, stages.pocValidationEnd() + 1, proposer, strings));

        if (!s.legacy2025()) {
            ArrayNode excluded = r.putArray("excluded_participants");
            for (SimState.Exclusion e : s.exclusionsLive()) {
                ObjectNode o = excluded.addObject().put("address", e.address()).put("reason", e.reason());
                (strings ? NumberEncoding.STRING : NumberEncoding.NUMBER).put(o, "exclusion_block_height", e.exclusionBlockHeight());
            }
        }
        return r;
    }

    private static ObjectNode participant(SimParticipant p, SimState s, long epoch, NumberEncoding enc) {
        ObjectNode o = Json.obj();
        o.put("index", p.address());
        o.put("validator_key", p.validatorKey());
        enc.put(o, "weight", p.weight());
        o.put("inference_url", p.inferenceUrl());
        o.set("models", Json.strings(p.models()));
        ObjectNode seed = o.putObject("seed");
        seed.put("participant", p.address());
        enc.put(seed, "epoch_index", epoch);
        seed.put("signature", AdminApiResponses.seedSignature(p.address(), epoch));

        List<List<EpochMlNode>> groups = p.address().equals(s.participantAddress()) ? ownMlNodes(s, p) : p.mlNodes();
        ArrayNode mlNodes = o.putArray("ml_nodes");
        for (List<EpochMlNode> group : groups) {
            ArrayNode inner = mlNodes.addObject().putArray("ml_nodes");
            for (EpochMlNode n : group) {
                inner.add(AdminApiResponses.epochMlNode(n.nodeId(), n.pocWeight(), n.throughput(),
                        n.timeslotAllocation(), enc));
            }
        }
        return o;
    }

    /** The own participant's {@code ml_nodes}: the local ML nodes in the epoch, one group per model. */
    private static List<List<EpochMlNode>> ownMlNodes(SimState s, SimParticipant own) {
        List<List<EpochMlNode>> groups = new ArrayList<>();
        for (String model : own.models()) {
            List<EpochMlNode> group = new ArrayList<>();
            for (SimMlNode n : s.mlNodesLive().values()) {
                if (n.inEpoch() && n.models().containsKey(model)) {
                    group.add(new EpochMlNode(n.id(), n.pocWeight(), n.throughput(), n.timeslotAllocation()));
                }
            }
            groups.add(group);
        }
        return groups;
    }

    /** The block after the epoch group was created: native comet JSON, or cosmos protojson in string mode. */
    private static ObjectNode block(SimState s, long height, String proposerHex, boolean protojson) {
        Instant time = s.latestBlockTime().minus(
                Duration.ofMillis((long) ((s.height() - height) * SimState.EXPECTED_BLOCK_SECONDS * 1000)));
        ObjectNode header = Json.obj();
        if (protojson) {
            header.putObject("version").put("block", "11").put("app", "0");
            header.put("chain_id", "gonka-mainnet");
            header.put("height", Long.toString(height));
            header.put("time", time.toString());
            header.put("app_hash", FakeKeys.hashBase64("app:" + height));
            header.put("proposer_address", proposerHex.isEmpty() ? "" : FakeKeys.valconsAddress(proposerHex));
        } else {
            header.putObject("version").put("block", 11);
            header.put("chain_id", "gonka-mainnet");
            header.put("height", height);
            header.put("time", time.toString());
            ObjectNode lastBlock = header.putObject("last_block_id");
            lastBlock.put("hash", FakeKeys.hashHex("block:" + (height - 1)));
            lastBlock.putObject("parts").put("total", 1).put("hash", FakeKeys.hashHex("parts:" + (height - 1)));
            header.put("app_hash", FakeKeys.hashHex("app:" + height));
            header.put("proposer_address", proposerHex);
        }
        ObjectNode block = Json.obj();
        block.set("header", header);
        return block;
    }
}
