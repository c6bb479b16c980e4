package io.gonka.exporter.model;

import java.util.List;

/** One active participant of the current epoch and the PoC weight of each of its ML nodes. */
public record Participant(String address, double weight, String inferenceUrl, List<NodeWeight> nodes) {

    public record NodeWeight(String nodeId, String model, double pocWeight) {}
}
