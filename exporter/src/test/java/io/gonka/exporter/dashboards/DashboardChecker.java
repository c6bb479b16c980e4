package io.gonka.exporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The conventions every Gonka dashboard follows, as a checker that returns a list of violations (empty when all
 * is well), so tests can both assert that the real dashboards are clean and that broken ones are caught.
 */
public final class DashboardChecker {

    public static final Set<String> REQUIRED_UIDS = Set.of("gonka-fleet", "gonka-host", "gonka-gpus");
    public static final String DATASOURCE_UID = "${datasource}";
    /** Prometheus built-ins the dashboards may use besides the contract. */
    public static final Set<String> BUILTIN_METRICS = Set.of("up", "ALERTS");
    /** node_exporter series the host panels read (optional on a host; see deploy/host/targets). */
    public static final Set<String> NODE_EXPORTER_METRICS = Set.of("node_filesystem_avail_bytes", "node_filesystem_size_bytes",
            "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_timex_offset_seconds",
            "node_timex_maxerror_seconds", "node_filefd_allocated", "node_filefd_maximum");
    private static final Set<String> UP_LABELS = Set.of("instance", "job", "host", "participant");
    private static final Set<String> PANEL_TYPES = Set.of("row", "text", "timeseries", "stat", "table",
            "state-timeline", "status-history", "bargauge", "gauge", "piechart", "barchart", "heatmap");
    /** Variables Grafana defines itself. */
    private static final Set<String> GRAFANA_VARIABLES = Set.of("__interval", "__interval_ms", "__rate_interval",
            "__range", "__range_s", "__range_ms", "__from", "__to", "__dashboard", "__org", "__user", "__name",
            "timeFilter", "__timeFilter");
    private static final Pattern VARIABLE_REF = Pattern.compile(
            "\\$\\{([a-zA-Z0-9_]+)(?::[^}]*)?}|\\[\\[([a-zA-Z0-9_]+)(?::[^]]*)?]]|\\$([a-zA-Z0-9_]+)");
    private static final Pattern REFRESH = Pattern.compile("\\d+[smhd]");

    private final MetricsContract contract;
    private final Set<String> recordingRules;

    public DashboardChecker(MetricsContract contract, Set<String> recordingRules) {
        this.contract = contract;
        this.recordingRules = Set.copyOf(recordingRules);
    }

    /** Names recorded by the rule files {@code alerts/*.rules.yml} (and {@code .yaml}) under the repo, if any. */
    public static Set<String> loadRecordingRules(Path repoDir) {
        Path alerts = repoDir.resolve("alerts");
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(alerts)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(alerts)) {
            files = s.filter(p -> p.getFileName().toString().matches(".*\\.rules\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            Object doc;
            try {
                doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!(doc instanceof Map<?, ?> root) || !(root.get("groups") instanceof List<?> groups)) {
                continue;
            }
            for (Object g : groups) {
                if (g instanceof Map<?, ?> group && group.get("rules") instanceof List<?> rules) {
                    for (Object r : rules) {
                        if (r instanceof Map<?, ?> rule && rule.get("record") instanceof String name
                                && name.contains(":")) {
                            out.add(name);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** All checks over a set of dashboards keyed by file name: each dashboard alone, then the set as a whole. */
    public List<String> check(Map<String, JsonNode> dashboards) {
        List<String> out = new ArrayList<>();
        Map<String, String> uidToFile = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            out.addAll(checkDashboard(e.getKey(), e.getValue()));
            String uid = e.getValue().path("uid").asText("");
            String previous = uidToFile.put(uid, e.getKey());
            if (previous != null) {
                out.add(e.getKey() + ": uid '" + uid + "' is also used by " + previous);
            }
        }
        for (String uid : new TreeSet<>(REQUIRED_UIDS)) {
            if (!uidToFile.containsKey(uid)) {
                out.add("no dashboard has the uid '" + uid + "'");
            }
        }
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            out.addAll(checkDashboardLinks(e.getKey(), e.getValue()));
        }
        JsonNode fleet = dashboards.values().stream().filter(d -> d.path("uid").asText().equals("gonka-fleet"))
                .findFirst().orElse(null);
        if (fleet != null) {
            boolean rowLink = false;
            for (String url : urls(fleet, false)) {
                if (url.contains("/d/gonka-host") && url.contains("var-host=${__data.fields.host}")) {
                    rowLink = true;
                }
            }
            if (!rowLink) {
                out.add("gonka-fleet: no table data link to gonka-host carrying var-host=${__data.fields.host}");
            }
        }
        return out;
    }

    public List<String> checkDashboard(String file, JsonNode d) {
        List<String> out = new ArrayList<>();
        if (!d.isObject()) {
            out.add(file + ": not a JSON object");
            return out;
        }
        if (d.path("uid").asText("").isBlank()) {
            out.add(file + ": no uid");
        }
        if (d.path("title").asText("").isBlank()) {
            out.add(file + ": no title");
        }
        int schema = d.path("schemaVersion").asInt(-1);
        if (schema < 39 || schema > 41) {
            out.add(file + ": schemaVersion " + d.path("schemaVersion") + " is not 39..41 (Grafana 10.4 - 11.x)");
        }
        if (d.has("id") && !d.get("id").isNull()) {
            out.add(file + ": id must be null (Grafana assigns it on import)");
        }
        if (!d.path("time").path("from").asText("").startsWith("now-") || !d.path("time").path("to").asText("").equals("now")) {
            out.add(file + ": time must default to a relative range ending now, got " + d.path("time"));
        }
        if (!REFRESH.matcher(d.path("refresh").asText("")).matches()) {
            out.add(file + ": refresh must be a duration like 30s, got " + d.path("refresh"));
        }
        Set<String> defined = checkVariables(file, d, out);
        checkDatasources(file, d, out);
        checkAnnotations(file, d, defined, out);
        checkPanels(file, d, defined, out);
        checkLayout(file, d, out);
        return out;
    }

    // ---- variables ---------------------------------------------------------------------------------

    private Set<String> checkVariables(String file, JsonNode d, List<String> out) {
        Set<String> names = new LinkedHashSet<>();
        boolean datasourceVar = false;
        boolean hostVar = false;
        for (JsonNode v : Dashboards.variables(d)) {
            String name = v.path("name").asText("");
            if (!names.add(name)) {
                out.add(file + ": variable '" + name + "' is defined twice");
            }
            String type = v.path("type").asText("");
            if (name.equals("datasource")) {
                if (type.equals("datasource") && v.path("query").asText("").equals("prometheus")) {
                    datasourceVar = true;
                } else {
                    out.add(file + ": variable 'datasource' must be of type datasource with query prometheus");
                }
                continue;
            }
            if (!type.equals("query")) {
                continue;
            }
            String where = file + ": variable '" + name + "'";
            if (!isDatasourceVariable(v.path("datasource"))) {
                out.add(where + ": datasource must be " + dsText());
            }
            String query = Dashboards.variableQueryText(v);
            String definition = v.path("definition").asText(query);
            if (!definition.equals(query)) {
                out.add(where + ": definition '" + definition + "' differs from query '" + query + "'");
            }
            Dashboards.VariableQuery vq = Dashboards.parseVariableQuery(query);
            if (vq == null) {
                out.add(where + ": query must be label_values(<selector>, <label>) or query_result(<expr>), got '"
                        + query + "'");
                continue;
            }
            if (vq.expr() == null) {
                out.add(where + ": label_values(" + vq.label() + ") without a metric scans every series; "
                        + "name a metric");
                continue;
            }
            PromQl.Inspection ins = checkExpr(where, vq.expr(), out);
            if (vq.label() != null) {
                for (String metric : ins.metricNames()) {
                    if (!labelAllowed(metric, vq.label())) {
                        out.add(where + ": " + metric + " has no label '" + vq.label() + "'");
                    }
                }
                if (name.equals("host")) {
                    hostVar = vq.label().equals("host");
                }
            }
        }
        if (!datasourceVar) {
            out.add(file + ": no 'datasource' variable (type datasource, query prometheus)");
        }
        if (!hostVar) {
            out.add(file + ": no 'host' variable of the form label_values(<metric>, host)");
        }
        Set<String> defined = new LinkedHashSet<>(names);
        defined.addAll(GRAFANA_VARIABLES);
        return defined;
    }

    // ---- datasources -------------------------------------------------------------------------------

    private static boolean isDatasourceVariable(JsonNode ds) {
        return ds.isObject() && ds.size() == 2 && ds.path("type").asText().equals("prometheus")
                && ds.path("uid").asText().equals(DATASOURCE_UID);
    }

    private static String dsText() {
        return "{\"type\":\"prometheus\",\"uid\":\"" + DATASOURCE_UID + "\"}";
    }

    /** No datasource anywhere except the variable (and Grafana's own built-in annotation). */
    private void checkDatasources(String file, JsonNode d, List<String> out) {
        walk(d, "$", (path, parent, key, value) -> {
            if (!key.equals("datasource")) {
                return;
            }
            if (parent.path("builtIn").asInt(0) == 1 && value.path("type").asText().equals("grafana")) {
                return;
            }
            if (parent.path("type").asText().equals("datasource") && path.startsWith("$.templating")) {
                return; // the datasource variable itself has no datasource field, but tolerate one
            }
            if (value.isNull() && parent.path("type").asText().equals("row")) {
                return;
            }
            if (!isDatasourceVariable(value)) {
                out.add(file + ": hard-coded datasource at " + path + ": " + value + " (use " + dsText() + ")");
            }
        });
    }

    private interface Visitor {
        void visit(String path, JsonNode parent, String key, JsonNode value);
    }

    private static void walk(JsonNode node, String path, Visitor v) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                v.visit(path + "." + e.getKey(), node, e.getKey(), e.getValue());
                walk(e.getValue(), path + "." + e.getKey(), v);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", v);
            }
        }
    }

    // ---- annotations -------------------------------------------------------------------------------

    private void checkAnnotations(String file, JsonNode d, Set<String> defined, List<String> out) {
        for (JsonNode a : d.path("annotations").path("list")) {
            if (a.path("builtIn").asInt(0) == 1) {
                continue;
            }
            String where = file + ": annotation '" + a.path("name").asText() + "'";
            if (!isDatasourceVariable(a.path("datasource"))) {
                out.add(where + ": datasource must be " + dsText());
            }
            String expr = Dashboards.annotationExpr(a);
            if (expr.isBlank()) {
                out.add(where + ": no expr");
                continue;
            }
            checkExpr(where, expr, out);
            checkVariableRefs(where, expr, defined, out);
        }
    }

    // ---- panels ------------------------------------------------------------------------------------

    private void checkPanels(String file, JsonNode d, Set<String> defined, List<String> out) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (JsonNode p : Dashboards.allPanels(d)) {
            String type = p.path("type").asText("");
            String title = p.path("title").asText("");
            String where = file + ": panel '" + title + "' (id " + p.path("id") + ")";
            if (!p.path("id").isInt()) {
                out.add(where + ": id must be an integer");
            } else if (!ids.add(p.path("id").asInt())) {
                out.add(where + ": duplicate panel id " + p.path("id").asInt());
            }
            if (!PANEL_TYPES.contains(type)) {
                out.add(where + ": unknown panel type '" + type + "'");
            }
            if (title.isBlank()) {
                out.add(where + ": no title");
            }
            if (type.equals("row")) {
                if (!p.path("collapsed").asBoolean(false) && p.path("panels").size() > 0) {
                    out.add(where + ": an expanded row must not hold panels (Grafana ignores them)");
                }
                continue;
            }
            if (p.path("description").asText("").isBlank()) {
                out.add(where + ": no description");
            }
            if (type.equals("text")) {
                continue;
            }
            if (p.path("fieldConfig").path("defaults").path("unit").asText("").isBlank()) {
                out.add(where + ": no fieldConfig.defaults.unit");
            }
            if (!isDatasourceVariable(p.path("datasource"))) {
                out.add(where + ": datasource must be " + dsText());
            }
            JsonNode targets = p.path("targets");
            if (!targets.isArray() || targets.isEmpty()) {
                out.add(where + ": no targets");
                continue;
            }
            Set<String> refIds = new LinkedHashSet<>();
            targets.forEach(t -> refIds.add(t.path("refId").asText("")));
            if (type.equals("table")) {
                checkTable(where, p, refIds, out);
            }
            refIds.clear();
            for (JsonNode t : targets) {
                String refId = t.path("refId").asText("");
                String tw = where + " target " + refId;
                if (refId.isBlank() || !refIds.add(refId)) {
                    out.add(tw + ": refId missing or duplicated");
                }
                if (!isDatasourceVariable(t.path("datasource"))) {
                    out.add(tw + ": datasource must be " + dsText());
                }
                String expr = t.path("expr").asText("");
                if (expr.isBlank()) {
                    out.add(tw + ": no expr");
                    continue;
                }
                checkExpr(tw, expr, out);
                checkVariableRefs(tw, expr, defined, out);
            }
        }
    }

    private static final Pattern VALUE_FIELD = Pattern.compile("Value(?: #(.+))?");

    /**
     * Table transformations must name fields that will exist: Grafana calls a table query's value column
     * "Value #&lt;refId&gt;", or just "Value" when the panel has a single query; sortBy and field overrides must name a
     * column the organize step produces.
     */
    private static void checkTable(String where, JsonNode p, Set<String> refIds, List<String> out) {
        int n = p.path("targets").size();
        for (JsonNode t : p.path("targets")) {
            if (!t.path("format").asText().equals("table")) {
                out.add(where + " target " + t.path("refId").asText() + ": a table's queries must use format table");
            }
        }
        Set<String> columns = new LinkedHashSet<>();
        boolean organized = false;
        for (JsonNode tr : p.path("transformations")) {
            String id = tr.path("id").asText();
            JsonNode o = tr.path("options");
            if (id.equals("organize")) {
                organized = true;
                for (String section : List.of("renameByName", "excludeByName", "indexByName")) {
                    o.path(section).fieldNames().forEachRemaining(field -> {
                        Matcher m = VALUE_FIELD.matcher(field);
                        if (!m.matches()) {
                            return;
                        }
                        if (m.group(1) == null && n != 1) {
                            out.add(where + ": " + section + " names 'Value' but the panel has " + n
                                    + " queries (their columns are 'Value #<refId>')");
                        } else if (m.group(1) != null && (n == 1 || !refIds.contains(m.group(1)))) {
                            out.add(where + ": " + section + " names '" + field + "', which this panel's queries "
                                    + "do not produce" + (n == 1 ? " (a single query's column is 'Value')" : ""));
                        }
                    });
                }
                Set<String> renamedTo = new LinkedHashSet<>();
                o.path("renameByName").forEach(v -> renamedTo.add(v.asText()));
                o.path("indexByName").fieldNames().forEachRemaining(field -> {
                    if (renamedTo.contains(field) && !o.path("renameByName").has(field)) {
                        out.add(where + ": indexByName uses the renamed name '" + field + "'; Grafana orders "
                                + "fields before renaming them, so use the original name");
                    }
                });
                o.path("indexByName").fieldNames().forEachRemaining(columns::add);
                o.path("renameByName").fieldNames().forEachRemaining(columns::remove);
                o.path("renameByName").forEach(v -> columns.add(v.asText()));
            } else if (id.equals("sortBy") && organized) {
                for (JsonNode s : o.path("sort")) {
                    if (!columns.contains(s.path("field").asText())) {
                        out.add(where + ": sortBy field '" + s.path("field").asText() + "' is not a column " + columns);
                    }
                }
            }
        }
        if (organized) {
            for (JsonNode ov : p.path("fieldConfig").path("overrides")) {
                if (ov.path("matcher").path("id").asText().equals("byName")
                        && !columns.contains(ov.path("matcher").path("options").asText())) {
                    out.add(where + ": override for '" + ov.path("matcher").path("options").asText()
                            + "', which is not a column " + columns);
                }
            }
        }
    }

    private void checkVariableRefs(String where, String text, Set<String> defined, List<String> out) {
        Matcher m = VARIABLE_REF.matcher(text);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (!defined.contains(name)) {
                out.add(where + ": uses undefined variable $" + name);
            }
        }
    }

    /** Checks one PromQL expression against the contract; returns the inspection for further checks. */
    public PromQl.Inspection checkExpr(String where, String expr, List<String> out) {
        PromQl.Inspection ins = PromQl.inspect(expr);
        for (String problem : ins.problems()) {
            out.add(where + ": " + problem + " in: " + oneLine(expr));
        }
        if (ins.metricNames().isEmpty() && ins.problems().isEmpty()) {
            out.add(where + ": reads no metric: " + oneLine(expr));
        }
        for (PromQl.Selector s : ins.selectors()) {
            Set<String> names = s.metric() != null ? Set.of(s.metric()) : ins.metricNames();
            for (String name : names) {
                if (!metricKnown(name)) {
                    out.add(where + ": metric '" + name + "' is not in METRICS.md"
                            + (name.contains(":") ? " nor a recording rule in alerts/*.rules.yml" : "")
                            + " and is not up/ALERTS");
                    continue;
                }
                for (PromQl.LabelMatcher m : s.matchers()) {
                    if (m.label().equals("__name__")) {
                        continue;
                    }
                    if (!labelAllowed(name, m.label())) {
                        out.add(where + ": " + name + " has no label '" + m.label() + "'");
                    } else if (m.op().equals("=") && !m.value().contains("$") && !valueDocumented(name, m)) {
                        out.add(where + ": " + name + "{" + m.label() + "=\"" + m.value()
                                + "\"}: value is not documented in METRICS.md");
                    }
                }
            }
        }
        return ins;
    }

    private boolean metricKnown(String name) {
        return contract.has(name) || BUILTIN_METRICS.contains(name) || contract.scraped().containsKey(name)
                || NODE_EXPORTER_METRICS.contains(name)
                || (name.contains(":") && recordingRules.contains(name));
    }

    private boolean labelAllowed(String metric, String label) {
        if (contract.has(metric)) {
            return contract.metric(metric).labels().contains(label) || MetricsContract.IDENTITY_LABELS.contains(label);
        }
        if (metric.equals("up")) {
            return UP_LABELS.contains(label);
        }
        if (contract.scraped().containsKey(metric)) {
            return contract.scraped().get(metric).labels().contains(label) || MetricsContract.IDENTITY_LABELS.contains(label);
        }
        return true; // ALERTS and recording rules carry whatever labels their rules give them
    }

    private boolean valueDocumented(String metric, PromQl.LabelMatcher m) {
        if (MetricsContract.IDENTITY_LABELS.contains(m.label())) {
            return true;
        }
        if (metric.equals("ALERTS")) {
            return !m.label().equals("alertstate") || Set.of("firing", "pending").contains(m.value());
        }
        if (!contract.has(metric)) {
            return true;
        }
        return contract.documents(m.value());
    }

    private static String oneLine(String expr) {
        String s = expr.replaceAll("\\s+", " ").trim();
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }

    // ---- layout ------------------------------------------------------------------------------------

    private record Rect(String title, int x, int y, int w, int h) {
        boolean overlaps(Rect o) {
            return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
        }
    }

    private void checkLayout(String file, JsonNode d, List<String> out) {
        List<Rect> top = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            Rect r = rect(file, p, out);
            if (r != null) {
                top.add(r);
            }
            if (p.path("type").asText().equals("row") && p.path("collapsed").asBoolean(false)) {
                List<Rect> children = new ArrayList<>();
                for (JsonNode c : p.path("panels")) {
                    Rect cr = rect(file, c, out);
                    if (cr != null) {
                        if (r != null && cr.y() <= r.y()) {
                            out.add(file + ": panel '" + cr.title() + "' sits above its collapsed row '" + r.title() + "'");
                        }
                        children.add(cr);
                    }
                }
                overlaps(file, children, out);
            }
        }
        overlaps(file, top, out);
    }

    private static Rect rect(String file, JsonNode p, List<String> out) {
        JsonNode g = p.path("gridPos");
        String title = p.path("title").asText("?");
        if (!(g.path("x").isInt() && g.path("y").isInt() && g.path("w").isInt() && g.path("h").isInt())) {
            out.add(file + ": panel '" + title + "' has no complete integer gridPos");
            return null;
        }
        Rect r = new Rect(title, g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt());
        if (r.x() < 0 || r.y() < 0 || r.w() < 1 || r.h() < 1 || r.x() + r.w() > 24) {
            out.add(file + ": panel '" + title + "' has gridPos outside the 24-column grid: " + g);
        }
        return r;
    }

    private static void overlaps(String file, List<Rect> rects, List<String> out) {
        for (int i = 0; i < rects.size(); i++) {
            for (int j = i + 1; j < rects.size(); j++) {
                if (rects.get(i).overlaps(rects.get(j))) {
                    out.add(file + ": panels '" + rects.get(i).title() + "' and '" + rects.get(j).title() + "' overlap");
                }
            }
        }
    }

    // ---- links -------------------------------------------------------------------------------------

    private List<String> checkDashboardLinks(String file, JsonNode d) {
        List<String> out = new ArrayList<>();
        String own = d.path("uid").asText();
        Map<String, Boolean> reached = new LinkedHashMap<>();
        for (String uid : new TreeSet<>(REQUIRED_UIDS)) {
            if (!uid.equals(own)) {
                reached.put(uid, false);
            }
        }
        for (JsonNode link : d.path("links")) {
            String url = link.path("url").asText("");
            for (String uid : reached.keySet()) {
                if (url.contains("/d/" + uid) && (link.path("includeVars").asBoolean(false) || carriesHost(url))) {
                    reached.put(uid, true);
                }
            }
        }
        reached.forEach((uid, ok) -> {
            if (!ok) {
                out.add(file + ": no dashboard link to " + uid + " that carries the host "
                        + "(includeVars: true or var-host=...)");
            }
        });
        // every panel or data link into a Gonka dashboard must carry the host
        walk(d.path("panels"), "$.panels", (path, parent, key, value) -> {
            if (key.equals("url") && value.asText("").contains("/d/gonka-") && !carriesHost(value.asText())
                    && !parent.path("includeVars").asBoolean(false)) {
                out.add(file + ": link " + value.asText() + " at " + path + " does not carry the host (var-host=)");
            }
        });
        return out;
    }

    private static boolean carriesHost(String url) {
        return url.contains("var-host=${host}") || url.contains("var-host=$host")
                || url.contains("var-host=${__data.fields.host}") || url.contains("${host:queryparam}");
    }

    private static List<String> urls(JsonNode d, boolean includeDashboardLinks) {
        List<String> out = new ArrayList<>();
        walk(includeDashboardLinks ? d : d.path("panels"), "$", (path, parent, key, value) -> {
            if (key.equals("url") && value.isTextual()) {
                out.add(value.asText());
            }
        });
        return out;
    }
}
