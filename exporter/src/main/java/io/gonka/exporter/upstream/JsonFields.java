package io.gonka.exporter.upstream;

import io.gonka.exporter.polling.SourceException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Lenient readers for the Gonka JSON families (see SCHEMAS.md §2): every number may arrive as a
 * JSON number or a numeric string, zero values may be omitted, maps may be null. What is present
 * but of the wrong kind is a parse error naming the field; nothing is guessed.
 */
public final class JsonFields {
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxNumberLength(64)
                .maxStringLength(8 * 1024 * 1024)
                .build());
    }

    private JsonFields() {}

    public static JsonNode readTree(byte[] body, String what) {
        return readTree(body, what, false);
    }

    /**
     * @param sensitive the body may hold secrets: a syntax error is reported by position only, since
     *                  the parser's own message quotes the offending token
     */
    public static JsonNode readTree(byte[] body, String what, boolean sensitive) {
        if (body.length == 0) {
            throw SourceException.parse(what + ": empty body");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw SourceException.parse(what + ": empty body");
            }
            return node;
        } catch (JsonProcessingException e) {
            if (sensitive) {
                var at = e.getLocation();
                throw SourceException.parse(what + ": malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
            }
            throw SourceException.parse(what + ": malformed JSON: " + clipLong(e.getOriginalMessage()));
        } catch (IOException e) {
            throw SourceException.parse(what + ": unreadable body: " + e.getMessage());
        }
    }

    /** The object at {@code field}, or a parse error when it is missing, null or not an object. */
    public static JsonNode object(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || !n.isObject()) {
            throw SourceException.parse(path + "." + field + ": expected an object, got " + kind(n));
        }
        return n;
    }

    /** The object at {@code field}; empty when missing or null (a nil message). */
    public static Optional<JsonNode> optionalObject(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw SourceException.parse(path + "." + field + ": expected an object, got " + kind(n));
        }
        return Optional.of(n);
    }

    public static long requiredLong(JsonNode parent, String field, String path) {
        OptionalLong v = optionalLong(parent, field, path);
        if (v.isEmpty()) {
            throw SourceException.parse(path + "." + field + ": missing");
        }
        return v.getAsLong();
    }

    /** A protobuf int field with omitempty: missing or null means 0. */
    public static long longOrZero(JsonNode parent, String field, String path) {
        return optionalLong(parent, field, path).orElse(0);
    }

    public static OptionalLong optionalLong(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(asLong(n, path + "." + field));
    }

    /** Like {@link #optionalLong} but accepts integers beyond int64 (uint64 counters) as doubles. */
    public static OptionalDouble optionalNumber(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(asDouble(n, path + "." + field));
    }

    public static double numberOrZero(JsonNode parent, String field, String path) {
        return optionalNumber(parent, field, path).orElse(0);
    }

    public static long asLong(JsonNode n, String path) {
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw SourceException.parse(path + ": expected an integer, got string \"" + clip(s) + "\"");
            }
        }
        throw SourceException.parse(path + ": expected an integer, got " + kind(n));
    }

    public static double asDouble(JsonNode n, String path) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            try {
                double d = new BigDecimal(s).doubleValue();
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw SourceException.parse(path + ": expected a number, got string \"" + clip(s) + "\"");
        }
        throw SourceException.parse(path + ": expected a number, got " + kind(n));
    }

    public static Optional<String> optionalText(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw SourceException.parse(path + "." + field + ": expected a string, got " + kind(n));
        }
        return Optional.of(n.textValue());
    }

    public static String textOrEmpty(JsonNode parent, String field, String path) {
        return optionalText(parent, field, path).orElse("");
    }

    public static String requiredText(JsonNode parent, String field, String path) {
        return optionalText(parent, field, path)
                .orElseThrow(() -> SourceException.parse(path + "." + field + ": missing"));
    }

    /** A bool; missing or null means false (omitempty). Accepts "true"/"false" strings. */
    public static boolean boolOrFalse(JsonNode parent, String field, String path) {
        return optionalBool(parent, field, path).orElse(false);
    }

    public static Optional<Boolean> optionalBool(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.isBoolean()) {
            return Optional.of(n.booleanValue());
        }
        if (n.isTextual() && ("true".equals(n.textValue()) || "false".equals(n.textValue()))) {
            return Optional.of(Boolean.parseBoolean(n.textValue()));
        }
        throw SourceException.parse(path + "." + field + ": expected a boolean, got " + kind(n));
    }

    /** The chain's fixed-point {@code Decimal}: {@code {"value": 958, "exponent": -3}} = 0.958. */
    public static OptionalDouble optionalDecimal(JsonNode parent, String field, String path) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull()) {
            return OptionalDouble.empty();
        }
        if (n.isNumber() || n.isTextual()) {
            return OptionalDouble.of(asDouble(n, path + "." + field));
        }
        if (!n.isObject()) {
            throw SourceException.parse(path + "." + field + ": expected a decimal, got " + kind(n));
        }
        double value = numberOrZero(n, "value", path + "." + field);
        long exponent = longOrZero(n, "exponent", path + "." + field);
        if (exponent < -30 || exponent > 30) {
            throw SourceException.parse(path + "." + field + ": exponent out of range: " + exponent);
        }
        return OptionalDouble.of(value * Math.pow(10, exponent));
    }

    /** RFC 3339 time; the Go zero time and the Unix epoch mean "not set". */
    public static Optional<Instant> optionalTime(JsonNode parent, String field, String path) {
        Optional<String> s = optionalText(parent, field, path);
        if (s.isEmpty() || s.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            Instant t = Instant.parse(s.get());
            if (t.getEpochSecond() <= 0) {
                return Optional.empty();
            }
            return Optional.of(t);
        } catch (DateTimeParseException e) {
            throw SourceException.parse(path + "." + field + ": not an RFC 3339 time: \"" + clip(s.get()) + "\"");
        }
    }

    public static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    public static String clipLong(String s) {
        String first = s == null ? "" : s.lines().findFirst().orElse("");
        return first.length() <= 160 ? first : first.substring(0, 160) + "...";
    }

    public static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
