package io.gonka.exporter.upstream;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.core.JsonToken;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope of a streamed answer: its fields in order, and every way it can be wrong named. */
class JsonObjectStreamTest {

    private static UpstreamBody body(String text) {
        return UpstreamBody.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static SourceException refused(String text) {
        SourceException e = assertThrows(SourceException.class,
                () -> JsonObjectStream.readFields(body(text), "answer", (field, value, p) -> p.skipChildren()));
        assertEquals(FailureReason.PARSE, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void readsEveryTopLevelFieldInOrderAcrossChunks() {
        byte[] all = "{\"a\":1,\"b\":{\"x\":[1,2]},\"c\":\"ü\"}".getBytes(StandardCharsets.UTF_8);
        List<Buffer> chunks = new ArrayList<>();
        for (int i = 0; i < all.length; i += 3) {
            chunks.add(Buffer.buffer().appendBytes(all, i, Math.min(3, all.length - i)));
        }
        List<String> seen = new ArrayList<>();
        JsonObjectStream.readFields(new UpstreamBody(chunks, all.length), "answer", (field, value, p) -> {
            seen.add(field + ":" + value);
            if (field.equals("c")) {
                seen.add(p.getText());
            }
            p.skipChildren();
        });
        assertEquals(List.of("a:" + JsonToken.VALUE_NUMBER_INT, "b:" + JsonToken.START_OBJECT, "c:" + JsonToken.VALUE_STRING, "ü"), seen);
    }

    @Test
    void namesWhatIsWrongWithTheEnvelope() {
        assertEquals("answer: empty body", refused("").getMessage());
        assertEquals("answer: expected an object, got START_ARRAY", refused("[1]").getMessage());
        assertEquals("answer: trailing content after the object", refused("{\"a\":1}{}").getMessage());
        assertTrue(refused("{\"a\":").getMessage().startsWith("answer: malformed JSON: "));
        assertTrue(refused("{\"a\":1,}").getMessage().startsWith("answer: malformed JSON: "));
    }

    @Test
    void aReadersOwnRefusalPassesThroughUnchanged() {
        SourceException own = SourceException.parse("answer.a: expected an object, got VALUE_NUMBER_INT");
        SourceException e = assertThrows(SourceException.class, () -> JsonObjectStream.readFields(body("{\"a\":1}"), "answer",
                (field, value, p) -> {
                    throw own;
                }));
        assertSame(own, e);
    }
}
