package io.gonka.exporter.polling;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * One upstream: fetch, parse into an immutable snapshot, done. The scheduler calls {@link #poll()}
 * at most once per {@link #interval()} and never while a previous poll is still running.
 *
 * <p>A poll completes exceptionally with {@link SourceException} (counted as an error),
 * {@link UnsupportedUpstreamException} (the node lacks this endpoint) or {@link NotReadyException}
 * (a dependency is missing); anything else is treated as a parse error.
 */
public interface Source<T> {
    String name();

    Duration interval();

    /** How old the last good snapshot may get before it stops being exported. */
    default Duration maxAge() {
        return interval().multipliedBy(3);
    }

    CompletionStage<T> poll();
}
