package io.gonka.exporter.polling;

/** The node does not have this (optional) endpoint, e.g. a 404 from a build older than it. Not a failure. */
public final class UnsupportedUpstreamException extends RuntimeException {
    public UnsupportedUpstreamException(String message) {
        super(message, null, false, false);
    }
}
