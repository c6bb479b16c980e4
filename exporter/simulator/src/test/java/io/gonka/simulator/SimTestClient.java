package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Test-side HTTP helper: HTTP/1.1, no proxy, short timeouts, loopback URLs only. */
final class SimTestClient {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private SimTestClient() {
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return get(url, Duration.ofSeconds(10));
    }

    static HttpResponse<String> get(String url, Duration timeout) throws IOException, InterruptedException {
        requireLoopback(url);
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = get(url);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + " -> " + r.statusCode() + ": " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        requireLoopback(url);
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void requireLoopback(String url) {
        String host = URI.create(url).getHost();
        Loopback.requireLoopback(host);
    }
}
