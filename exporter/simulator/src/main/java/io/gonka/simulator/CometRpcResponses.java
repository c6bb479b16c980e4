package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** CometBFT RPC bodies (SCHEMAS §6), family D: JSON-RPC wrapper, every int64 a string. */
final class CometRpcResponses {
    private static final String NODE_ID = "4f1c6b0e8d2a9c7b5e3f1a0d9c8b7a6f5e4d3c2b";
    private static final long EARLIEST_HEIGHT = 3900001;

    private CometRpcResponses() {
    }

    static ObjectNode wrap(ObjectNode result) {
        ObjectNode r = Json.obj().put("jsonrpc", "2.0").put("id", -1);
        r.set("result", result);
        return r;
    }

    static ObjectNode error(String data) {
        ObjectNode r = Json.obj().put("jsonrpc", "2.0").put("id", -1);
        r.putObject("error").put("code", -32603).put("message", "Internal error").put("data", data);
        return r;
    }

    static ObjectNode status(SimState s) {
        ObjectNode result = Json.obj();
        result.set("node_info", nodeInfo(NODE_ID, "my-gonka-node", "on", "tcp://0.0.0.0:26657"));
        ObjectNode sync = result.putObject("sync_info");
        long h = s.height();
        sync.put("latest_block_hash", FakeKeys.hashHex("block:" + h));
        sync.put("latest_app_hash", FakeKeys.hashHex("app:" + h));
        sync.put("latest_block_height", Long.toString(h));
        sync.put("latest_block_time", s.latestBlockTime().toString());
        long earliest = Math.min(EARLIEST_HEIGHT, h);
        Instant earliestTime = s.latestBlockTime()
                .minus(Duration.ofMillis((long) ((h - earliest) * SimState.EXPECTED_BLOCK_SECONDS * 1000)));
        sync.put("earliest_block_hash", FakeKeys.hashHex("block:" + earliest));
        sync.put("earliest_app_hash", FakeKeys.hashHex("app:" + earliest));
        sync.put("earliest_block_height", Long.toString(earliest));
        sync.put("earliest_block_time", earliestTime.toString());
        sync.put("catching_up", s.catchingUp());
        String pubkey = s.nodeConsensusPubkey();
        SimParticipant own = s.participantsLive().get(s.participantAddress());
        ObjectNode validator = result.putObject("validator_info");
        validator.put("address", pubkey == null ? "" : FakeKeys.consensusAddressHex(pubkey));
        validator.putObject("pub_key").put("type", "tendermint/PubKeyEd25519").put("value", pubkey);
        validator.put("voting_power", Long.toString(own == null ? 0 : own.weight()));
        return wrap(result);
    }

    private static ObjectNode nodeInfo(String id, String moniker, String txIndex, String rpcAddress) {
        ObjectNode n = Json.obj();
        n.putObject("protocol_version").put("p2p", "8").put("block", "11").put("app", "0");
        n.put("id", id);
        n.put("listen_addr", "tcp://0.0.0.0:26656");
        n.put("network", "gonka-mainnet");
        n.put("version", "0.38.17");
        n.put("channels", "40202122233038606100");
        n.put("moniker", moniker);
        n.putObject("other").put("tx_index", txIndex).put("rpc_address", rpcAddress);
        return n;
    }

    static ObjectNode netInfo(SimState s) {
        ObjectNode result = Json.obj();
        result.put("listening", true);
        result.putArray("listeners").add("Listener(@tcp://203.0.113.45:5000)");
        result.put("n_peers", Integer.toString(s.peerCount()));
        ArrayNode peers = result.putArray("peers");
        for (int i = 0; i < s.peerCount(); i++) {
            peers.add(peer(i, s.latestBlockTime()));
        }
        return wrap(result);
    }

    private static ObjectNode peer(int i, Instant now) {
        String label = "peer-" + i;
        ObjectNode p = Json.obj();
        p.set("node_info", nodeInfo(FakeKeys.hashHex(label).substring(0, 40).toLowerCase(),
                i == 0 ? "node2" : "gonka-peer-" + i, i % 2 == 0 ? "on" : "off", "tcp://0.0.0.0:26657"));
        p.put("is_outbound", i % 2 == 0);
        long durationNanos = 3_600_000_000_000L * (1 + i);
        ObjectNode cs = p.putObject("connection_status");
        cs.put("Duration", Long.toString(durationNanos));
        String start = now.minusNanos(durationNanos).toString();
        cs.set("SendMonitor", monitor(start, 1_802_233_741L / (i + 1), durationNanos));
        cs.set("RecvMonitor", monitor(start, 2_230_918_422L / (i + 1), durationNanos));
        ArrayNode channels = cs.putArray("Channels");
        channels.addObject().put("ID", 48).put("SendQueueCapacity", "1").put("SendQueueSize", "0")
                .put("Priority", "5").put("RecentlySent", "0");
        channels.addObject().put("ID", 64).put("SendQueueCapacity", "1000").put("SendQueueSize", "0")
                .put("Priority", "5").put("RecentlySent", "312");
        // Documentation-range addresses: data only, never dialled.
        p.put("remote_ip", i % 2 == 0 ? "198.51.100." + (2 + i % 250) : "192.0.2." + (2 + i % 250));
        return p;
    }

    private static ObjectNode monitor(String start, long bytes, long durationNanos) {
        return Json.obj()
                .put("Start", start).put("Bytes", Long.toString(bytes)).put("Samples", Long.toString(bytes / 6000))
                .put("InstRate", "2048").put("CurRate", "18430").put("AvgRate", "20946").put("PeakRate", "712400")
                .put("BytesRem", "0").put("Duration", Long.toString(durationNanos)).put("Idle", "40000000")
                .put("TimeRem", "0").put("Progress", 0).put("Active", true);
    }

    /** {@code /abci_info}: the app's version is the chain binary's {@code version.Version}. */
    static ObjectNode abciInfo(SimState s) {
        ObjectNode result = Json.obj();
        result.putObject("response").put("data", "inference").put("version", s.chainAppVersion())
                .put("last_block_height", Long.toString(s.height()))
                .put("last_block_app_hash", java.util.Base64.getEncoder().encodeToString(FakeKeys.hashHex("app:" + s.height()).getBytes()));
        return wrap(result);
    }

    /** Upgrade names that changed the miss rule or params (app/upgrades), oldest first. */
    private static final String[] UPGRADES = {"v0.2.2", "v0.2.3", "v0.2.4", "v0.2.5", "v0.2.6", "v0.2.7", "v0.2.8", "v0.2.9",
            "v0.2.10", "v0.2.11", "v0.2.12", "v0.2.13"};

    /**
     * {@code abci_query}: the inference params ({@code QueryParamsResponse}, protobuf) and the
     * upgrade module's applied plans; other paths answer as the SDK does for an unknown route.
     */
    static ObjectNode abciQuery(SimState s, String path, byte[] data) {
        ObjectNode result = Json.obj();
        ObjectNode response = result.putObject("response");
        response.put("code", 0).put("log", "").put("info", "").put("index", "0").putNull("key");
        byte[] value;
        switch (path) {
            case "/inference.inference.Query/Params" -> value = paramsProto(s);
            case "/cosmos.upgrade.v1beta1.Query/AppliedPlan" -> {
                String name = data.length > 2 ? new String(data, 2, data.length - 2, java.nio.charset.StandardCharsets.UTF_8) : "";
                long height = applied(s.chainAppVersion(), name) ? 1_000_000 + 10_000L * indexOf(name) : 0;
                value = new ProtoWriter().varint(1, height).bytes();
            }
            case "/cosmos.slashing.v1beta1.Query/SigningInfo" -> {
                value = signingInfo(s, data);
                if (value == null) {
                    // the SDK's codes.NotFound for an address with no signing info
                    response.put("code", 22).put("codespace", "sdk")
                            .put("log", "rpc error: code = NotFound desc = SigningInfo not found for validator: key not found");
                    value = new byte[0];
                }
            }
            default -> {
                response.put("code", 6).put("codespace", "sdk").put("log", "unknown query path: " + path);
                value = new byte[0];
            }
        }
        response.put("value", java.util.Base64.getEncoder().encodeToString(value));
        response.putNull("proofOps");
        response.put("height", Long.toString(s.height()));
        if (!response.has("codespace")) {
            response.put("codespace", "");
        }
        return wrap(result);
    }

    /**
     * {@code QuerySigningInfoResponse{ValidatorSigningInfo{address = 1, start_height = 2, index_offset = 3,
     * Timestamp jailed_until = 4, tombstoned = 5, missed_blocks_counter = 6}}} for this node's validator
     * ({@code QuerySigningInfoRequest{cons_address = 1}} in gonkavalcons form); null for any other address.
     */
    static byte[] signingInfo(SimState s, byte[] request) {
        String own = s.nodeConsensusPubkey() == null ? "" : FakeKeys.valconsAddress(FakeKeys.consensusAddressHex(s.nodeConsensusPubkey()));
        String asked = request.length > 2 && request[0] == 0x0a
                ? new String(request, 2, Math.min(request[1] & 0x7f, request.length - 2), java.nio.charset.StandardCharsets.UTF_8) : "";
        if (own.isEmpty() || !own.equals(asked)) {
            return null;
        }
        java.time.Instant until = s.validatorTombstoned() ? java.time.Instant.parse("9999-12-31T23:59:59Z") : s.validatorJailedUntil();
        ProtoWriter jailedUntil = until == null ? new ProtoWriter()
                : new ProtoWriter().varint(1, until.getEpochSecond()).varint(2, until.getNano());
        ProtoWriter info = new ProtoWriter().string(1, own).varint(2, 120).varint(3, Math.max(0, s.height() - 120))
                .message(4, jailedUntil)
                .varint(5, s.validatorTombstoned() ? 1 : 0)
                .varint(6, s.validatorSigning() ? 0 : 50);
        return new ProtoWriter().message(1, info).bytes();
    }

    private static int indexOf(String name) {
        for (int i = 0; i < UPGRADES.length; i++) {
            if (UPGRADES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** An upgrade counts as applied when the binary is that release or newer (a commit-hash build: all of them). */
    static boolean applied(String appVersion, String upgrade) {
        int i = indexOf(upgrade);
        if (i < 0) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)").matcher(appVersion);
        if (!m.find()) {
            return true;
        }
        int[] have = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        int[] want = {0, 2, Integer.parseInt(upgrade.substring("v0.2.".length()))};
        for (int k = 0; k < 3; k++) {
            if (have[k] != want[k]) {
                return have[k] > want[k];
            }
        }
        return true;
    }

    /**
     * {@code QueryParamsResponse{Params params = 1}} with the fields the exporter reads and a few it
     * must skip: epoch_params (1), validation_params (2; binom_test_p0 = 24 from v0.2.6 on),
     * collateral_params (5).
     */
    static byte[] paramsProto(SimState s) {
        SimEpochParams e = s.epochParams();
        ProtoWriter validation = new ProtoWriter()
                .message(1, ProtoWriter.decimal(5, -2))
                .varint(6, 20)
                .message(19, ProtoWriter.decimal(98, -2));
        if (applied(s.chainAppVersion(), "v0.2.6")) {
            validation.message(24, ProtoWriter.decimal(s.binomTestP0Value(), s.binomTestP0Exponent()));
        }
        ProtoWriter collateral = new ProtoWriter()
                .message(1, ProtoWriter.decimal(2, -1))
                .message(2, ProtoWriter.decimal(1, -1))
                .message(3, ProtoWriter.decimal(5, -2))
                .varint(4, 180)
                .message(5, ProtoWriter.decimal(2, -1))
                .message(6, ProtoWriter.decimal(42, -1));
        ProtoWriter params = new ProtoWriter()
                .message(1, new ProtoWriter().varint(1, e.epochLength()).varint(3, e.epochShift()))
                .message(2, validation)
                .message(5, collateral);
        return new ProtoWriter().message(1, params).bytes();
    }

    /**
     * {@code /commit?height=}: the commit of that block, one signature per validator of the set (by
     * voting power); this node's validator is ABSENT (flag 1) while it does not sign. A height above
     * the chain's is an RPC error as in CometBFT.
     */
    static ObjectNode commit(SimState s, long height) {
        if (height < 1 || height > s.height()) {
            return error("height " + height + " must be less than or equal to the current blockchain height " + s.height());
        }
        String own = s.nodeConsensusPubkey() == null ? "" : FakeKeys.consensusAddressHex(s.nodeConsensusPubkey());
        ObjectNode result = Json.obj();
        ObjectNode header = result.putObject("signed_header").putObject("header");
        header.put("chain_id", "gonka-mainnet").put("height", Long.toString(height));
        header.put("time", s.latestBlockTime().minusMillis((long) ((s.height() - height) * SimState.EXPECTED_BLOCK_SECONDS * 1000)).toString());
        ObjectNode commit = ((ObjectNode) result.get("signed_header")).putObject("commit");
        commit.put("height", Long.toString(height)).put("round", 0);
        commit.putObject("block_id").put("hash", FakeKeys.hashHex("block:" + height));
        ArrayNode sigs = commit.putArray("signatures");
        s.participantsLive().values().stream()
                .filter(p -> p.weight() > 0 && !p.consensusAddress().isEmpty())
                .sorted(SimParticipant.BY_VOTING_POWER)
                .forEach(p -> {
                    boolean absent = p.consensusAddress().equals(own) && !s.validatorSigning();
                    ObjectNode sig = sigs.addObject();
                    if (absent) {
                        sig.put("block_id_flag", 1).put("validator_address", "").put("timestamp", "0001-01-01T00:00:00Z").putNull("signature");
                    } else {
                        sig.put("block_id_flag", 2).put("validator_address", p.consensusAddress())
                                .put("timestamp", header.get("time").asText())
                                .put("signature", java.util.Base64.getEncoder().encodeToString(FakeKeys.hashHex("sig:" + height + p.consensusAddress()).getBytes()));
                    }
                });
        result.put("canonical", height < s.height());
        return wrap(result);
    }

    /** {@code /validators?page=&per_page=}: 30 per page by default, 100 at most, as CometBFT pages. */
    static ObjectNode validators(SimState s, int page, int perPage) {
        List<SimParticipant> all = s.participantsLive().values().stream()
                .filter(p -> p.weight() > 0 && !p.consensusAddress().isEmpty())
                .sorted(SimParticipant.BY_VOTING_POWER)
                .toList();
        int size = Math.max(1, Math.min(100, perPage));
        int from = Math.max(0, (page - 1) * size);
        ObjectNode result = Json.obj();
        result.put("block_height", Long.toString(s.height()));
        ArrayNode list = result.putArray("validators");
        for (SimParticipant p : all.subList(Math.min(from, all.size()), Math.min(from + size, all.size()))) {
            ObjectNode v = list.addObject().put("address", p.consensusAddress());
            v.putObject("pub_key").put("type", "tendermint/PubKeyEd25519").put("value", p.validatorKey());
            v.put("voting_power", Long.toString(p.weight()));
            v.put("proposer_priority", Long.toString(p.proposerPriority()));
        }
        result.put("count", Integer.toString(list.size()));
        result.put("total", Integer.toString(all.size()));
        return wrap(result);
    }
}
