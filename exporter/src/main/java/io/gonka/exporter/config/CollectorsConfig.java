package io.gonka.exporter.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which Gonka sources are polled, one switch per source under {@code gonka.collector.*}
 * ({@code --no-collector.setup_report} = {@code GONKA_COLLECTOR_SETUP_REPORT=false}), all on by
 * default. A switched-off source is never asked and has no {@code gonka_source_*} series. Local
 * GPUs have their switch in {@link ExporterConfig#nvmlEnabled()} ({@code --[no-]collector.nvml}).
 */
@ConfigurationProperties("gonka.collector")
public record CollectorsConfig(
        @Bindable(defaultValue = "true") boolean adminNodes,
        @Bindable(defaultValue = "true") boolean adminConfig,
        @Bindable(defaultValue = "true") boolean setupReport,
        @Bindable(defaultValue = "true") boolean rpcStatus,
        @Bindable(defaultValue = "true") boolean rpcNetInfo,
        @Bindable(defaultValue = "true") boolean referenceHeights,
        @Bindable(defaultValue = "true") boolean epoch,
        @Bindable(defaultValue = "true") boolean participants,
        @Bindable(defaultValue = "true") boolean participantStats,
        @Bindable(defaultValue = "true") boolean mlnodeHealth,
        @Bindable(defaultValue = "true") boolean upgradeStatus,
        @Bindable(defaultValue = "true") boolean validatorLiveness,
        @Bindable(defaultValue = "true") boolean collateral,
        @Bindable(defaultValue = "true") boolean chainParams) {

    public static CollectorsConfig allOn() {
        return new CollectorsConfig(true, true, true, true, true, true, true, true, true, true, true, true, true, true);
    }

    /** The source names these switches cover ({@code admin_nodes}, ...), as in {@code gonka_source_up{source}}. */
    public static Set<String> sourceNames() {
        return Arrays.stream(CollectorsConfig.class.getRecordComponents())
                .map(c -> sourceName(c.getName()))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    /** adminNodes -> admin_nodes */
    public static String sourceName(String component) {
        return component.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Whether the source of that name is switched on; names without a switch (nvml) are. */
    public boolean enabled(String source) {
        for (var c : CollectorsConfig.class.getRecordComponents()) {
            if (sourceName(c.getName()).equals(source)) {
                try {
                    return (boolean) c.getAccessor().invoke(this);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return true;
    }
}
