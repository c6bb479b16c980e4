package io.gonka.exporter.sources;

import io.gonka.exporter.polling.Source;
import io.gonka.exporter.upstream.UpstreamBody;
import io.gonka.exporter.upstream.UpstreamClient;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** A source that is one GET and one parser: most upstreams. */
abstract class SingleRequestSource<T> implements Source<T> {
    private final String name;
    private final UpstreamClient client;
    private final String url;
    private final Duration interval;
    private final boolean optional;

    /** @param optional a 404 means "this node does not have it" rather than a failure */
    SingleRequestSource(String name, UpstreamClient client, String url, Duration interval, boolean optional) {
        this.name = name;
        this.client = client;
        this.url = url;
        this.interval = interval;
        this.optional = optional;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Duration interval() {
        return interval;
    }

    public final String url() {
        return url;
    }

    @Override
    public final CompletionStage<T> poll() {
        return client.getOkBody(url, optional).thenApply(this::parse);
    }

    /** Most answers are small and become a tree; a large one is overridden to be read as a stream. */
    protected T parse(UpstreamBody body) {
        return parseBody(body.bytes());
    }

    protected abstract T parseBody(byte[] body);
}
