package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a {@link Reply} to an exchange the way a {@link FaultSpec} says. Waiting faults
 * (hang, slow, slow_drip) end early when the simulator stops, so no thread outlives it.
 */
final class FaultWriter {
    private static final Set<String> ENUM_KEYS = Set.of("intended_status", "current_status", "poc_intended_status",
            "poc_current_status", "poc_status", "status", "service_state", "phase", "current_phase",
            "overall_status", "participant_state", "mlnode_state");
    private static final int HUGE_CHUNK = 64 * 1024;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, AtomicLong> flapCounters = new ConcurrentHashMap<>();

    /** Releases every hanging or dripping request. */
    void stop() {
        stopped.countDown();
    }

    /**
     * @param flapKey identifies the endpoint (and node) so each flaps independently
     */
    void write(HttpExchange ex, Reply reply, FaultSpec spec, SimEndpoint.Family family, String flapKey) throws IOException {
        Fault fault = spec.fault();
        if (fault == Fault.FLAPPING) {
            long n = flapCounters.computeIfAbsent(flapKey, k -> new AtomicLong()).getAndIncrement();
            fault = n % 2 == 0 ? Fault.OK : Fault.HTTP_500;
        }
        switch (fault) {
            case OK, FLAPPING -> send(ex, reply);
            case HTTP_500 -> send(ex, Reply.error(family, 500, "simulated internal error"));
            case HTTP_404 -> send(ex, Reply.error(family, 404, "Not Found"));
            case HANG -> {
                pause(spec.delayMillis());
                ex.close(); // no status line was sent: the client sees the connection drop
            }
            case SLOW -> {
                if (!pause(spec.delayMillis())) {
                    send(ex, reply);
                } else {
                    ex.close();
                }
            }
            case SLOW_DRIP -> drip(ex, reply);
            case MALFORMED -> send(ex, new Reply(200, malformed(reply.body()), Reply.JSON));
            case TRUNCATED -> send(ex, new Reply(reply.status(), Arrays.copyOf(reply.body(), reply.body().length / 2), reply.contentType()));
            case HUGE -> huge(ex, reply, spec.hugeMegabytes());
            case WRONG_TYPES -> send(ex, transformed(reply, FaultWriter::wrongTypes));
            case UNKNOWN_ENUMS -> send(ex, transformed(reply, FaultWriter::unknownEnums));
        }
    }

    static void send(HttpExchange ex, Reply reply) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", reply.contentType());
            byte[] body = reply.body();
            ex.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** Waits up to {@code millis}; true if the simulator stopped meanwhile. */
    boolean pause(long millis) {
        try {
            return stopped.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void drip(HttpExchange ex, Reply reply) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", reply.contentType());
            ex.sendResponseHeaders(reply.status(), 0); // chunked: the length would give the game away
            OutputStream out = ex.getResponseBody();
            for (byte b : reply.body()) {
                out.write(b);
                out.flush();
                if (pause(1000)) {
                    return;
                }
            }
            out.close();
        }
    }

    /** Not JSON from the first value on, so even lenient parsers fail. */
    private static byte[] malformed(byte[] body) {
        byte[] prefix = "{\"sim_malformed\": ,".getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + body.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }

    /**
     * Streams valid JSON of about {@code megabytes} MB without holding it: an object gets a
     * leading {@code "sim_padding"} array of filler strings before its real keys; an array
     * gets its elements repeated.
     */
    private static void huge(HttpExchange ex, Reply reply, int megabytes) throws IOException {
        long target = megabytes * 1024L * 1024L;
        byte[] body = reply.body();
        boolean array = body.length >= 2 && body[0] == '[' && body[body.length - 1] == ']';
        byte[] inner = array ? Arrays.copyOfRange(body, 1, body.length - 1) : new byte[0];
        boolean repeatElements = array && !new String(inner, StandardCharsets.UTF_8).isBlank();
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", Reply.JSON);
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            long written = 0;
            if (repeatElements) {
                out.write('[');
                out.write(inner);
                written += inner.length + 1;
                while (written < target) {
                    out.write(',');
                    out.write(inner);
                    written += inner.length + 1;
                }
                out.write(']');
            } else {
                byte[] filler = filler();
                out.write((array ? "[" : "{\"sim_padding\":[").getBytes(StandardCharsets.US_ASCII));
                while (written < target - body.length) {
                    out.write(filler);
                    written += filler.length;
                }
                out.write("\"end\"]".getBytes(StandardCharsets.US_ASCII));
                if (!array && body.length > 2 && body[0] == '{') {
                    out.write(',');
                    out.write(body, 1, body.length - 1);
                } else if (!array) {
                    out.write('}');
                }
            }
            out.close();
        }
    }

    /** One 64 KiB run of {@code "xxxx…",} entries. */
    private static byte[] filler() {
        byte[] chunk = new byte[HUGE_CHUNK];
        int entry = 1024;
        for (int i = 0; i < HUGE_CHUNK; i += entry) {
            chunk[i] = '"';
            Arrays.fill(chunk, i + 1, i + entry - 2, (byte) 'x');
            chunk[i + entry - 2] = '"';
            chunk[i + entry - 1] = ',';
        }
        return chunk;
    }

    private interface TreeChange {
        JsonNode apply(JsonNode node);
    }

    private static Reply transformed(Reply reply, TreeChange change) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(reply.body());
        } catch (IOException e) {
            return reply;
        }
        return Reply.json(reply.status(), change.apply(tree));
    }

    /** Numbers (and numeric strings, family B's int64s) become objects; booleans become arrays. */
    static JsonNode wrongTypes(JsonNode node) {
        if (node.isNumber() || (node.isTextual() && node.asText().matches("-?\\d+(\\.\\d+)?"))) {
            return Json.obj().put("unexpected", node.asText());
        }
        if (node.isBoolean()) {
            return Json.arr().add(node.booleanValue());
        }
        if (node.isObject()) {
            ObjectNode copy = Json.obj();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), wrongTypes(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = Json.arr();
            node.forEach(child -> copy.add(wrongTypes(child)));
            return copy;
        }
        return node;
    }

    /** Every enum-valued field gets a value no client knows: "WEIRD", or 99 where the enum is an integer. */
    static JsonNode unknownEnums(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = Json.obj();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (ENUM_KEYS.contains(e.getKey()) && v.isTextual()) {
                    copy.set(e.getKey(), TextNode.valueOf("WEIRD"));
                } else if (ENUM_KEYS.contains(e.getKey()) && v.isIntegralNumber()) {
                    copy.set(e.getKey(), IntNode.valueOf(99));
                } else {
                    copy.set(e.getKey(), unknownEnums(v));
                }
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = Json.arr();
            node.forEach(child -> copy.add(unknownEnums(child)));
            return copy;
        }
        return node;
    }
}
