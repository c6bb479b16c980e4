package io.gonka.exporter.dashboards;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Loading Grafana dashboard JSON and finding every PromQL query in it (panels, rows, annotations, variables). */
public final class Dashboards {

    public enum Kind { PANEL, ANNOTATION, VARIABLE }

    /**
     * One query of a dashboard. For {@link Kind#VARIABLE} the expr is the variable's query as written
     * ({@code label_values(...)}); {@code source} is the panel title, annotation name or variable name.
     */
    public record Query(String dashboard, String source, Kind kind, String refId, String expr) { }

    /** A parsed template variable query: {@code label_values(selector, label)} and friends. */
    public record VariableQuery(String function, String expr, String label) { }

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Pattern LABEL_VALUES = Pattern.compile("(?s)^\\s*label_values\\s*\\((.*)\\)\\s*$");
    private static final Pattern QUERY_RESULT = Pattern.compile("(?s)^\\s*query_result\\s*\\((.*)\\)\\s*$");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private Dashboards() { }

    public static ObjectMapper mapper() {
        return STRICT;
    }

    /** The repository root: system property {@code gonka.repo.dir} (set by surefire), else found from the cwd. */
    public static Path repoDir() {
        return dir("gonka.repo.dir", "dashboards");
    }

    private static Path dir(String property, String marker) {
        String value = System.getProperty(property);
        if (value != null && !value.isBlank()) {
            Path p = Paths.get(value).toAbsolutePath().normalize();
            if (!Files.exists(p.resolve(marker))) {
                throw new IllegalStateException(property + "=" + p + " has no " + marker);
            }
            return p;
        }
        throw new IllegalStateException("system property " + property + " is not set (surefire sets it; "
                + "run the tests through Maven or set it to the directory holding " + marker + ")");
    }

    public static Path dashboardsDir() {
        return repoDir().resolve("dashboards");
    }

    /** The dashboard JSON files directly in {@code dir}, sorted by name. */
    public static List<Path> dashboardFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses strictly: duplicate keys and trailing content are errors. */
    public static JsonNode load(Path file) {
        try {
            return STRICT.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("invalid JSON in " + file + ": " + e.getMessage(), e);
        }
    }

    public static String name(JsonNode dashboard) {
        return dashboard.path("uid").asText(dashboard.path("title").asText("?"));
    }

    /** Every panel, including the panels tucked into collapsed rows, in document order. */
    public static List<JsonNode> allPanels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        collect(dashboard.path("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, List<JsonNode> out) {
        for (JsonNode p : panels) {
            out.add(p);
            collect(p.path("panels"), out);
        }
    }

    public static List<JsonNode> variables(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(out::add);
        return out;
    }

    /** A variable's query text: Grafana stores it as a string or as an object with a {@code query} field. */
    public static String variableQueryText(JsonNode variable) {
        JsonNode q = variable.path("query");
        if (q.isObject()) {
            return q.path("query").asText("");
        }
        return q.asText("");
    }

    /** A Prometheus annotation's expression: legacy top-level {@code expr} or {@code target.expr}. */
    public static String annotationExpr(JsonNode annotation) {
        String expr = annotation.path("target").path("expr").asText("");
        return expr.isEmpty() ? annotation.path("expr").asText("") : expr;
    }

    public static List<Query> queries(JsonNode dashboard) {
        String name = name(dashboard);
        List<Query> out = new ArrayList<>();
        for (JsonNode v : variables(dashboard)) {
            if (v.path("type").asText().equals("query")) {
                out.add(new Query(name, v.path("name").asText(), Kind.VARIABLE, null, variableQueryText(v)));
            }
        }
        for (JsonNode a : dashboard.path("annotations").path("list")) {
            if (a.path("builtIn").asInt(0) == 1) {
                continue;
            }
            out.add(new Query(name, a.path("name").asText(), Kind.ANNOTATION, "Anno", annotationExpr(a)));
        }
        for (JsonNode p : allPanels(dashboard)) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query(name, p.path("title").asText(), Kind.PANEL, t.path("refId").asText(null),
                        t.path("expr").asText("")));
            }
        }
        return out;
    }

    /**
     * Parses {@code label_values(selector, label)}, {@code label_values(label)} and {@code query_result(expr)}.
     * Returns null for anything else.
     */
    public static VariableQuery parseVariableQuery(String query) {
        Matcher lv = LABEL_VALUES.matcher(query);
        if (lv.matches()) {
            String args = lv.group(1).trim();
            int comma = lastTopLevelComma(args);
            if (comma < 0) {
                return LABEL_NAME.matcher(args).matches() ? new VariableQuery("label_values", null, args) : null;
            }
            String label = args.substring(comma + 1).trim();
            String expr = args.substring(0, comma).trim();
            if (!LABEL_NAME.matcher(label).matches() || expr.isEmpty()) {
                return null;
            }
            return new VariableQuery("label_values", expr, label);
        }
        Matcher qr = QUERY_RESULT.matcher(query);
        if (qr.matches()) {
            return new VariableQuery("query_result", qr.group(1).trim(), null);
        }
        return null;
    }

    private static int lastTopLevelComma(String s) {
        int depth = 0;
        int last = -1;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                quote = c;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                last = i;
            }
        }
        return last;
    }
}
