package io.gonka.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The simulator's one Jackson mapper and a few tree-building shorthands. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode obj() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode arr() {
        return MAPPER.createArrayNode();
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode a = arr();
        values.forEach(a::add);
        return a;
    }

    static ArrayNode booleans(List<Boolean> values) {
        ArrayNode a = arr();
        values.forEach(a::add);
        return a;
    }

    /** A chain {@code Decimal} ({@code {"value":v,"exponent":e}}) with the value as number or string. */
    static ObjectNode decimal(long value, int exponent, NumberEncoding encoding) {
        ObjectNode d = obj();
        if (encoding == NumberEncoding.STRING) {
            d.put("value", Long.toString(value));
        } else {
            d.put("value", value);
        }
        d.put("exponent", exponent);
        return d;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
    }
}
