package io.gonka.exporter.model.gpu;

import java.util.List;

/** XID events seen since start, per GPU and XID code, with the last time each GPU had one. */
public record XidCounts(List<Count> counts) {
    public record Count(int gpu, String uuid, long xid, long events, double lastSeenEpochSeconds) {}

    public static final XidCounts NONE = new XidCounts(List.of());
}
