package io.gonka.exporter.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the Helm chart without Helm (no Helm binary can be installed where this project is
 * built): an interpreter of exactly the Go-template subset the chart uses, with Go's rules for
 * whitespace trimming ({{- and -}}), truthiness, sorted map ranges, and Helm's toYaml, include,
 * quote, indent, nindent and .Files.Get. Anything else in a template is an error, so the chart
 * cannot silently grow beyond what this checks.
 */
final class ChartRenderer {
    private final Path chart;
    private final Map<String, List<Node>> defines = new HashMap<>();

    ChartRenderer(Path chart) throws IOException {
        this.chart = chart;
        try (Stream<Path> s = Files.list(chart.resolve("templates"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".tpl")).sorted().toList()) {
                parse(Files.readString(p, StandardCharsets.UTF_8), p.getFileName().toString());
            }
        }
    }

    /** Every rendered template's YAML documents (empty ones dropped), by template file name. */
    Map<String, List<Map<String, Object>>> render(Map<String, Object> values, String release) throws IOException {
        Map<String, Object> chartYaml = new Yaml().load(Files.readString(chart.resolve("Chart.yaml")));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("Values", values);
        root.put("Release", Map.of("Name", release, "Namespace", "gonka", "Service", "Helm"));
        root.put("Chart", Map.of("Name", chartYaml.get("name"), "Version", String.valueOf(chartYaml.get("version")),
                "AppVersion", String.valueOf(chartYaml.get("appVersion"))));
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(chart.resolve("templates"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String file = p.getFileName().toString();
                StringBuilder text = new StringBuilder();
                exec(parse(Files.readString(p, StandardCharsets.UTF_8), file), new Scope(root, root, new HashMap<>()), text, file);
                List<Map<String, Object>> docs = new ArrayList<>();
                for (Object d : new Yaml().loadAll(text.toString())) {
                    if (d != null) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = (Map<String, Object>) d;
                        docs.add(m);
                    }
                }
                out.put(file, docs);
            }
        }
        return out;
    }

    /** The chart's values.yaml with overrides at dotted paths, as `--set a.b=c` would. */
    @SuppressWarnings("unchecked")
    Map<String, Object> values(Map<String, Object> overrides) throws IOException {
        Map<String, Object> v = new Yaml().load(Files.readString(chart.resolve("values.yaml")));
        for (var e : overrides.entrySet()) {
            String[] path = e.getKey().split("\\.");
            Map<String, Object> at = v;
            for (int i = 0; i < path.length - 1; i++) {
                at = (Map<String, Object>) at.computeIfAbsent(path[i], k -> new LinkedHashMap<>());
            }
            at.put(path[path.length - 1], e.getValue());
        }
        return v;
    }

    // ---- parsing --------------------------------------------------------------------------

    sealed interface Node permits Text, Output, If, Range, With {}

    record Text(String text) implements Node {}

    record Output(String pipeline) implements Node {}

    record If(String condition, List<Node> then, List<Node> otherwise) implements Node {}

    record Range(String keyVar, String valueVar, String pipeline, List<Node> body) implements Node {}

    record With(String pipeline, List<Node> body) implements Node {}

    record Scope(Object dot, Map<String, Object> root, Map<String, Object> vars) {}

    private List<Node> parse(String src, String file) {
        // 1. Split into text and actions, applying the trim markers.
        List<Object> tokens = new ArrayList<>(); // String = text, String[] {action} = action
        int i = 0;
        while (i < src.length()) {
            int open = src.indexOf("{{", i);
            if (open < 0) {
                tokens.add(src.substring(i));
                break;
            }
            int close = src.indexOf("}}", open);
            if (close < 0) {
                throw new IllegalArgumentException(file + ": unclosed action");
            }
            String text = src.substring(i, open);
            String action = src.substring(open + 2, close);
            if (action.startsWith("- ")) {
                text = text.replaceAll("[ \\t\\r\\n]+$", "");
                action = action.substring(2);
            }
            boolean trimAfter = action.endsWith(" -");
            if (trimAfter) {
                action = action.substring(0, action.length() - 2);
            }
            tokens.add(text);
            tokens.add(new String[] {action.trim()});
            i = close + 2;
            if (trimAfter) {
                while (i < src.length() && " \t\r\n".indexOf(src.charAt(i)) >= 0) {
                    i++;
                }
            }
        }
        // 2. Build the tree.
        List<List<Node>> stack = new ArrayList<>();
        List<Object[]> open = new ArrayList<>(); // {kind, header, then-list (for if)}
        List<Node> top = new ArrayList<>();
        List<Node> current = top;
        for (Object t : tokens) {
            if (t instanceof String s) {
                if (!s.isEmpty()) {
                    current.add(new Text(s));
                }
                continue;
            }
            String a = ((String[]) t)[0];
            String word = a.split("\\s+", 2)[0];
            String rest = a.length() > word.length() ? a.substring(word.length()).trim() : "";
            switch (word) {
                case "if", "range", "with", "define" -> {
                    stack.add(current);
                    open.add(new Object[] {word, rest, null});
                    current = new ArrayList<>();
                }
                case "else" -> {
                    Object[] o = open.get(open.size() - 1);
                    if (!o[0].equals("if") || o[2] != null || !rest.isEmpty()) {
                        throw new IllegalArgumentException(file + ": unsupported else: " + a);
                    }
                    o[2] = current;
                    current = new ArrayList<>();
                }
                case "end" -> {
                    Object[] o = open.remove(open.size() - 1);
                    List<Node> body = current;
                    current = stack.remove(stack.size() - 1);
                    String header = (String) o[1];
                    switch ((String) o[0]) {
                        case "if" -> {
                            @SuppressWarnings("unchecked")
                            List<Node> then = o[2] != null ? (List<Node>) o[2] : body;
                            current.add(new If(header, then, o[2] != null ? body : List.of()));
                        }
                        case "with" -> current.add(new With(header, body));
                        case "define" -> defines.put(unquote(header), body);
                        default -> {
                            var m = java.util.regex.Pattern.compile("\\$(\\w+), \\$(\\w+) := (.+)").matcher(header);
                            if (!m.matches()) {
                                throw new IllegalArgumentException(file + ": unsupported range: " + header);
                            }
                            current.add(new Range(m.group(1), m.group(2), m.group(3), body));
                        }
                    }
                }
                default -> {
                    if (a.startsWith("/*")) {
                        continue;
                    }
                    current.add(new Output(a));
                }
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalArgumentException(file + ": " + open.size() + " unclosed blocks");
        }
        return top;
    }

    // ---- execution ------------------------------------------------------------------------

    private void exec(List<Node> nodes, Scope scope, StringBuilder out, String file) {
        for (Node n : nodes) {
            if (n instanceof Text t) {
                out.append(t.text());
            } else if (n instanceof Output o) {
                out.append(print(pipeline(o.pipeline(), scope, file)));
            } else if (n instanceof If f) {
                exec(truthy(pipeline(f.condition(), scope, file)) ? f.then() : f.otherwise(), scope, out, file);
            } else if (n instanceof With w) {
                Object v = pipeline(w.pipeline(), scope, file);
                if (truthy(v)) {
                    exec(w.body(), new Scope(v, scope.root(), scope.vars()), out, file);
                }
            } else if (n instanceof Range r) {
                Object v = pipeline(r.pipeline(), scope, file);
                if (v instanceof Map<?, ?> m) {
                    for (var e : new TreeMap<>(m).entrySet()) {
                        Map<String, Object> vars = new HashMap<>(scope.vars());
                        vars.put(r.keyVar(), e.getKey());
                        vars.put(r.valueVar(), e.getValue());
                        exec(r.body(), new Scope(e.getValue(), scope.root(), vars), out, file);
                    }
                } else if (v != null) {
                    throw new IllegalArgumentException(file + ": range over a non-map: " + r.pipeline());
                }
            }
        }
    }

    private Object pipeline(String p, Scope scope, String file) {
        Object piped = null;
        boolean first = true;
        for (String command : splitOutsideQuotes(p, '|')) {
            List<String> words = splitOutsideQuotes(command.trim(), ' ').stream().filter(w -> !w.isEmpty()).toList();
            List<Object> args = new ArrayList<>();
            for (String w : words.subList(1, words.size())) {
                args.add(value(w, scope, file));
            }
            if (!first) {
                args.add(piped);
            }
            String head = words.get(0);
            piped = switch (head) {
                case "include" -> {
                    List<Node> body = defines.get((String) args.get(0));
                    if (body == null) {
                        throw new IllegalArgumentException(file + ": no template " + args.get(0));
                    }
                    StringBuilder sb = new StringBuilder();
                    exec(body, new Scope(args.get(1), scope.root(), new HashMap<>()), sb, file);
                    yield sb.toString();
                }
                case "toYaml" -> toYaml(args.get(0));
                case "quote" -> "\"" + print(args.get(0)).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
                case "indent" -> indent(((Number) args.get(0)).intValue(), print(args.get(1)));
                case "nindent" -> "\n" + indent(((Number) args.get(0)).intValue(), print(args.get(1)));
                case "not" -> !truthy(args.get(0));
                case ".Files.Get" -> {
                    try {
                        yield Files.readString(chart.resolve((String) args.get(0)), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        yield ""; // Helm's .Files.Get answers "" for a missing file
                    }
                }
                default -> {
                    if (words.size() != 1 || !first) {
                        throw new IllegalArgumentException(file + ": unsupported function " + head + " in {{ " + p + " }}");
                    }
                    yield value(head, scope, file);
                }
            };
            first = false;
        }
        return piped;
    }

    private Object value(String w, Scope scope, String file) {
        if (w.startsWith("\"")) {
            return unquote(w);
        }
        if (w.matches("-?\\d+")) {
            return Integer.parseInt(w);
        }
        if (w.equals(".")) {
            return scope.dot();
        }
        if (w.startsWith("$")) {
            if (!scope.vars().containsKey(w.substring(1))) {
                throw new IllegalArgumentException(file + ": undefined variable " + w);
            }
            return scope.vars().get(w.substring(1));
        }
        if (w.startsWith(".")) {
            Object at = scope.dot();
            for (String part : w.substring(1).split("\\.")) {
                if (at == null) {
                    return null;
                }
                if (!(at instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException(file + ": " + w + ": not a map at " + part);
                }
                at = m.get(part);
            }
            return at;
        }
        throw new IllegalArgumentException(file + ": unsupported word " + w);
    }

    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        } else if (v instanceof Boolean b) {
            return b;
        } else if (v instanceof Number n) {
            return n.doubleValue() != 0;
        } else if (v instanceof String s) {
            return !s.isEmpty();
        } else if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        } else if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        return true;
    }

    static String print(Object v) {
        return v == null ? "" : String.valueOf(v);
    }

    static String indent(int n, String s) {
        String pad = " ".repeat(n);
        return pad + s.replace("\n", "\n" + pad);
    }

    static String toYaml(Object v) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        String s = new Yaml(o).dump(v);
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    static String unquote(String s) {
        if (s.length() < 2 || !s.startsWith("\"") || !s.endsWith("\"")) {
            throw new IllegalArgumentException("not a string literal: " + s);
        }
        return s.substring(1, s.length() - 1);
    }

    static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
