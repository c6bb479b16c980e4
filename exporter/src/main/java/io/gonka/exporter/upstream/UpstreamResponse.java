package io.gonka.exporter.upstream;

/** A complete upstream answer: status and body bytes (never larger than the configured limit). */
public record UpstreamResponse(String url, int status, byte[] body) {
    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
