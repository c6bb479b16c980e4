package io.gonka.exporter.upstream;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections are kept between polls, and an upstream that closes a kept-alive connection just as
 * it is reused costs no failed poll; every other broken answer still fails, and is asked once.
 */
class KeptAliveConnectionsTest {
    /** What the server does with one request: the n-th request overall (0-based). */
    enum Act { ANSWER, CLOSE_WITHOUT_ANSWER, CLOSE_MID_BODY }

    private final Vertx vertx = Vertx.vertx();
    private final UpstreamClient client = new UpstreamClient(vertx, Duration.ofSeconds(3), 1 << 20, 4);
    private ScriptedServer server;

    @AfterEach
    void stop() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (server != null) {
            server.close();
        }
    }

    /**
     * A poll, then a pause as between polls: the connection goes back to the pool just after the
     * answer is handed over, so a request sent that very instant would open a second one.
     */
    private UpstreamResponse poll() throws Exception {
        UpstreamResponse r = client.get(server.url()).get(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        return r;
    }

    @Test
    void successivePollsShareOneConnection() throws Exception {
        server = new ScriptedServer(List.of(Act.ANSWER, Act.ANSWER, Act.ANSWER));
        for (int i = 0; i < 3; i++) {
            assertEquals("answer " + i, new String(poll().body(), StandardCharsets.US_ASCII));
        }
        assertEquals(1, server.connections.get(), "three polls, one after the other, on one kept-alive connection");
        assertEquals(3, server.requests.get());
    }

    @Test
    void aKeptAliveConnectionClosedAsItIsReusedIsAskedAgainOnANewOne() throws Exception {
        server = new ScriptedServer(List.of(Act.ANSWER, Act.CLOSE_WITHOUT_ANSWER, Act.ANSWER));
        assertEquals("answer 0", new String(poll().body(), StandardCharsets.US_ASCII));
        UpstreamResponse second = client.get(server.url()).get(10, TimeUnit.SECONDS);
        assertEquals(200, second.status());
        assertEquals("answer 2", new String(second.body(), StandardCharsets.US_ASCII), "the request went out again and was answered");
        assertEquals(2, server.connections.get(), "the retry went out on a new connection");
        assertEquals(3, server.requests.get());
    }

    @Test
    void aNewConnectionClosedWithoutAnswerFailsAndIsNotRetried() throws Exception {
        server = new ScriptedServer(List.of(Act.CLOSE_WITHOUT_ANSWER, Act.ANSWER));
        ExecutionException e = assertThrows(ExecutionException.class, () -> client.get(server.url()).get(10, TimeUnit.SECONDS));
        assertEquals(FailureReason.CONNECT, ((SourceException) e.getCause()).reason(), e.getCause().getMessage());
        assertEquals(1, server.requests.get(), "a fresh connection that fails is a real failure: asked once");
    }

    @Test
    void anAnswerCutOffOnAReusedConnectionFailsAndIsNotRetried() throws Exception {
        server = new ScriptedServer(List.of(Act.ANSWER, Act.CLOSE_MID_BODY, Act.ANSWER));
        poll();
        ExecutionException e = assertThrows(ExecutionException.class, () -> client.get(server.url()).get(10, TimeUnit.SECONDS));
        assertInstanceOf(SourceException.class, e.getCause());
        assertEquals(2, server.requests.get(), "an answer had begun: a truncated body is the upstream's failure, not retried");
    }

    @Test
    void anUpstreamThatClosesEveryReusedConnectionFailsAfterABoundedNumberOfRetries() throws Exception {
        // first answered, then every request refused: only fresh connections' failures stop the retries
        server = new ScriptedServer(List.of(Act.ANSWER, Act.CLOSE_WITHOUT_ANSWER, Act.CLOSE_WITHOUT_ANSWER,
                Act.CLOSE_WITHOUT_ANSWER, Act.CLOSE_WITHOUT_ANSWER, Act.CLOSE_WITHOUT_ANSWER, Act.CLOSE_WITHOUT_ANSWER));
        poll();
        assertThrows(ExecutionException.class, () -> client.get(server.url()).get(10, TimeUnit.SECONDS));
        assertEquals(3, server.requests.get(), "the reused connection, then one new connection whose refusal is final");
    }

    /** HTTP/1.1 on loopback, each request handled as the script says (past its end: answered). */
    static final class ScriptedServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        private final ServerSocket socket;
        private final List<Act> script;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        ScriptedServer(List<Act> script) throws IOException {
            this.script = script;
            this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        connections.incrementAndGet();
                        open.add(s);
                        Thread t = new Thread(() -> serve(s), "scripted-conn");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "scripted-accept");
            accept.setDaemon(true);
            accept.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/x";
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                while (readRequestHead(in)) {
                    int n = requests.getAndIncrement();
                    Act act = n < script.size() ? script.get(n) : Act.ANSWER;
                    String body = "answer " + n;
                    switch (act) {
                        case ANSWER -> {
                            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                        case CLOSE_WITHOUT_ANSWER -> {
                            return;
                        }
                        case CLOSE_MID_BODY -> {
                            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            return;
                        }
                    }
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        /** Reads up to the blank line ending a request head; false at end of stream. */
        private static boolean readRequestHead(InputStream in) throws IOException {
            int matched = 0;
            int b;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while ((b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
