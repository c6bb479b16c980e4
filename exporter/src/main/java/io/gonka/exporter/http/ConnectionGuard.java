package io.gonka.exporter.http;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits what idle or slow clients can hold: at most {@code gonka.max-connections} open connections
 * (past that a new one is closed at once), and a request must arrive whole within
 * {@code gonka.request-deadline} of its first byte, so a client dripping a header a byte at a time
 * (which resets any idle timer) still loses its connection. Idle keep-alive connections are closed
 * by the server's own {@code micronaut.server.idle-timeout} (application.properties).
 */
@Singleton
public class ConnectionGuard implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final int maxConnections;
    private final long deadlineNanos;
    private final AtomicInteger open = new AtomicInteger();
    private volatile long lastRefusalLog = System.nanoTime() - LOG_EVERY_NANOS;

    public ConnectionGuard(@Value("${gonka.max-connections:128}") int maxConnections,
            @Value("${gonka.request-deadline:10s}") Duration requestDeadline) {
        this.maxConnections = maxConnections;
        this.deadlineNanos = requestDeadline.toNanos();
    }

    public int openConnections() {
        return open.get();
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
                return role == ChannelRole.CONNECTION ? new ForConnection(channel) : this;
            }
        });
        return event.getBean();
    }

    private final class ForConnection implements NettyServerCustomizer {
        private final Channel channel;

        ForConnection(Channel channel) {
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel c, ChannelRole role) {
            return this;
        }

        @Override
        public void onInitialPipelineBuilt() {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                long now = System.nanoTime();
                if (now - lastRefusalLog >= LOG_EVERY_NANOS) {
                    lastRefusalLog = now;
                    LOG.warn("more than {} connections open (gonka.max-connections): closing new ones", maxConnections);
                }
                channel.close();
                return;
            }
            channel.closeFuture().addListener(f -> open.decrementAndGet());
            channel.pipeline().addFirst("gonka-request-deadline", new RequestDeadline(deadlineNanos));
        }
    }

    /** Closes the connection when bytes came in but nothing went out for longer than the deadline. */
    static final class RequestDeadline extends ChannelDuplexHandler {
        private final long deadlineNanos;
        private ScheduledFuture<?> pending;

        RequestDeadline(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (pending == null) {
                pending = ctx.executor().schedule(() -> {
                    ctx.close();
                }, deadlineNanos, TimeUnit.NANOSECONDS);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            disarm(); // the server is answering: the request arrived whole
            super.write(ctx, msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            disarm();
            super.channelInactive(ctx);
        }

        private void disarm() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
        }
    }
}
