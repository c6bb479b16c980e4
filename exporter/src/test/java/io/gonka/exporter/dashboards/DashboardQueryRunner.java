package io.gonka.exporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every query of the Gonka dashboards against a real Prometheus, the way Grafana would: template variables
 * are resolved (from the caller's map, else from their own {@code label_values(...)} queries), Grafana's built-in
 * variables get fixed values ({@code $__rate_interval}=1m, {@code $__interval}=30s, {@code $__range}=1h), and each
 * panel target and annotation expression is run as an instant query and as a range query over the last 5 minutes.
 *
 * <pre>{@code
 * List<QueryResult> results = DashboardQueryRunner.runAll(URI.create("http://127.0.0.1:9090"),
 *         Dashboards.dashboardsDir(), Map.of("host", "host-a"));
 * results.stream().filter(r -> !r.hasData()).forEach(System.out::println);
 * }</pre>
 *
 * Variable values in the caller's map are substituted verbatim (for a multi-value selection pass a regex such as
 * {@code "host-a|host-b"}); variables not in the map resolve like a Grafana default: "All" where the variable allows
 * it (its {@code allValue}, else an alternation of every value), otherwise the first value.
 */
public final class DashboardQueryRunner {

    /**
     * One query run. {@code mode} is {@code instant}, {@code range} or {@code variable} (a variable's
     * {@code label_values} lookup, where {@code series} counts the values found); {@code expr} is the query as sent,
     * after variable substitution; {@code ok} means Prometheus accepted and evaluated it.
     */
    public record QueryResult(String dashboard, String panelTitle, String mode, String expr, boolean ok, int series,
                              String error) {
        public boolean hasData() {
            return ok && series > 0;
        }

        @Override
        public String toString() {
            return dashboard + " / " + panelTitle + " [" + mode + "] " + (ok ? series + " series" : "ERROR " + error)
                    + "\n      " + expr.replaceAll("\\s+", " ");
        }
    }

    /** Values for Grafana's own variables. */
    public static final Map<String, String> GRAFANA_BUILTINS = Map.of(
            "__rate_interval", "1m", "__interval", "30s", "__interval_ms", "30000",
            "__range", "1h", "__range_s", "3600", "__range_ms", "3600000");
    public static final Duration RANGE = Duration.ofMinutes(5);
    public static final Duration STEP = Duration.ofSeconds(15);
    /** How far back variable lookups search, like Grafana's default of the dashboard's time range. */
    public static final Duration VARIABLE_LOOKBACK = Duration.ofHours(1);

    private static final Pattern VARIABLE = Pattern.compile(
            "\\$\\{([a-zA-Z0-9_]+)(?::([a-zA-Z]+))?}|\\[\\[([a-zA-Z0-9_]+)(?::([a-zA-Z]+))?]]|\\$([a-zA-Z_][a-zA-Z0-9_]*)");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(ProxySelector.of(null))
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private DashboardQueryRunner() { }

    /** Every dashboard JSON file directly in {@code dashboardsDir}. */
    public static List<QueryResult> runAll(URI prometheus, Path dashboardsDir, Map<String, String> vars) {
        List<QueryResult> out = new ArrayList<>();
        for (Path f : Dashboards.dashboardFiles(dashboardsDir)) {
            out.addAll(run(prometheus, f, vars));
        }
        return out;
    }

    /** One dashboard file. */
    public static List<QueryResult> run(URI prometheus, Path dashboardFile, Map<String, String> vars) {
        JsonNode d = Dashboards.load(dashboardFile);
        String name = Dashboards.name(d);
        List<QueryResult> out = new ArrayList<>();
        Map<String, Value> values = resolveVariables(prometheus, d, vars, out);
        for (Dashboards.Query q : Dashboards.queries(d)) {
            if (q.kind() == Dashboards.Kind.VARIABLE) {
                continue; // done while resolving
            }
            String title = q.kind() == Dashboards.Kind.ANNOTATION ? "annotation " + q.source()
                    : q.source() + " (" + q.refId() + ")";
            String expr;
            try {
                expr = substitute(q.expr(), values);
            } catch (IllegalArgumentException e) {
                out.add(new QueryResult(name, title, "instant", q.expr(), false, 0, e.getMessage()));
                continue;
            }
            out.add(named(instant(prometheus, expr), name, title));
            out.add(named(range(prometheus, expr), name, title));
        }
        return out;
    }

    private static QueryResult named(QueryResult r, String dashboard, String title) {
        return new QueryResult(dashboard, title, r.mode(), r.expr(), r.ok(), r.series(), r.error());
    }

    /** An instant query at the current time. */
    public static QueryResult instant(URI prometheus, String expr) {
        long now = System.currentTimeMillis();
        return call(prometheus, "/api/v1/query", "instant", expr,
                Map.of("query", expr, "time", seconds(now)));
    }

    /** A range query over the last {@link #RANGE} with a {@link #STEP} step. */
    public static QueryResult range(URI prometheus, String expr) {
        long now = System.currentTimeMillis();
        return call(prometheus, "/api/v1/query_range", "range", expr,
                Map.of("query", expr, "start", seconds(now - RANGE.toMillis()), "end", seconds(now),
                        "step", String.valueOf(STEP.toSeconds())));
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static QueryResult call(URI prometheus, String path, String mode, String expr, Map<String, String> form) {
        try {
            JsonNode body = post(prometheus, path, form);
            if (!"success".equals(body.path("status").asText())) {
                return new QueryResult(null, null, mode, expr, false, 0,
                        body.path("errorType").asText() + ": " + body.path("error").asText());
            }
            JsonNode data = body.path("data");
            String type = data.path("resultType").asText();
            int series = switch (type) {
                case "vector", "matrix" -> data.path("result").size();
                case "scalar", "string" -> 1;
                default -> 0;
            };
            return new QueryResult(null, null, mode, expr, true, series, null);
        } catch (IOException e) {
            return new QueryResult(null, null, mode, expr, false, 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new QueryResult(null, null, mode, expr, false, 0, "interrupted");
        }
    }

    private static JsonNode post(URI prometheus, String path, Map<String, String> form)
            throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder();
        form.forEach((k, v) -> {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(enc(k)).append('=').append(enc(v));
        });
        HttpRequest req = HttpRequest.newBuilder(prometheus.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(b.toString()))
                .build();
        return parse(send(req));
    }

    private static JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
        return parse(send(req));
    }

    /**
     * Queries are idempotent: a request that died on a kept-alive connection the server had just
     * closed ("header parser received no bytes") is sent once more on a fresh one.
     */
    private static HttpResponse<String> send(HttpRequest req) throws IOException, InterruptedException {
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        }
    }

    private static JsonNode parse(HttpResponse<String> resp) throws IOException {
        try {
            return Dashboards.mapper().readTree(resp.body());
        } catch (IOException e) {
            throw new IOException("HTTP " + resp.statusCode() + " with a body that is not JSON: "
                    + resp.body().substring(0, Math.min(200, resp.body().length())), e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- variables ---------------------------------------------------------------------------------

    /** A variable's value: either given verbatim by the caller, or the values found and how they were selected. */
    private record Value(String verbatim, List<String> values, boolean all, String allValue, boolean multi) {
        String format(String name, String fmt) {
            if (verbatim != null) {
                return verbatim;
            }
            String f = fmt == null ? "" : fmt;
            return switch (f) {
                case "pipe" -> String.join("|", values);
                case "csv", "raw" -> String.join(",", values);
                case "text" -> String.join(" + ", values);
                case "queryparam" -> {
                    StringBuilder b = new StringBuilder();
                    for (String v : values) {
                        b.append(b.length() > 0 ? "&" : "").append("var-").append(name).append('=').append(enc(v));
                    }
                    yield b.toString();
                }
                default -> {
                    // Grafana's Prometheus default (and :regex): regex-escaped, alternation for several values
                    if (all && allValue != null) {
                        yield allValue;
                    }
                    if (!multi && !all && values.size() == 1) {
                        yield values.get(0);
                    }
                    List<String> escaped = values.stream().map(DashboardQueryRunner::escapeRegex).toList();
                    yield escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
                }
            };
        }
    }

    /** Escapes regex metacharacters the way Grafana does for a value put into a PromQL regex string. */
    static String escapeRegex(String v) {
        return v.replaceAll("([\\\\^$*+?.()|\\[\\]{}])", "\\\\\\\\$1");
    }

    private static Map<String, Value> resolveVariables(URI prometheus, JsonNode d, Map<String, String> given,
                                                       List<QueryResult> out) {
        String name = Dashboards.name(d);
        Map<String, Value> values = new LinkedHashMap<>();
        GRAFANA_BUILTINS.forEach((k, v) -> values.put(k, new Value(v, List.of(v), false, null, false)));
        for (JsonNode v : Dashboards.variables(d)) {
            String var = v.path("name").asText();
            String type = v.path("type").asText();
            if (given.containsKey(var)) {
                values.put(var, new Value(given.get(var), List.of(given.get(var)), false, null, false));
                continue;
            }
            List<String> found = new ArrayList<>();
            switch (type) {
                case "datasource" -> found.add("prometheus");
                case "custom" -> {
                    for (String s : v.path("query").asText("").split(",")) {
                        if (!s.isBlank()) {
                            found.add(s.trim());
                        }
                    }
                }
                case "constant", "textbox", "interval" -> found.add(v.path("current").path("value").asText(
                        v.path("query").asText("")));
                case "query" -> found.addAll(lookup(prometheus, name, v, values, out));
                default -> found.add(v.path("current").path("value").asText(""));
            }
            boolean includeAll = v.path("includeAll").asBoolean(false);
            boolean multi = v.path("multi").asBoolean(false);
            String allValue = v.hasNonNull("allValue") && !v.path("allValue").asText().isEmpty()
                    ? v.path("allValue").asText() : null;
            if (includeAll) {
                values.put(var, new Value(null, found, true, allValue, multi));
            } else {
                String current = v.path("current").path("value").isTextual() ? v.path("current").path("value").asText()
                        : null;
                String pick = found.contains(current) ? current : found.isEmpty() ? "" : found.get(0);
                values.put(var, new Value(null, List.of(pick), false, null, multi));
            }
        }
        return values;
    }

    private static List<String> lookup(URI prometheus, String dashboard, JsonNode v, Map<String, Value> values,
                                       List<QueryResult> out) {
        String var = v.path("name").asText();
        String title = "variable " + var;
        String query;
        try {
            query = substitute(Dashboards.variableQueryText(v), values);
        } catch (IllegalArgumentException e) {
            out.add(new QueryResult(dashboard, title, "variable", Dashboards.variableQueryText(v), false, 0,
                    e.getMessage()));
            return List.of();
        }
        Dashboards.VariableQuery vq = Dashboards.parseVariableQuery(query);
        if (vq == null || !vq.function().equals("label_values")) {
            out.add(new QueryResult(dashboard, title, "variable", query, false, 0,
                    "only label_values(...) variable queries are supported"));
            return List.of();
        }
        long now = System.currentTimeMillis();
        StringBuilder url = new StringBuilder("/api/v1/label/").append(enc(vq.label())).append("/values?start=")
                .append(seconds(now - VARIABLE_LOOKBACK.toMillis())).append("&end=").append(seconds(now));
        if (vq.expr() != null) {
            url.append("&match[]=").append(enc(vq.expr()));
        }
        try {
            JsonNode body = get(prometheus.resolve(url.toString()));
            if (!"success".equals(body.path("status").asText())) {
                out.add(new QueryResult(dashboard, title, "variable", query, false, 0,
                        body.path("errorType").asText() + ": " + body.path("error").asText()));
                return List.of();
            }
            List<String> found = new ArrayList<>();
            body.path("data").forEach(n -> found.add(n.asText()));
            String regex = v.path("regex").asText("");
            if (!regex.isEmpty()) {
                Pattern p = Pattern.compile(regex.startsWith("/") && regex.lastIndexOf('/') > 0
                        ? regex.substring(1, regex.lastIndexOf('/')) : regex);
                List<String> kept = new ArrayList<>();
                for (String s : found) {
                    Matcher m = p.matcher(s);
                    if (m.find()) {
                        kept.add(m.groupCount() > 0 && m.group(1) != null ? m.group(1) : s);
                    }
                }
                found.clear();
                found.addAll(kept);
            }
            int sort = v.path("sort").asInt(0);
            if (sort == 3 || sort == 4) {
                found.sort(Comparator.comparingDouble(DashboardQueryRunner::numeric));
            } else {
                found.sort(Comparator.naturalOrder());
            }
            if (sort == 2 || sort == 4 || sort == 6) {
                java.util.Collections.reverse(found);
            }
            out.add(new QueryResult(dashboard, title, "variable", query, true, found.size(), null));
            return found;
        } catch (IOException e) {
            out.add(new QueryResult(dashboard, title, "variable", query, false, 0, e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.add(new QueryResult(dashboard, title, "variable", query, false, 0, "interrupted"));
        }
        return List.of();
    }

    private static double numeric(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
    }

    /**
     * Replaces {@code $x}, {@code ${x}}, {@code ${x:fmt}} and {@code [[x]]} for every known variable; a reference to
     * an unknown variable is an error (a numeric one such as {@code $1} in label_replace is left alone).
     */
    static String substitute(String text, Map<String, Value> values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
            String fmt = m.group(2) != null ? m.group(2) : m.group(4);
            Value v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("unresolved variable $" + name + " in: " + text);
            }
            m.appendReplacement(b, Matcher.quoteReplacement(v.format(name, fmt)));
        }
        m.appendTail(b);
        return b.toString();
    }
}
