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
