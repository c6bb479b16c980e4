package io.gonka.exporter.polling;

/** A poll that cannot run yet because something it needs (e.g. the participant address) is unknown. Not a failure. */
public final class NotReadyException extends RuntimeException {
    public NotReadyException(String message) {
        super(message, null, false, false);
    }
}
