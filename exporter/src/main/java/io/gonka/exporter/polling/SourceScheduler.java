package io.gonka.exporter.polling;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every source on its own interval. A source is never polled while its previous poll is
 * still running (an overrunning poll delays the next one instead of stacking requests), and a
 * poll that never completes is cut off by a guard so a source cannot freeze.
 */
public final class SourceScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceScheduler.class);

    private static final long NOT_READY_RETRY_MS = 1000;
    private final Map<Source<?>, Runner<?>> runners = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration guard;
    private volatile boolean stopped;
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
    private final List<Runnable> pollListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public SourceScheduler(Clock clock, Duration requestTimeout) {
        this.clock = clock;
        // Several sequential requests may make up one poll; past this, something is wrong.
        this.guard = requestTimeout.multipliedBy(4).plusSeconds(1);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gonka-poll-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds a source before {@link #start()}; returns it for chaining into fields. */
    public synchronized <T, S extends Source<T>> S register(S source) {
        runners.put(source, new Runner<T>(source));
        return source;
    }

    public void start() {
        for (Runner<?> r : runners.values()) {
            timer.execute(r::tick);
        }
        LOG.info("polling {} sources: {}", runners.size(), describe());
    }

    private String describe() {
        List<String> parts = new ArrayList<>();
        runners.keySet().forEach(s -> parts.add(s.name() + " every " + s.interval().toMillis() / 1000.0 + "s"));
        return String.join(", ", parts);
    }

    @SuppressWarnings("unchecked")
    public <T> SourceState<T> state(Source<T> source) {
        Runner<T> r = (Runner<T>) runners.get(source);
        if (r == null) {
            throw new IllegalArgumentException("unknown source " + source.name());
        }
        return r.state;
    }

    public List<SourceState<?>> states() {
        List<SourceState<?>> out = new ArrayList<>();
        runners.values().forEach(r -> out.add(r.state));
        return out;
    }

    /** Polls every source once now (or joins the poll already running); for tests and start-up. */
    public CompletableFuture<Void> pollAllOnce() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        runners.values().forEach(r -> all.add(r.runOnce()));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    public <T> CompletableFuture<Void> pollOnce(Source<T> source) {
        return runners.get(source).runOnce();
    }

    /** Counts finished polls: what a scrape shows can only change when this does (or time passes). */
    public long changes() {
        return changes.get();
    }

    /** Runs {@code listener} after every finished poll (on the thread that finished it: keep it short). */
    public void onPollFinished(Runnable listener) {
        pollListeners.add(listener);
    }

    /** True once every source has finished at least one poll, whatever its outcome. */
    public boolean allPolledOnce() {
        return runners.values().stream().allMatch(r -> r.state.attempts() > 0);
    }

    @Override
    public void close() {
        stopped = true;
        timer.shutdownNow();
    }

    private final class Runner<T> {
        final Source<T> source;
        final SourceState<T> state;
        final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
        volatile java.util.concurrent.ScheduledFuture<?> next;

        Runner(Source<T> source) {
            this.source = source;
            this.state = new SourceState<>(source.name(), source.maxAge(), clock);
        }

        void tick() {
            if (stopped) {
                return;
            }
            long started = System.nanoTime();
            runOnce().whenComplete((v, t) -> {
                long elapsedMs = (System.nanoTime() - started) / 1_000_000;
                long delay = Math.max(0, source.interval().toMillis() - elapsedMs);
                if (state.condition() == SourceState.Condition.NOT_READY) {
                    // waiting for another source (e.g. the ML node list): look again soon, not a whole interval later
                    delay = Math.min(delay, NOT_READY_RETRY_MS);
                }
                if (!stopped) {
                    try {
                        next = timer.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // shutting down
                    }
                }
            });
        }

        /** A source waiting for another one's data polls now instead of at its next retry. */
        void wakeIfWaiting() {
            java.util.concurrent.ScheduledFuture<?> n = next;
            // cancel succeeds only for a tick that has not started, so no second tick chain begins
            if (!stopped && state.condition() == SourceState.Condition.NOT_READY && n != null && n.cancel(false)) {
                try {
                    timer.execute(this::tick);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // shutting down
                }
            }
        }

        CompletableFuture<Void> runOnce() {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> running = inFlight.compareAndExchange(null, mine);
            if (running != null) {
                return running;
            }
            long started = System.nanoTime();
            CompletableFuture<T> poll;
            try {
                poll = source.poll().toCompletableFuture();
            } catch (RuntimeException e) {
                poll = CompletableFuture.failedFuture(e);
            }
            poll.orTimeout(guard.toMillis(), TimeUnit.MILLISECONDS).whenComplete((value, failure) -> {
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                try {
                    if (failure == null) {
                        state.recordSuccess(value, took);
                    } else if (failure instanceof java.util.concurrent.TimeoutException
                            || failure.getCause() instanceof java.util.concurrent.TimeoutException) {
                        state.recordFailure(new SourceException(FailureReason.TIMEOUT, "poll did not finish within " + guard.toMillis() + " ms"), took);
                    } else {
                        state.recordFailure(failure, took);
                    }
                } catch (RuntimeException e) {
                    LOG.error("source {}: recording the poll outcome failed", source.name(), e);
                } finally {
                    changes.incrementAndGet();
                    inFlight.set(null);
                    if (state.condition() == SourceState.Condition.OK) {
                        for (Runner<?> other : runners.values()) {
                            if (other != this) {
                                other.wakeIfWaiting();
                            }
                        }
                    }
                    for (Runnable l : pollListeners) {
                        try {
                            l.run();
                        } catch (RuntimeException e) {
                            LOG.error("poll listener failed", e);
                        }
                    }
                    mine.complete(null);
                }
            });
            return mine;
        }
    }
}
