package io.gonka.exporter.polling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceStateTest {
    record Snapshot(long height, List<String> names) {}

    @Test
    void anAnswerEqualToTheLastKeepsTheHeldObjectButIsFreshAgain() {
        Instant t0 = Instant.parse("2026-11-30T12:00:00Z");
        Clock[] clock = {Clock.fixed(t0, ZoneOffset.UTC)};
        SourceState<Snapshot> state = new SourceState<>("s", Duration.ofSeconds(30), new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return clock[0].instant(); }
        });
        Snapshot first = new Snapshot(7, List.of("a", "b"));
        state.recordSuccess(first, Duration.ofMillis(5));

        clock[0] = Clock.fixed(t0.plusSeconds(20), ZoneOffset.UTC);
        state.recordSuccess(new Snapshot(7, List.of("a", "b")), Duration.ofMillis(5));
        assertSame(first, state.last().value(), "equal content: the object already held");
        assertEquals(t0.plusSeconds(20), state.last().at(), "and the success is the new one");

        clock[0] = Clock.fixed(t0.plusSeconds(45), ZoneOffset.UTC);
        assertTrue(state.fresh().isPresent(), "fresh from the second poll, not aged from the first");

        Snapshot changed = new Snapshot(8, List.of("a", "b"));
        state.recordSuccess(changed, Duration.ofMillis(5));
        assertSame(changed, state.last().value());
        assertNotSame(first, state.last().value());
    }
}
