package io.gonka.exporter.http;

import io.gonka.exporter.polling.SourceScheduler;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/**
 * Ready once every source has been polled at least once, whatever the outcome: a node that is down
 * is reported through {@code gonka_source_up}, not by making the exporter unready.
 */
@Singleton
@Readiness
public class SourcesReadiness implements HealthIndicator {
    private final SourceScheduler scheduler;

    public SourcesReadiness(SourceScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean ready = scheduler.allPolledOnce();
        return Publishers.just(HealthResult.builder("sources", ready ? HealthStatus.UP : HealthStatus.DOWN).build());
    }
}
