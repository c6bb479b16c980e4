package io.gonka.exporter.metrics;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a render on one background thread when asked, coalescing requests that arrive while one is
 * pending: a burst of finished polls costs one render, and never a poller's or scraper's time.
 */
public final class Prerenderer implements AutoCloseable {
    private final Runnable render;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gonka-render");
        t.setDaemon(true);
        return t;
    });

    public Prerenderer(Runnable render) {
        this.render = render;
    }

    public void request() {
        if (pending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    pending.set(false);
                    render.run();
                });
            } catch (RejectedExecutionException e) {
                pending.set(false); // shutting down
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
