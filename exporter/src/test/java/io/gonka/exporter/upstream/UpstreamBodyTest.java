package io.gonka.exporter.upstream;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A body in the chunks it arrived in reads the same as one array, across every chunk boundary. */
class UpstreamBodyTest {

    private static UpstreamBody chunked(String text, int... sizes) {
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        List<Buffer> chunks = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            chunks.add(Buffer.buffer().appendBytes(all, at, size));
            at += size;
        }
        chunks.add(Buffer.buffer().appendBytes(all, at, all.length - at));
        return new UpstreamBody(chunks, all.length);
    }

    @Test
    void streamAndBytesGiveTheSameBytesAcrossChunks() throws Exception {
        String text = "{\"a\":[1,2,3],\"ü\":\"€\"}"; // multi-byte characters split across chunks
        int[] cuts = {3, 0, 1, 9, 2};
        assertEquals(text, new String(chunked(text, cuts).bytes(), StandardCharsets.UTF_8));
        try (InputStream in = chunked(text, cuts).stream()) {
            assertEquals(text, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        try (InputStream in = chunked(text, cuts).stream()) { // byte by byte
            byte[] one = new byte[text.getBytes(StandardCharsets.UTF_8).length];
            for (int i = 0; i < one.length; i++) {
                int b = in.read();
                assertTrue(b >= 0, "byte " + i);
                one[i] = (byte) b;
            }
            assertEquals(-1, in.read());
            assertEquals(text, new String(one, StandardCharsets.UTF_8));
        }
        JsonNode tree = JsonFields.MAPPER.readTree(chunked(text, cuts).stream());
        assertEquals("€", tree.path("ü").asText());
        assertEquals(3, tree.path("a").size());
    }

    @Test
    void aBodyIsReadOnceAndLetsGoOfWhatWasRead() throws Exception {
        UpstreamBody body = chunked("{\"a\":1}", 2, 2);
        try (InputStream in = body.stream()) {
            assertEquals('{', in.read());
            // the first chunk is in the reader's hands: the body no longer holds it
            assertThrows(IllegalStateException.class, body::bytes);
        }
    }

    @Test
    void anEmptyBodyIsAnEmptyStream() throws Exception {
        UpstreamBody empty = UpstreamBody.of(new byte[0]);
        assertEquals(0, empty.length());
        assertEquals(0, empty.bytes().length);
        assertEquals(-1, UpstreamBody.of(new byte[0]).stream().read());
        assertEquals(-1, UpstreamBody.of(new byte[0]).stream().read(new byte[4], 0, 4));
    }
}
