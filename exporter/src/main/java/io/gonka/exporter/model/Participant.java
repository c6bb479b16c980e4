package io.gonka.exporter.model;

import java.util.List;

/**
 * One active participant of the current epoch and the PoC weight of each of its ML nodes.
 *
 * @param validatorKey base64 ed25519 consensus key ({@code validator_key}), "" when absent
 */
public record Participant(String address, double weight, String inferenceUrl, List<NodeWeight> nodes, String validatorKey) {

    public Participant(String address, double weight, String inferenceUrl, List<NodeWeight> nodes) {
        this(address, weight, inferenceUrl, nodes, "");
    }

    public record NodeWeight(String nodeId, String model, double pocWeight) {}
}
