package io.gonka.exporter.rules;

/** Where the p0 in effect comes from; the label value of {@code gonka_participant_miss_test_p0}. */
public enum P0Source {
    /** {@code validation_params.binom_test_p0} (rounded up to a table value from v0.2.10). */
    GOVERNANCE("governance"),
    /** v0.2.10+: the network-wide miss rate + 0.02, rounded up to a table value, was larger. */
    DYNAMIC("dynamic"),
    /** v0.2.10+: a punishment grace epoch replaced the governance p0. */
    GRACE("grace"),
    /** v0.2.0/v0.2.1: {@code collateral_params.downtime_missed_percentage_threshold}. */
    COLLATERAL_THRESHOLD("collateral_threshold"),
    /** The code's fixed value: 0.10 in v0.2.2-v0.2.5, or the default when the params carry no p0. */
    DEFAULT("default");

    private final String label;

    P0Source(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
