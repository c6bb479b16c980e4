package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Compares the shape of a simulated response with an example payload: same keys, same JSON
 * types (number, string, boolean, object, array). A {@code null} in the example matches
 * anything (the schema says the field may be null). Maps keyed by model id are compared
 * value by value against the example's first value. Array elements that carry an {@code id},
 * {@code index} or {@code node_id} are matched by it; others are compared position by position.
 */
final class JsonShapes {
    private static final String[] MATCH_KEYS = {"id", "index", "node_id"};
    /** Objects keyed by data (model ids), not by schema: their values are compared instead. */
    private static final java.util.Set<String> MAP_FIELDS = java.util.Set.of("models", "epoch_models", "epoch_ml_nodes",
            "preserved_models");

    private JsonShapes() {
    }

    static List<String> differences(JsonNode example, JsonNode actual) {
        List<String> out = new ArrayList<>();
        compare(example, actual, "$", out);
        return out;
    }

    private static void compare(JsonNode ex, JsonNode ac, String path, List<String> out) {
        if (ex.isNull()) {
            return;
        }
        if (ex.isObject()) {
            if (!ac.isObject()) {
                out.add(path + ": object expected, got " + ac.getNodeType());
                return;
            }
            String field = path.substring(path.lastIndexOf('.') + 1);
            if (MAP_FIELDS.contains(field)) {
                if (!ex.isEmpty()) {
                    JsonNode first = ex.elements().next();
                    ac.fields().forEachRemaining(e -> compare(first, e.getValue(), path + "[" + e.getKey() + "]", out));
                }
                return;
            }
            Iterator<String> names = ex.fieldNames();
            while (names.hasNext()) {
                String k = names.next();
                if (!ac.has(k)) {
                    out.add(path + "." + k + ": missing");
                } else {
                    compare(ex.get(k), ac.get(k), path + "." + k, out);
                }
            }
            ac.fieldNames().forEachRemaining(k -> {
                if (!ex.has(k)) {
                    out.add(path + "." + k + ": not in example");
                }
            });
            return;
        }
        if (ex.isArray()) {
            if (!ac.isArray()) {
                out.add(path + ": array expected, got " + ac.getNodeType());
                return;
            }
            if (ex.isEmpty() || ac.isEmpty()) {
                return;
            }
            for (int i = 0; i < ex.size(); i++) {
                JsonNode e = ex.get(i);
                String key = matchKey(e);
                if (key != null) {
                    JsonNode match = null;
                    for (JsonNode a : ac) {
                        if (a.path(key).equals(e.get(key))) {
                            match = a;
                        }
                    }
                    String where = path + "[" + key + "=" + e.get(key).asText() + "]";
                    if (match == null) {
                        out.add(where + ": no element with that " + key);
                    } else {
                        compare(e, match, where, out);
                    }
                } else {
                    compare(e, ac.get(Math.min(i, ac.size() - 1)), path + "[" + i + "]", out);
                }
            }
            return;
        }
        if (ex.getNodeType() != ac.getNodeType()) {
            out.add(path + ": " + ex.getNodeType() + " " + ex + " expected, got " + ac.getNodeType() + " " + ac);
        }
    }

    private static String matchKey(JsonNode e) {
        if (!e.isObject()) {
            return null;
        }
        for (String k : MATCH_KEYS) {
            if (e.has(k)) {
                return k;
            }
        }
        return null;
    }
}
