package io.gonka.exporter.model;

import java.util.List;
import java.util.Optional;

/** {@code /admin/v1/setup/report}: the node's own checks and the cold key address it is configured with. */
public record SetupReport(List<Check> checks, Optional<String> coldKeyAddress) {

    public enum CheckStatus { PASS, FAIL, UNAVAILABLE, UNKNOWN }

    public record Check(String id, CheckStatus status) {}
}
