package io.gonka.exporter.polling;

/** Why a poll failed; the lower-case name is the {@code reason} label of {@code gonka_source_errors_total}. */
public enum FailureReason {
    TIMEOUT, CONNECT, HTTP, PARSE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
