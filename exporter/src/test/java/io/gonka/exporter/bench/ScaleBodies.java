package io.gonka.exporter.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A participants answer shaped like the fixture (validators, addresses, proofs and a block
 * included), scaled to a network of N participants with M ML nodes each. Deterministic.
 */
public final class ScaleBodies {
    private ScaleBodies() {}

    public static byte[] participants(int n, int nodesEach) {
        Random r = new Random(42);
        StringBuilder b = new StringBuilder(n * 900);
        b.append("{\"active_participants\":{\"participants\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            String addr = String.format("gonka1%038d", i);
            long weight = 1000 + r.nextInt(300_000);
            b.append("{\"index\":\"").append(addr).append("\",\"validator_key\":\"").append(hex(r, 44))
                    .append("\",\"weight\":").append(weight)
                    .append(",\"inference_url\":\"http://198.51.100.").append(i % 250).append(":8000\"")
                    .append(",\"models\":[\"Qwen/Qwen3-235B-A22B-Instruct-2507-FP8\"]")
                    .append(",\"seed\":{\"participant\":\"").append(addr).append("\",\"epoch_index\":268,\"signature\":\"")
                    .append(hex(r, 128)).append("\"},\"ml_nodes\":[{\"ml_nodes\":[");
            for (int k = 0; k < nodesEach; k++) {
                if (k > 0) {
                    b.append(',');
                }
                b.append("{\"node_id\":\"node").append(k + 1).append("\",\"poc_weight\":").append(weight / nodesEach)
                        .append(",\"timeslot_allocation\":[true,").append(k % 2 == 0).append("]}");
            }
            b.append("]}]}");
        }
        b.append("],\"epoch_group_id\":268,\"poc_start_block_height\":4136500,\"effective_block_height\":4137165,")
                .append("\"created_at_block_height\":4137045,\"epoch_id\":268},\"addresses\":[");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append('"').append(hex(r, 40).toUpperCase()).append('"');
        }
        b.append("],\"active_participants_bytes\":\"").append(hex(r, 4096)).append("\",\"validators\":[");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append("{\"address\":\"").append(hex(r, 40).toUpperCase()).append("\",\"pub_key\":\"")
                    .append(hex(r, 44)).append("\",\"voting_power\":").append(r.nextInt(300_000))
                    .append(",\"proposer_priority\":").append(r.nextInt(400_000) - 200_000).append('}');
        }
        b.append("],\"block\":{\"header\":{\"chain_id\":\"gonka-mainnet\",\"height\":4137046}},\"excluded_participants\":[]}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(Random r, int len) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = "0123456789abcdef".charAt(r.nextInt(16));
        }
        return new String(c);
    }
}
