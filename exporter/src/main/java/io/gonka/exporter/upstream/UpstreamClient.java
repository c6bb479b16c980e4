package io.gonka.exporter.upstream;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.UnsupportedUpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The only way the exporter talks to upstreams: GET over a pooled Vert.x Web Client, with a hard
 * deadline per request (a slow drip cannot keep a poll alive), a body size cap (enforced while
 * streaming, so an oversized body is never held in memory) and failures classified into
 * {@link FailureReason}s.
 *
 * <p>Connections are kept between polls ({@link #KEEP_ALIVE_SECONDS}): a new TCP (and for ML nodes
 * behind a proxy, TLS) connection for every poll cost the event loop a third of its time. An
 * upstream may close an idle connection just as the next poll reuses it; such a request, refused
 * before any answer came, is sent once more on a new connection (the requests are idempotent GETs;
 * a fresh connection that fails is a real failure and is not retried).
 */
public final class UpstreamClient implements AutoCloseable {
    /** Longer than the slowest default poll interval (60 s), like nginx's keepalive_timeout. */
    static final int KEEP_ALIVE_SECONDS = 75;
    /** Stale kept-alive connections one request may run into (several closed at the same moment). */
    private static final int MAX_STALE_RETRIES = 3;
    private final Vertx vertx;
    private final WebClient client;
    private final Duration timeout;
    private final long maxBodyBytes;
    private final Map<HttpRequest<?>, CappedBody> inFlight = new ConcurrentHashMap<>();
    /**
     * Bytes of all bodies being received at once. The per-body cap alone would let several
     * oversized answers arriving together (a hostile or broken node) fill the heap; their sum is
     * held to one and a half caps, so one full-size answer always fits.
     */
    private final java.util.concurrent.atomic.AtomicLong bufferedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final long totalBudget;

    private final int maxConnectionsPerHost;
    /** Connections that have carried a request: a request on one of these is on a reused connection. */
    private final Set<HttpConnection> usedConnections = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    public UpstreamClient(Vertx vertx, Duration timeout, long maxBodyBytes, int maxConnectionsPerHost) {
        this(vertx, timeout, maxBodyBytes, maxConnectionsPerHost, java.util.Optional.empty());
    }

    public UpstreamClient(Vertx vertx, Duration timeout, long maxBodyBytes, int maxConnectionsPerHost,
                          java.util.Optional<MlNodeTls> tls) {
        this.vertx = vertx;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
        this.totalBudget = maxBodyBytes + maxBodyBytes / 2;
        WebClientOptions options = new WebClientOptions()
                .setUserAgent("gonka-exporter")
                .setConnectTimeout((int) Math.max(1, timeout.toMillis()))
                .setIdleTimeout(KEEP_ALIVE_SECONDS)
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setFollowRedirects(false)
                .setDecompressionSupported(true)
                .setTrustAll(false);
        tls.ifPresent(t -> {
            if (!t.certPath().isEmpty()) {
                options.setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(t.certPath()).setKeyPath(t.keyPath()));
            }
            if (!t.trustPath().isEmpty()) {
                options.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(t.trustPath()));
                // The trusted certificate is pinned (self-signed, one per ML node proxy): it names no host to check.
                options.setVerifyHost(false);
            }
        });
        // Per-host pool: bounded, with a bounded wait queue so a dead upstream cannot pile up requests.
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost).setMaxWaitQueueSize(256);
        this.client = WebClient.create(vertx, options, pool);
        // The Web Client gives no handle on a request in flight; this interceptor hands each
        // request's connection-level HttpClientRequest to its body, so that a deadline or an
        // oversized body can reset it. Without that, a slow-dripping upstream would keep its
        // connection after the poll gave up and starve the other sources on the same host.
        ((WebClientInternal) client).addInterceptor(ctx -> {
            if (ctx.phase() == ClientPhase.SEND_REQUEST || ctx.phase() == ClientPhase.RECEIVE_RESPONSE) {
                CappedBody body = inFlight.get(ctx.request());
                if (body != null && ctx.clientRequest() != null) {
                    body.attach(ctx.clientRequest());
                    if (ctx.phase() == ClientPhase.SEND_REQUEST) {
                        body.reusedConnection = !usedConnections.add(ctx.clientRequest().connection());
                        // the head of an answer arrived: a close after that is a cut-off answer
                        ctx.clientRequest().response().onSuccess(r -> body.answered = true);
                    }
                }
            }
            ctx.next();
        });
    }

    public Duration timeout() {
        return timeout;
    }

    /** This client, or a new one on the same Vert.x with the ML nodes' TLS material (close it separately). */
    public UpstreamClient withTls(java.util.Optional<MlNodeTls> tls) {
        return tls.isEmpty() ? this : new UpstreamClient(vertx, timeout, maxBodyBytes, maxConnectionsPerHost, tls);
    }

    /** GET {@code url}; completes with the response whatever its status, or fails with {@link SourceException}. */
    public CompletableFuture<UpstreamResponse> get(String rawUrl) {
        return fetch(rawUrl).thenApply(a -> new UpstreamResponse(a.url(), a.status(), a.body().bytes()));
    }

    /** A complete answer as received: status and the body's chunks. */
    private record Answer(String url, int status, UpstreamBody body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private CompletableFuture<Answer> fetch(String rawUrl) {
        // user:pass@ in a URL becomes a Basic header; messages only ever show the redacted URL
        UrlCredentials target = UrlCredentials.of(rawUrl);
        String url = target.redacted();
        CompletableFuture<Answer> result = new CompletableFuture<>();
        long deadlineMs = Math.max(1, timeout.toMillis());
        AtomicReference<CappedBody> current = new AtomicReference<>();
        // one deadline for the request, retries included
        long timer = vertx.setTimer(deadlineMs, id -> {
            SourceException e = new SourceException(FailureReason.TIMEOUT,
                    "no complete answer from " + url + " within " + deadlineMs + " ms");
            CappedBody body = current.get();
            if (body != null) {
                body.abort(e); // fails the codec, which resets the connection
            }
            result.completeExceptionally(e);
        });
        send(target, deadlineMs, timer, current, result, MAX_STALE_RETRIES);
        return result;
    }

    private void send(UrlCredentials target, long deadlineMs, long timer, AtomicReference<CappedBody> current,
                      CompletableFuture<Answer> result, int retriesLeft) {
        String url = target.redacted();
        CappedBody body = new CappedBody(maxBodyBytes, bufferedBytes, totalBudget);
        current.set(body);
        try {
            HttpRequest<Void> request = client.requestAbs(HttpMethod.GET, target.url()).timeout(deadlineMs).as(body.codec());
            if (target.authorization() != null) {
                request.putHeader("Authorization", target.authorization());
            }
            inFlight.put(request, body);
            request.send()
                    .onComplete(ar -> {
                        inFlight.remove(request);
                        if (ar.succeeded()) {
                            vertx.cancelTimer(timer);
                            result.complete(new Answer(url, ar.result().statusCode(), body.take()));
                        } else if (retriesLeft > 0 && !result.isDone() && body.closedBeforeAnswerOnReusedConnection(ar.cause())) {
                            send(target, deadlineMs, timer, current, result, retriesLeft - 1);
                        } else {
                            vertx.cancelTimer(timer);
                            // A deadline or the size cap reset the request: report why, not the reset.
                            Throwable why = body.cause() != null ? body.cause() : ar.cause();
                            result.completeExceptionally(classify(url, why));
                        }
                    });
        } catch (RuntimeException e) {
            vertx.cancelTimer(timer);
            result.completeExceptionally(new SourceException(FailureReason.CONNECT, "bad URL " + url + ": " + UrlCredentials.redact(e.getMessage())));
        }
    }

    /** GET that only accepts 2xx; a 404 on an optional endpoint becomes {@link UnsupportedUpstreamException}. */
    public CompletableFuture<byte[]> getOk(String url, boolean optional) {
        return getOkBody(url, optional).thenApply(UpstreamBody::bytes);
    }

    /** {@link #getOk} with the body in the chunks it arrived in, for answers parsed as a stream. */
    public CompletableFuture<UpstreamBody> getOkBody(String url, boolean optional) {
        return fetch(url).thenApply(r -> {
            if (r.ok()) {
                return r.body();
            }
            if (optional && r.status() == 404) {
                throw new UnsupportedUpstreamException("HTTP 404 from " + r.url());
            }
            throw new SourceException(FailureReason.HTTP, "HTTP " + r.status() + " from " + r.url());
        });
    }

    static SourceException classify(String url, Throwable t) {
        if (t instanceof SourceException se) {
            return se;
        }
        String msg = UrlCredentials.redact(String.valueOf(t.getMessage()));
        if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException
                || t.getClass().getSimpleName().contains("Timeout") || msg.contains("timeout period")) {
            return new SourceException(FailureReason.TIMEOUT, "timed out on " + url + ": " + msg);
        }
        if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                || t instanceof ClosedChannelException || t.getCause() instanceof ConnectException
                || msg.contains("Connection refused") || msg.contains("Connection was closed") || msg.contains("Connection reset")) {
            return new SourceException(FailureReason.CONNECT, "cannot reach " + url + ": " + msg);
        }
        return new SourceException(FailureReason.CONNECT, "request to " + url + " failed: " + t.getClass().getSimpleName() + ": " + msg);
    }

    @Override
    public void close() {
        client.close();
    }

    /** Accumulates the body up to a cap; past it the stream fails and the request is abandoned. */
    private static final class CappedBody implements BodyStream<Void> {
        private final long cap;
        // Chunks as they arrive (Vert.x hands over its own copy of each), handed on as they are
        // (UpstreamBody): never the ever-doubling buffers of a ByteArrayOutputStream.
        private final java.util.List<Buffer> chunks = new java.util.ArrayList<>();
        private long size;
        private final Promise<Void> done = Promise.promise();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile HttpClientRequest request;
        private volatile Throwable cause;
        /** Set by the client's interceptor: the request went out on a kept-alive connection / an answer began. */
        volatile boolean reusedConnection;
        volatile boolean answered;

        private final java.util.concurrent.atomic.AtomicLong shared;
        private final long budget;

        CappedBody(long cap, java.util.concurrent.atomic.AtomicLong shared, long budget) {
            this.cap = cap;
            this.shared = shared;
            this.budget = budget;
        }

        /** Gives this body's bytes back to the shared budget (once). */
        private synchronized void release() {
            shared.addAndGet(-size);
            size = 0;
        }

        BodyCodec<Void> codec() {
            return () -> this;
        }

        /** Hands the received chunks over (the client's budget no longer counts them). */
        synchronized UpstreamBody take() {
            UpstreamBody body = new UpstreamBody(chunks, (int) size);
            chunks.clear();
            release();
            return body;
        }

        void attach(HttpClientRequest r) {
            request = r;
            if (finished.get() && done.future().failed()) {
                r.reset();
            }
        }

        /**
         * Whether {@code failure} is the upstream closing a kept-alive connection it had let idle,
         * just as this request reused it: no answer began, and it was not this client giving up.
         */
        boolean closedBeforeAnswerOnReusedConnection(Throwable failure) {
            return reusedConnection && !answered && cause == null
                    && (failure instanceof HttpClosedException
                        || failure instanceof ClosedChannelException
                        || (failure instanceof java.io.IOException && String.valueOf(failure.getMessage()).contains("reset")));
        }

        /** Gives up on the body and resets the request, which closes its connection. */
        Throwable cause() {
            return cause;
        }

        void abort(Throwable t) {
            if (finished.compareAndSet(false, true)) {
                cause = t;
                done.tryFail(t);
                synchronized (this) {
                    chunks.clear();
                    release();
                }
                HttpClientRequest r = request;
                if (r != null) {
                    r.reset();
                }
            }
        }

        @Override
        public Future<Void> result() {
            return done.future();
        }

        @Override
        public void handle(Throwable t) {
            abort(t);
        }

        @Override
        public synchronized Future<Void> write(Buffer data) {
            if (finished.get()) {
                return Future.failedFuture("body abandoned");
            }
            if (size + data.length() > cap) {
                SourceException e = new SourceException(FailureReason.PARSE, "body larger than " + cap + " bytes");
                abort(e);
                return Future.failedFuture(e);
            }
            if (shared.addAndGet(data.length()) > budget) {
                shared.addAndGet(-data.length());
                SourceException e = new SourceException(FailureReason.PARSE,
                        "answers being received at once exceed " + budget + " bytes together");
                abort(e);
                return Future.failedFuture(e);
            }
            chunks.add(data);
            size += data.length();
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            if (finished.compareAndSet(false, true)) {
                done.tryComplete();
            }
            return Future.succeededFuture();
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
            return this;
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
            return this;
        }
    }
}
