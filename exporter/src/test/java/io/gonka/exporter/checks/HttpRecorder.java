package io.gonka.exporter.checks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A loopback HTTP server that records every request and answers like the Telegram Bot API
 * ({@code POST /bot<token>/sendMessage}) and like a Slack incoming webhook (anything else).
 */
final class HttpRecorder implements AutoCloseable {
    record Request(String method, String path, String contentType, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    HttpRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                String path = exchange.getRequestURI().getRawPath();
                requests.add(new Request(exchange.getRequestMethod(), path,
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
                byte[] answer;
                if (path.endsWith("/sendMessage")) {
                    answer = ("{\"ok\":true,\"result\":{\"message_id\":" + requests.size()
                            + ",\"date\":1700000000,\"chat\":{\"id\":-1001234567890,\"type\":\"group\"},"
                            + "\"text\":\"ok\"}}").getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                } else {
                    answer = "ok".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain");
                }
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Polls until a recorded request matches, up to {@code timeout}; fails with what was seen. */
    Request await(String what, Predicate<Request> matcher, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Request r : requests) {
                if (matcher.test(r)) {
                    return r;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " within " + timeout + "; recorded requests:\n"
                + requests.stream().map(r -> r.method + " " + r.path + " " + r.body)
                        .collect(Collectors.joining("\n")));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
