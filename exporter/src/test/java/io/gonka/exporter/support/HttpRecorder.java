package io.gonka.exporter.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/** A loopback HTTP endpoint that records every request and answers 200 with a fixed body (Telegram/Slack stand-in). */
public final class HttpRecorder implements AutoCloseable {
    /**
     * What the Telegram Bot API answers to sendMessage: Alertmanager's Telegram notifier reads
     * {@code result.chat}, so a bare {@code {"ok":true}} would fail the notification.
     */
    public static final String TELEGRAM_OK = "{\"ok\":true,\"result\":{\"message_id\":1,\"date\":1700000000,"
            + "\"chat\":{\"id\":-1001234567890,\"type\":\"group\"},\"text\":\"ok\"}}";
    public record Recorded(String method, String path, String contentType, String body) {}

    private final HttpServer server;
    private final List<Recorded> requests = new ArrayList<>();

    public HttpRecorder(String responseBody) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (requests) {
                requests.add(new Recorded(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        ex.getRequestHeaders().getFirst("Content-Type"), body));
            }
            byte[] out = responseBody.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "http-recorder");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Recorded> matching(Predicate<Recorded> p) {
        return requests().stream().filter(p).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
