package io.gonka.exporter.polling;

/**
 * A failed poll. {@link #reason()} feeds the error counter; the message is what the log line
 * says after the source name, so it must never contain secrets or whole bodies.
 */
public class SourceException extends RuntimeException {
    private final FailureReason reason;

    public SourceException(FailureReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public SourceException(FailureReason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }

    public static SourceException parse(String message) {
        return new SourceException(FailureReason.PARSE, message);
    }
}
