package io.gonka.exporter.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.filter.FilterContinuation;
import reactor.core.publisher.Mono;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Basic auth from {@code basic_auth_users} of the web config, on every endpoint but the probes.
 * The filter itself only looks things up: bcrypt runs in {@link PasswordCheck}'s own pool, and the
 * answer comes back as a future, so a flood of wrong passwords never holds a server thread.
 */
@ServerFilter("/**")
public class BasicAuthFilter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthFilter.class);
    /** Container and kubelet probes carry no credentials; they reveal only UP/DOWN. */
    private static final Set<String> PROBES = Set.of("/health/liveness", "/health/readiness");
    private static final long THROTTLE_LOG_EVERY_NANOS = 60_000_000_000L;

    private final PasswordCheck passwords;
    private volatile long lastThrottleLog = System.nanoTime() - THROTTLE_LOG_EVERY_NANOS;

    public BasicAuthFilter(WebSecurity security) {
        Map<String, String> users = security.config().map(WebConfig::basicAuthUsers).orElse(Map.of());
        this.passwords = users.isEmpty() ? null : new PasswordCheck(users);
    }

    /** bcrypt runs so far (0 without basic auth). */
    public long bcryptRuns() {
        return passwords == null ? 0 : passwords.bcryptRuns();
    }

    @RequestFilter
    public Publisher<MutableHttpResponse<?>> check(HttpRequest<?> request, FilterContinuation<Publisher<MutableHttpResponse<?>>> chain) {
        if (passwords == null || PROBES.contains(request.getPath())) {
            return chain.proceed();
        }
        InetSocketAddress remote = request.getRemoteAddress();
        String client = remote == null || remote.getAddress() == null ? "" : remote.getAddress().getHostAddress();
        CompletableFuture<PasswordCheck.Outcome> outcome = passwords.check(request.getHeaders().get("Authorization"), client);
        if (outcome.isDone()) { // remembered or malformed: answered right here, no thread hop
            return answer(outcome.join(), client, chain);
        }
        return Mono.fromFuture(outcome).flatMap(o -> Mono.from(answer(o, client, chain)));
    }

    private Publisher<MutableHttpResponse<?>> answer(PasswordCheck.Outcome outcome, String client,
            FilterContinuation<Publisher<MutableHttpResponse<?>>> chain) {
        return switch (outcome) {
            case ACCEPTED -> chain.proceed();
            case REJECTED -> Mono.just(HttpResponse.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"gonka-exporter\""));
            case THROTTLED -> {
                long now = System.nanoTime();
                if (now - lastThrottleLog >= THROTTLE_LOG_EVERY_NANOS) { // one line a minute, not one per attempt
                    lastThrottleLog = now;
                    LOG.warn("basic auth: too many password checks (client {}); answering 429 for a while", client);
                }
                yield Mono.just(HttpResponse.status(HttpStatus.TOO_MANY_REQUESTS).header("Retry-After", "1"));
            }
        };
    }

    @Override
    public void close() {
        if (passwords != null) {
            passwords.close();
        }
    }
}
