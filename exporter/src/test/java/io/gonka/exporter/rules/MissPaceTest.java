package io.gonka.exporter.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The miss pace over a window of blocks and the end-of-epoch projection built on it. */
class MissPaceTest {
    private static final MissTest.Params GOV_010 = new MissTest.Params(Optional.of(new BigDecimal("0.10")), Optional.empty(), Optional.empty());

    @Test
    void paceNeedsEnoughBlocksAndRestartsWithTheCounters() {
        MissPace pace = new MissPace(660, 100);
        pace.observe(1000, 100, 10);
        pace.observe(1050, 150, 15);
        assertTrue(pace.rate().isEmpty(), "50 blocks are too few");
        pace.observe(1100, 200, 22);
        MissPace.Rate r = pace.rate().orElseThrow();
        assertEquals(1.0, r.requestsPerBlock(), 1e-12);
        assertEquals(0.12, r.missesPerBlock(), 1e-12);
        assertEquals(100, r.blocks());
        // a new epoch: the counters go back, the old pace is dropped
        pace.observe(1200, 5, 0);
        assertTrue(pace.rate().isEmpty());
        pace.observe(1350, 155, 3);
        assertEquals(1.0, pace.rate().orElseThrow().requestsPerBlock(), 1e-12);
    }

    @Test
    void windowKeepsTheLastHourOfBlocks() {
        MissPace pace = new MissPace(660, 100);
        // 10 misses per 100 blocks for the first 1000 blocks, then none
        long missed = 0;
        for (long h = 0; h <= 2000; h += 100) {
            pace.observe(h, h, missed);
            if (h < 1000) {
                missed += 10;
            }
        }
        MissPace.Rate r = pace.rate().orElseThrow();
        assertTrue(r.blocks() >= 660 && r.blocks() < 760, "about one window: " + r.blocks());
        assertEquals(0, r.missesPerBlock(), 1e-12, "the early misses left the window");
        // the same height twice keeps the newest counters
        pace.observe(2000, 2000, 101);
        assertEquals(1.0 / r.blocks(), pace.rate().orElseThrow().missesPerBlock(), 1e-12);
    }

    @Test
    void projectionAppliesTheChainsTestAtTheProjectedN() {
        MissTestVerdict now = MissTest.evaluate(MissRule.DYNAMIC_P0, 200, 20, GOV_010, Optional.empty()).orElseThrow();
        assertEquals(26, now.allowedMisses());
        // 800 more blocks at 1 request and 0.1 miss per block: n = 1000, 100 missed, 100 allowed -> passes
        MissTestVerdict ok = MissPace.project(now, new MissPace.Rate(1, 0.1, 300), 800, GOV_010).orElseThrow();
        assertEquals(1000, ok.requests());
        assertEquals(100, ok.missed());
        assertEquals(100, ok.allowedMisses());
        assertFalse(ok.failing());
        // 0.12 per block: 116 missed -> fails by the end although it passes now
        MissTestVerdict bad = MissPace.project(now, new MissPace.Rate(1, 0.12, 300), 800, GOV_010).orElseThrow();
        assertEquals(116, bad.missed());
        assertTrue(bad.failing());
        assertFalse(now.failing());
        // v0.2.0: the collateral threshold at the projected n
        MissTest.Params threshold = new MissTest.Params(Optional.empty(), Optional.of(new BigDecimal("0.05")), Optional.empty());
        MissTestVerdict old = MissTest.evaluate(MissRule.COLLATERAL_THRESHOLD, 100, 4, threshold, Optional.empty()).orElseThrow();
        MissTestVerdict oldEnd = MissPace.project(old, new MissPace.Rate(1, 0.06, 300), 100, threshold).orElseThrow();
        assertEquals(200, oldEnd.requests());
        assertEquals(10, oldEnd.missed());
        assertEquals(10, oldEnd.allowedMisses());
        assertFalse(oldEnd.failing());
        assertTrue(MissPace.project(old, new MissPace.Rate(1, 0.07, 300), 100, threshold).orElseThrow().failing());
        assertTrue(MissPace.project(now, new MissPace.Rate(1, 0.1, 300), -1, GOV_010).isEmpty());
    }
}
