package io.gonka.exporter.model;

import java.util.Map;

/**
 * {@code /admin/v1/nodes/upgrade-status}: with an upgrade plan that names an ML-node version, whether
 * each ML node already runs (and answers on) that version. Empty when no plan is active.
 *
 * @param ready node id -> the broker's {@code is_alive} for the planned {@code node_version}
 */
public record UpgradeStatus(boolean planActive, Map<String, Boolean> ready) {}
