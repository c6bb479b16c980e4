package io.gonka.exporter.sources;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.SourceState;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.exporter.model.ChainStatus;
import io.gonka.exporter.model.ReferenceHeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Latest heights of other nodes (a configurable list), polled concurrently. Any subset may be down;
 * the poll fails only when none answered.
 */
public final class ReferenceHeightsSource implements Source<ReferenceHeights> {
    public static final String NAME = "reference_heights";

    private final UpstreamClient client;
    private final List<String> statusUrls;
    private final Duration interval;

    public ReferenceHeightsSource(UpstreamClient client, List<String> baseUrls, Duration interval) {
        this.client = client;
        this.statusUrls = baseUrls.stream().map(ReferenceHeightsSource::statusUrl).toList();
        this.interval = interval;
    }

    /**
     * A reference is a plain CometBFT RPC base ({@code http://host:26657}, {@code https://rpc.example}) and gets
     * {@code /status}; so does a public API's {@code .../chain-rpc} written out. A URL that already ends in
     * {@code /status} is used as is. Public proxies usually switch {@code /chain-rpc/} off ({@code 404 Chain API
     * Disabled}), so it is never assumed behind a bare public API URL.
     */
    static String statusUrl(String base) {
        String b = base.trim();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b.endsWith("/status") ? b : b + "/status";
    }

    public List<String> statusUrls() {
        return statusUrls;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public CompletionStage<ReferenceHeights> poll() {
        List<CompletableFuture<OptionalLong>> calls = new ArrayList<>();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        for (String url : statusUrls) {
            calls.add(client.getOk(url, false)
                    .thenApply(b -> {
                        ChainStatus s = RpcStatusSource.parse(b, NAME);
                        return s.catchingUp() ? OptionalLong.empty() : OptionalLong.of(s.height());
                    })
                    .exceptionally(t -> {
                        firstError.compareAndSet(null, t);
                        return OptionalLong.empty();
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            long max = -1;
            int answered = 0;
            for (CompletableFuture<OptionalLong> c : calls) {
                OptionalLong h = c.join();
                if (h.isPresent()) {
                    answered++;
                    max = Math.max(max, h.getAsLong());
                }
            }
            if (answered == 0) {
                Throwable cause = SourceState.unwrap(firstError.get());
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new SourceException(FailureReason.HTTP, "no reference node is synced");
            }
            return new ReferenceHeights(OptionalLong.of(max), answered, statusUrls.size());
        });
    }
}
