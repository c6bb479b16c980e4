package io.gonka.exporter.polling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest outcome of one source: its last good snapshot and the health counters behind
 * {@code gonka_source_*}. Written by the poll that just finished, read by scrapes; every field is
 * published through volatile writes so a scrape never blocks.
 */
public final class SourceState<T> {
    private static final Logger LOG = LoggerFactory.getLogger(SourceState.class);

    /** What happened at the last poll, for logging one line per change rather than per poll. */
    public enum Condition { NEVER_POLLED, OK, FAILING, UNSUPPORTED, NOT_READY }

    public record Good<T>(T value, Instant at) {}

    private final String name;
    private final Duration maxAge;
    private final Clock clock;
    private final Map<FailureReason, AtomicLong> errors = new EnumMap<>(FailureReason.class);

    private volatile Good<T> lastGood;
    private volatile double lastDurationSeconds = Double.NaN;
    private volatile Condition condition = Condition.NEVER_POLLED;
    private volatile String lastProblem = "";
    private volatile long attempts;

    public SourceState(String name, Duration maxAge, Clock clock) {
        this.name = name;
        this.maxAge = maxAge;
        this.clock = clock;
        for (FailureReason r : FailureReason.values()) {
            errors.put(r, new AtomicLong());
        }
    }

    public String name() {
        return name;
    }

    public void recordSuccess(T value, Duration took) {
        Good<T> previous = lastGood;
        // An answer equal to the last one keeps the object already held: the new copy dies young
        // instead of being promoted, and everything derived from the old one stays valid.
        T kept = previous != null && previous.value() != value && java.util.Objects.equals(previous.value(), value) ? previous.value() : value;
        lastGood = new Good<>(kept, clock.instant());
        lastDurationSeconds = took.toNanos() / 1e9;
        attempts++;
        if (condition != Condition.OK) {
            if (condition == Condition.NEVER_POLLED) {
                LOG.info("source {}: first successful poll in {} ms", name, took.toMillis());
            } else {
                LOG.info("source {}: recovered ({} ms)", name, took.toMillis());
            }
        }
        condition = Condition.OK;
        lastProblem = "";
    }

    public void recordFailure(Throwable failure, Duration took) {
        lastDurationSeconds = took.toNanos() / 1e9;
        attempts++;
        Throwable t = unwrap(failure);
        if (t instanceof UnsupportedUpstreamException u) {
            changeCondition(Condition.UNSUPPORTED, u.getMessage(), false);
            // An unsupported optional endpoint carries no data, not even stale data.
            lastGood = null;
            return;
        }
        if (t instanceof NotReadyException n) {
            changeCondition(Condition.NOT_READY, n.getMessage(), false);
            return;
        }
        FailureReason reason = t instanceof SourceException se ? se.reason() : FailureReason.PARSE;
        String message = t instanceof SourceException ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
        errors.get(reason).incrementAndGet();
        changeCondition(Condition.FAILING, reason.label() + ": " + message, true);
    }

    private void changeCondition(Condition next, String problem, boolean warn) {
        // One line per change of condition or of the kind of problem, not one per poll.
        String key = next + "|" + problem;
        if (!key.equals(condition + "|" + lastProblem)) {
            switch (next) {
                case UNSUPPORTED -> LOG.info("source {}: not supported by this node ({}); carrying on without it", name, problem);
                case NOT_READY -> LOG.info("source {}: waiting: {}", name, problem);
                default -> {
                    if (warn) {
                        LOG.warn("source {}: poll failed: {}", name, problem);
                    }
                }
            }
        }
        condition = next;
        lastProblem = problem;
    }

    /** The failure itself, out of the CompletionException/ExecutionException wrappers of futures. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The last good snapshot if it is not older than the max age. */
    public Optional<T> fresh() {
        Good<T> g = lastGood;
        return isFresh(g) ? Optional.of(g.value()) : Optional.empty();
    }

    /** The last good snapshot, fresh or not (null before the first success): one read for callers that cache by it. */
    public Good<T> last() {
        return lastGood;
    }

    /** Whether {@code g} (from {@link #last()}) is within the max age now. */
    public boolean isFresh(Good<T> g) {
        return g != null && Duration.between(g.at(), clock.instant()).compareTo(maxAge) <= 0;
    }

    public boolean up() {
        return condition == Condition.OK && fresh().isPresent();
    }

    public Condition condition() {
        return condition;
    }

    public boolean unsupported() {
        return condition == Condition.UNSUPPORTED;
    }

    public Optional<Instant> lastSuccess() {
        Good<T> g = lastGood;
        return g == null ? Optional.empty() : Optional.of(g.at());
    }

    public double lastDurationSeconds() {
        return lastDurationSeconds;
    }

    public long errors(FailureReason reason) {
        return errors.get(reason).get();
    }

    public long attempts() {
        return attempts;
    }

    public String lastProblem() {
        return lastProblem;
    }
}
