package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Bodies of the chain REST gateway {@code /chain-api/productscience/inference/inference/...}
 * (SCHEMAS §5), family B: int64 as strings, int32 as numbers, enums as names, zeros emitted.
 */
final class ChainApiResponses {
    static final String PREFIX = "/chain-api/productscience/inference/inference/";

    private static final NumberEncoding S = NumberEncoding.STRING;

    private ChainApiResponses() {
    }

    /** {@code participant/{address}}, or null when the address is unknown (the caller answers 404). */
    static ObjectNode participant(SimState s, String address) {
        SimParticipant p = s.participantsLive().get(address);
        if (p == null) {
            return null;
        }
        ObjectNode o = Json.obj();
        o.put("index", p.address());
        o.put("address", p.address());
        o.put("weight", p.weight());                       // int32: a number even in family B
        S.put(o, "join_time", p.joinTime());
        S.put(o, "join_height", p.joinHeight());
        S.put(o, "last_inference_time", p.lastInferenceTime());
        o.put("inference_url", p.inferenceUrl());
        if (p.status().matches("-?\\d+")) {
            o.put("status", Integer.parseInt(p.status())); // unknown enum values come out as numbers
        } else {
            o.put("status", p.status());
        }
        S.put(o, "coin_balance", p.coinBalance());
        o.put("validator_key", p.validatorKey());
        S.put(o, "consecutive_invalid_inferences", p.consecutiveInvalidInferences());
        o.put("worker_public_key", p.workerPublicKey());
        o.put("epochs_completed", p.epochsCompleted());   // uint32: a number
        if (p.hasEpochStats()) {
            ObjectNode stats = o.putObject("current_epoch_stats");
            S.put(stats, "inference_count", p.inferenceCount());
            S.put(stats, "missed_requests", p.missedRequests());
            S.put(stats, "earned_coins", p.earnedCoins());
            S.put(stats, "rewarded_coins", p.rewardedCoins());
            S.put(stats, "burned_coins", p.burnedCoins());
            S.put(stats, "validated_inferences", p.validatedInferences());
            S.put(stats, "invalidated_inferences", p.invalidatedInferences());
        } else {
            o.putNull("current_epoch_stats");
        }
        ObjectNode r = Json.obj();
        r.set("participant", o);
        return r;
    }

    static final String COLLATERAL_PREFIX = "/chain-api/productscience/inference/collateral/collateral/";

    /** x/collateral {@code Collateral}: the own participant's collateral; others and "none" are NotFound. */
    static ObjectNode collateral(SimState s, String address) {
        if (!address.equals(s.participantAddress()) || s.collateral() == null) {
            return null;
        }
        ObjectNode r = Json.obj();
        r.putObject("amount").put("denom", "ngonka").put("amount", Long.toString(s.collateral()));
        return r;
    }

    static ObjectNode notFound() {
        ObjectNode o = Json.obj().put("code", 5).put("message", "key not found");
        o.putArray("details");
        return o;
    }

    static ObjectNode currentEpoch(SimState s) {
        return Json.obj().put("epoch", Long.toString(s.effectiveEpochIndex()));
    }

    static ObjectNode paramsResponse(SimState s) {
        ObjectNode r = Json.obj();
        r.set("params", params(s));
        return r;
    }

    static ObjectNode epochInfo(SimState s) {
        ObjectNode r = Json.obj();
        r.put("block_height", Long.toString(s.height()));
        r.set("params", params(s));
        r.putObject("latest_epoch")
                .put("index", Long.toString(s.latestEpochIndex()))
                .put("poc_start_block_height", Long.toString(s.pocStartBlockHeight()));
        r.putNull("active_confirmation_poc_event");
        r.put("is_confirmation_poc_active", false);
        return r;
    }

    /** The full chain {@code Params} as in {@code examples/chain-epoch-info.json}; epoch params and p0 from the state. */
    private static ObjectNode params(SimState s) {
        SimEpochParams e = s.epochParams();
        ObjectNode p = Json.obj();
        ObjectNode ep = p.putObject("epoch_params");
        S.put(ep, "epoch_length", e.epochLength());
        S.put(ep, "epoch_multiplier", e.epochMultiplier());
        S.put(ep, "epoch_shift", e.epochShift());
        S.put(ep, "default_unit_of_compute_price", e.defaultUnitOfComputePrice());
        S.put(ep, "poc_stage_duration", e.pocStageDuration());
        S.put(ep, "poc_exchange_duration", e.pocExchangeDuration());
        S.put(ep, "poc_validation_delay", e.pocValidationDelay());
        S.put(ep, "poc_validation_duration", e.pocValidationDuration());
        S.put(ep, "set_new_validators_delay", e.setNewValidatorsDelay());
        S.put(ep, "inference_validation_cutoff", e.inferenceValidationCutoff());
        S.put(ep, "inference_pruning_epoch_threshold", e.inferencePruningEpochThreshold());
        S.put(ep, "inference_pruning_max", e.inferencePruningMax());
        S.put(ep, "poc_pruning_max", e.pocPruningMax());
        ep.set("poc_slot_allocation", Json.decimal(e.pocSlotAllocationValue(), e.pocSlotAllocationExponent(), S));
        S.put(ep, "confirmation_poc_safety_window", e.confirmationPocSafetyWindow());

        ObjectNode v = p.putObject("validation_params");
        v.set("false_positive_rate", Json.decimal(5, -2, S));
        v.put("min_ramp_up_measurements", 10);
        v.set("pass_value", Json.decimal(99, -2, S));
        v.set("min_validation_average", Json.decimal(1, -2, S));
        v.set("max_validation_average", Json.decimal(1, 0, S));
        v.put("expiration_blocks", "150");
        v.put("epochs_to_max", "30");
        v.put("full_validation_traffic_cutoff", "10000");
        v.set("min_validation_halfway", Json.decimal(5, -2, S));
        v.put("min_validation_traffic_cutoff", "100");
        v.set("miss_percentage_cutoff", Json.decimal(1, -2, S));
        v.set("miss_requests_penalty", Json.decimal(1, 0, S));
        v.put("timestamp_expiration", "300");
        v.put("timestamp_advance", "30");
        v.put("estimated_limits_per_block_kb", "0");
        v.set("invalid_reputation_preserve", Json.decimal(0, 0, S));
        v.set("bad_participant_invalidation_rate", Json.decimal(1, -1, S));
        v.set("invalidation_h_threshold", Json.decimal(4, 0, S));
        v.set("downtime_good_percentage", Json.decimal(98, -2, S));
        v.set("downtime_bad_percentage", Json.decimal(99, -2, S));
        v.set("downtime_h_threshold", Json.decimal(1, 2, S));
        v.set("downtime_reputation_preserve", Json.decimal(0, 0, S));
        v.set("quick_failure_threshold", Json.decimal(1, -6, S));
        v.set("binom_test_p0", Json.decimal(s.binomTestP0Value(), s.binomTestP0Exponent(), S));
        v.put("claim_validation_enabled", false);
        v.put("logprobs_mode", "");

        ObjectNode poc = p.putObject("poc_params");
        poc.put("default_difficulty", 5);
        poc.put("validation_sample_size", 200);
        poc.put("poc_data_pruning_epoch_threshold", "1");
        poc.set("weight_scale_factor", Json.decimal(262, -3, S));
        poc.put("model_id", Scenarios.MODEL);
        poc.put("seq_len", "1024");
        poc.put("poc_v2_enabled", true);
        poc.put("confirmation_poc_v2_enabled", true);
        poc.put("validation_slots", 0);
        poc.put("poc_normalization_enabled", false);
        poc.putArray("models");

        ObjectNode col = p.putObject("collateral_params");
        col.set("slash_fraction_invalid", Json.decimal(2, -1, S));
        col.set("slash_fraction_downtime", Json.decimal(1, -1, S));
        col.set("downtime_missed_percentage_threshold", Json.decimal(5, -2, S));
        col.put("grace_period_end_epoch", "180");
        col.set("base_weight_ratio", Json.decimal(2, -1, S));
        col.set("collateral_per_weight_unit", Json.decimal(42, -1, S));

        ObjectNode btc = p.putObject("bitcoin_reward_params");
        btc.put("use_bitcoin_rewards", true);
        btc.put("initial_epoch_reward", "323000000000000");
        btc.set("decay_rate", Json.decimal(-475, -6, S));
        btc.put("genesis_epoch", "1");
        btc.set("utilization_bonus_factor", Json.decimal(5, -1, S));
        btc.set("full_coverage_bonus_factor", Json.decimal(12, -1, S));
        btc.set("partial_coverage_bonus_factor", Json.decimal(1, -1, S));

        ObjectNode conf = p.putObject("confirmation_poc_params");
        conf.put("expected_confirmations_per_epoch", "4");
        conf.set("alpha_threshold", Json.decimal(5, -1, S));
        conf.set("slash_fraction", Json.decimal(0, 0, S));
        conf.put("upgrade_protection_window", "500");
        return p;
    }
}
