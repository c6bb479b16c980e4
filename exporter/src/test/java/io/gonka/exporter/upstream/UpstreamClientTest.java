package io.gonka.exporter.upstream;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.FailureReason;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The body limits of the one HTTP client: per answer, and for all answers being received at once. */
class UpstreamClientTest {

    @Test
    void answersArrivingTogetherShareOneBudget() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.setExecutor(Executors.newFixedThreadPool(4));
        byte[] chunk = new byte[50 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        server.createContext("/slow", ex -> { // 50 kB, then nothing for a while: the body stays in flight
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(chunk);
            ex.getResponseBody().flush();
            try {
                Thread.sleep(3000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.createContext("/whole", ex -> {
            ex.sendResponseHeaders(200, chunk.length);
            ex.getResponseBody().write(chunk);
            ex.close();
        });
        server.start();
        Vertx vertx = Vertx.vertx();
        // cap 64 kB per answer, so 96 kB for all answers at once
        UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(2), 64 * 1024, 4);
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals(chunk.length, client.get(base + "/whole").get(10, TimeUnit.SECONDS).body().length, "alone it fits");
            CompletableFuture<UpstreamResponse> slow = client.get(base + "/slow");
            Thread.sleep(500); // the slow one now holds 50 kB of the budget
            ExecutionException e = assertThrows(ExecutionException.class, () -> client.get(base + "/whole").get(10, TimeUnit.SECONDS));
            SourceException cause = (SourceException) e.getCause();
            assertEquals(FailureReason.PARSE, cause.reason());
            assertTrue(cause.getMessage().contains("exceed 98304 bytes together"), cause.getMessage());
            ExecutionException timedOut = assertThrows(ExecutionException.class, () -> slow.get(10, TimeUnit.SECONDS));
            assertEquals(FailureReason.TIMEOUT, ((SourceException) timedOut.getCause()).reason());
            // both gave their bytes back: a whole answer fits again
            assertEquals(chunk.length, client.get(base + "/whole").get(10, TimeUnit.SECONDS).body().length);
        } finally {
            client.close();
            vertx.close();
            server.stop(0);
        }
    }
}
