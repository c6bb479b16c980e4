package io.gonka.exporter.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** YAML reading for the manifests: safe types only, every document of a multi-document file. */
final class Yamls {
    private Yamls() {}

    static Yaml safe() {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false); // a duplicated key silently drops one value otherwise
        return new Yaml(new SafeConstructor(o));
    }

    /** The non-empty documents of a file, each a mapping. */
    static List<Map<String, Object>> documents(String text, String what) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object doc : safe().loadAll(text)) {
            if (doc == null) {
                continue;
            }
            if (!(doc instanceof Map<?, ?>)) {
                throw new AssertionError(what + ": a document is not a mapping: " + doc);
            }
            out.add(map(doc, what));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new AssertionError(what + " is not a mapping: " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) {
        if (!(o instanceof List<?>)) {
            throw new AssertionError(what + " is not a list: " + o);
        }
        return (List<Object>) o;
    }

    /** Follows a path of mapping keys; fails naming the path when a step is missing. */
    static Object at(Map<String, Object> root, String what, String... keys) {
        Object cur = root;
        StringBuilder path = new StringBuilder(what);
        for (String k : keys) {
            path.append('.').append(k);
            Map<String, Object> m = map(cur, path.toString());
            if (!m.containsKey(k)) {
                throw new AssertionError("missing " + path);
            }
            cur = m.get(k);
        }
        return cur;
    }

    static Map<String, Object> mapAt(Map<String, Object> root, String what, String... keys) {
        return map(at(root, what, keys), what + "." + String.join(".", keys));
    }

    static List<Object> listAt(Map<String, Object> root, String what, String... keys) {
        return list(at(root, what, keys), what + "." + String.join(".", keys));
    }
}
