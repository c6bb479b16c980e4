package io.gonka.exporter.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gonka.exporter.polling.SourceException;
import java.io.IOException;

/**
 * A JSON object read from an answer as a token stream, one top-level field at a time: for answers
 * too large to become a tree (the participants list, every block's commit). Everything around the
 * fields is checked here, the same way for every such answer: an empty body, something other than
 * an object, content after it and malformed JSON are parse errors naming the answer.
 */
public final class JsonObjectStream {
    /** Reads one top-level field; the parser stands on its value, which the reader must consume or skip. */
    @FunctionalInterface
    public interface FieldReader {
        void read(String field, JsonToken value, JsonParser parser) throws IOException;
    }

    private JsonObjectStream() {}

    /** Streams {@code body}'s chunks as they arrived, calling {@code reader} for every top-level field. */
    public static void readFields(UpstreamBody body, String what, FieldReader reader) {
        if (body.length() == 0) {
            throw SourceException.parse(what + ": empty body");
        }
        try (JsonParser p = JsonFields.MAPPER.getFactory().createParser(body.stream())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw SourceException.parse(what + ": expected an object, got " + first);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                reader.read(field, p.nextToken(), p);
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw SourceException.parse(what + ": trailing content after the object");
            }
        } catch (IOException e) {
            throw SourceException.parse(what + ": malformed JSON: " + JsonFields.clipLong(e.getMessage()));
        }
    }
}
