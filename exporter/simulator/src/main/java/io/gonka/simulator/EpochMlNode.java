package io.gonka.simulator;

import java.util.List;

/**
 * A remote participant's ML node as listed in the epoch participants response
 * ({@code ml_nodes[i].ml_nodes[j]}, chain type {@code MLNodeInfo}).
 */
public record EpochMlNode(String nodeId, long pocWeight, long throughput, List<Boolean> timeslotAllocation) {
    public EpochMlNode {
        timeslotAllocation = timeslotAllocation == null ? List.of() : List.copyOf(timeslotAllocation);
    }
}
