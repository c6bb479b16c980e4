package io.gonka.exporter.rules;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The participant's request and miss pace per block over a sliding window of observations
 * (block height, n, missed), restarted when the counters go back (a new epoch). Fed with what the
 * pollers already fetched; it asks nothing of the node.
 */
public final class MissPace {
    /** Pace per block, measured over {@code blocks} blocks. */
    public record Rate(double requestsPerBlock, double missesPerBlock, long blocks) {}

    private record Observation(long height, long requests, long missed) {}

    private final long windowBlocks;
    private final long minBlocks;
    private final Deque<Observation> window = new ArrayDeque<>();

    /**
     * @param windowBlocks how far back the pace looks
     * @param minBlocks    the least span that gives a pace (shorter: none)
     */
    public MissPace(long windowBlocks, long minBlocks) {
        this.windowBlocks = windowBlocks;
        this.minBlocks = minBlocks;
    }

    public synchronized void observe(long height, long requests, long missed) {
        Observation last = window.peekLast();
        if (last != null && (requests < last.requests() || missed < last.missed() || height < last.height())) {
            window.clear(); // counters reset: a new epoch (or another node) - old pace means nothing
        }
        last = window.peekLast();
        if (last != null && last.height() == height) {
            window.pollLast();
        }
        window.addLast(new Observation(height, requests, missed));
        // drop the oldest while the next one still reaches back a full window
        while (window.size() > 2 && secondHeight() <= height - windowBlocks) {
            window.pollFirst();
        }
    }

    private long secondHeight() {
        var it = window.iterator();
        it.next();
        return it.next().height();
    }

    public synchronized Optional<Rate> rate() {
        if (window.size() < 2) {
            return Optional.empty();
        }
        Observation first = window.peekFirst();
        Observation last = window.peekLast();
        long blocks = last.height() - first.height();
        if (blocks < minBlocks) {
            return Optional.empty();
        }
        return Optional.of(new Rate((double) (last.requests() - first.requests()) / blocks,
                (double) (last.missed() - first.missed()) / blocks, blocks));
    }

    /**
     * The verdict at the end of the epoch if the pace holds for {@code blocksLeft} more blocks: the
     * same rule and p0 as now at the projected n and misses (p0 itself may move with the network).
     */
    public static Optional<MissTestVerdict> project(MissTestVerdict now, Rate rate, long blocksLeft, MissTest.Params params) {
        if (blocksLeft < 0) {
            return Optional.empty();
        }
        long moreRequests = Math.round(rate.requestsPerBlock() * blocksLeft);
        long moreMisses = Math.min(moreRequests, Math.round(rate.missesPerBlock() * blocksLeft));
        long n = now.requests() + moreRequests;
        long missed = now.missed() + moreMisses;
        if (now.punishmentSkipped()) {
            return Optional.of(new MissTestVerdict(now.rule(), n, missed, n, now.p0(), now.source(), true));
        }
        Optional<Long> allowed = now.rule() == MissRule.DYNAMIC_P0
                ? Optional.of(MissTest.allowedMisses(CriticalValueTables.CURRENT, n, now.p0()))
                : MissTest.evaluate(now.rule(), n, missed, params, Optional.empty()).map(MissTestVerdict::allowedMisses);
        return allowed.map(a -> new MissTestVerdict(now.rule(), n, missed, a, now.p0(), now.source(), false));
    }
}
