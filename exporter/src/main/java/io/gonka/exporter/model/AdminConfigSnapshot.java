package io.gonka.exporter.model;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The parts of {@code /admin/v1/config} the exporter uses. The ML-node key pair in that answer is
 * deliberately never read into this record, so it cannot be logged or exported by accident.
 */
public record AdminConfigSnapshot(
        Optional<String> publicUrl,
        String nodeVersion,
        OptionalLong currentHeight,
        OptionalLong lastProcessedHeight,
        Optional<Seed> currentSeed,
        Optional<Seed> previousSeed,
        Optional<UpgradePlan> upgradePlan) {

    public record Seed(long epochIndex, boolean claimed) {}

    /** @param nodeVersion the ML-node version the upgrade needs ({@code upgrade_plan.node_version}), "" when none */
    public record UpgradePlan(String name, long height, String nodeVersion) {}
}
