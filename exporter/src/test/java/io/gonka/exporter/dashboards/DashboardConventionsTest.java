package io.gonka.exporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped dashboards follow the conventions, and the checker catches dashboards that do not. */
class DashboardConventionsTest {

    private static MetricsContract contract;
    private static DashboardChecker checker;
    private static Map<String, JsonNode> dashboards;

    @BeforeAll
    static void load() {
        contract = MetricsContract.load(io.gonka.exporter.support.Fixtures.metricsContract());
        checker = new DashboardChecker(contract, DashboardChecker.loadRecordingRules(Dashboards.repoDir()));
        dashboards = new LinkedHashMap<>();
        for (Path f : Dashboards.dashboardFiles(Dashboards.dashboardsDir())) {
            dashboards.put(f.getFileName().toString(), Dashboards.load(f));
        }
    }

    @Test
    void theThreeDashboardsExist() {
        assertEquals(Set.of("gonka-fleet-overview.json", "gonka-host-detail.json", "gonka-gpus.json"),
                dashboards.keySet());
        Set<String> uids = new TreeSet<>();
        dashboards.values().forEach(d -> uids.add(d.path("uid").asText()));
        assertEquals(new TreeSet<>(DashboardChecker.REQUIRED_UIDS), uids);
    }

    @Test
    void shippedDashboardsFollowTheConventions() {
        List<String> violations = checker.check(dashboards);
        assertTrue(violations.isEmpty(), "dashboard convention violations:\n  " + String.join("\n  ", violations));
    }

    @Test
    void everyPanelHasQueriesAndTheCheckerSawThem() {
        // guards against a checker that passes because it found nothing to check
        int panels = 0;
        int queries = 0;
        Set<String> used = new TreeSet<>();
        for (JsonNode d : dashboards.values()) {
            for (JsonNode p : Dashboards.allPanels(d)) {
                if (!p.path("type").asText().equals("row")) {
                    panels++;
                }
            }
            for (Dashboards.Query q : Dashboards.queries(d)) {
                queries++;
                String expr = q.kind() == Dashboards.Kind.VARIABLE
                        ? Dashboards.parseVariableQuery(q.expr()).expr() : q.expr();
                used.addAll(PromQl.inspect(expr).metricNames());
            }
        }
        assertTrue(panels >= 60, "expected at least 60 panels, found " + panels);
        assertTrue(queries >= 120, "expected at least 120 queries, found " + queries);
        Set<String> unused = new TreeSet<>(contract.metrics().keySet());
        unused.removeAll(used);
        // every metric of the contract has a place on some dashboard
        assertTrue(unused.isEmpty(), "contract metrics no dashboard shows: " + unused);
    }

    @Test
    void provisioningFilesPointGrafanaAtTheDashboards() throws IOException {
        Path prov = Dashboards.dashboardsDir().resolve("provisioning");
        Map<String, Object> providers = yaml(prov.resolve("dashboards/gonka.yml"));
        assertEquals(1, providers.get("apiVersion"));
        List<?> list = (List<?>) providers.get("providers");
        assertEquals(1, list.size());
        Map<?, ?> p = (Map<?, ?>) list.get(0);
        assertEquals("file", p.get("type"));
        assertEquals("Gonka", p.get("folder"));
        assertEquals("/var/lib/grafana/dashboards/gonka", ((Map<?, ?>) p.get("options")).get("path"));

        Map<String, Object> ds = yaml(prov.resolve("datasources/prometheus.yml"));
        assertEquals(1, ds.get("apiVersion"));
        Map<?, ?> d = (Map<?, ?>) ((List<?>) ds.get("datasources")).get(0);
        assertEquals("prometheus", d.get("type"));
        assertEquals("prometheus", d.get("uid"));
        assertEquals("Prometheus", d.get("name"));
        assertTrue(String.valueOf(d.get("url")).startsWith("http"), "datasource url: " + d.get("url"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    // ---- the checker catches broken dashboards ---------------------------------------------------

    /** Applies {@code breakIt} to a copy of the host detail dashboard and returns the checker's findings. */
    private static List<String> violationsAfter(Consumer<ObjectNode> breakIt) {
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        dashboards.forEach((k, v) -> copy.put(k, v.deepCopy()));
        breakIt.accept((ObjectNode) copy.get("gonka-host-detail.json"));
        return checker.check(copy);
    }

    private static ObjectNode firstPanel(ObjectNode d, String type) {
        for (JsonNode p : Dashboards.allPanels(d)) {
            if (p.path("type").asText().equals(type)) {
                return (ObjectNode) p;
            }
        }
        throw new AssertionError("no " + type + " panel");
    }

    private static void assertCaught(List<String> violations, String... fragments) {
        assertFalse(violations.isEmpty(), "the checker found nothing wrong");
        for (String f : fragments) {
            assertTrue(violations.stream().anyMatch(v -> v.contains(f)),
                    "expected a violation mentioning '" + f + "', got:\n  " + String.join("\n  ", violations));
        }
    }

    @Test
    void catchesAMadeUpMetricName() {
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "timeseries").path("targets").get(0))
                        .put("expr", "max(gonka_chain_block_heigth{host=~\"$host\"})")),
                "metric 'gonka_chain_block_heigth' is not in METRICS.md");
    }

    @Test
    void catchesAMetricHiddenInsideAFunctionAndAnUnknownFunction() {
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "timeseries").path("targets").get(0))
                        .put("expr", "sum by (host) (rate(gonka_source_failures_total{host=~\"$host\"}[$__rate_interval]))"
                                + " / ratez(gonka_chain_peers[5m])")),
                "metric 'gonka_source_failures_total'", "unknown function 'ratez'");
    }

    @Test
    void catchesALabelTheMetricDoesNotHaveAndAnUndocumentedValue() {
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "timeseries").path("targets").get(0))
                        .put("expr", "gonka_mlnode_status{host=~\"$host\",state=\"FAILED\"}"
                                + " + gonka_epoch_phase{phase=\"POC_GENERATE\"}")),
                "gonka_mlnode_status has no label 'state'", "gonka_epoch_phase{phase=\"POC_GENERATE\"}");
    }

    @Test
    void catchesAnUnknownRecordingRule() {
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "timeseries").path("targets").get(0))
                        .put("expr", "gonka:made_up:ratio{host=~\"$host\"}")),
                "metric 'gonka:made_up:ratio' is not in METRICS.md nor a recording rule");
    }

    @Test
    void acceptsRecordingRulesDefinedUnderAlerts(@org.junit.jupiter.api.io.TempDir Path repo) throws IOException {
        Files.createDirectories(repo.resolve("alerts"));
        Files.writeString(repo.resolve("alerts/recording.rules.yml"), """
                groups:
                  - name: gonka
                    rules:
                      - record: gonka:miss_margin:misses
                        expr: gonka_participant_miss_test_allowed_misses - gonka_participant_missed_requests
                """);
        Set<String> rules = DashboardChecker.loadRecordingRules(repo);
        assertEquals(Set.of("gonka:miss_margin:misses"), rules);
        DashboardChecker withRules = new DashboardChecker(contract, rules);
        List<String> out = new java.util.ArrayList<>();
        withRules.checkExpr("x", "max by (host) (gonka:miss_margin:misses{host=~\"$host\"})", out);
        assertEquals(List.of(), out);
        withRules.checkExpr("x", "gonka:miss_margin:misses_typo", out);
        assertEquals(1, out.size(), out.toString());
    }

    @Test
    void catchesOverlappingPanels() {
        assertCaught(violationsAfter(d -> {
            List<JsonNode> panels = Dashboards.allPanels(d);
            ObjectNode a = (ObjectNode) panels.get(0).path("gridPos");
            ObjectNode b = (ObjectNode) panels.get(1).path("gridPos");
            b.put("x", a.get("x").asInt() + 1).put("y", a.get("y").asInt());
        }), "overlap");
    }

    @Test
    void catchesAPanelWiderThanTheGrid() {
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "stat").path("gridPos")).put("x", 22).put("w", 6)),
                "outside the 24-column grid");
    }

    @Test
    void catchesAHardCodedDatasourceUidOnAPanelOrTarget() {
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "stat").path("datasource"))
                        .put("uid", "P1809F7CD0C75ACF3")),
                "panel 'Block height' (id 1): datasource must be");
        assertCaught(violationsAfter(d -> ((ObjectNode) firstPanel(d, "table").path("targets").get(0))
                        .set("datasource", mapper().createObjectNode().put("type", "prometheus").put("uid", "abc"))),
                "hard-coded datasource", "target A: datasource must be");
        assertCaught(violationsAfter(d -> ((ObjectNode) d.path("templating").path("list").get(1))
                        .put("datasource", "Prometheus")),
                "hard-coded datasource at $.templating.list[1].datasource");
    }

    @Test
    void catchesMissingUnitDescriptionAndDuplicateIds() {
        assertCaught(violationsAfter(d -> {
            ObjectNode ts = firstPanel(d, "timeseries");
            ((ObjectNode) ts.path("fieldConfig").path("defaults")).remove("unit");
            ts.remove("description");
            firstPanel(d, "table").put("id", firstPanel(d, "stat").get("id").asInt());
        }), "no fieldConfig.defaults.unit", "no description", "duplicate panel id");
    }

    @Test
    void catchesMissingVariablesLinksAndUids() {
        assertCaught(violationsAfter(d -> {
            ((ArrayNode) d.path("templating").path("list")).remove(0); // the datasource variable
            ((ArrayNode) d.path("links")).removeAll();
            d.put("uid", "gonka-gpus");
            d.put("schemaVersion", 27);
        }), "no 'datasource' variable", "no dashboard link to gonka-fleet", "uid 'gonka-gpus' is also used",
                "no dashboard has the uid 'gonka-host'", "schemaVersion 27");
    }

    @Test
    void catchesUndefinedVariablesAndLinksThatDropTheHost() {
        assertCaught(violationsAfter(d -> {
            ((ObjectNode) firstPanel(d, "stat").path("targets").get(0))
                    .put("expr", "max(gonka_chain_block_height{host=~\"$hostname\"})");
            ObjectNode ts = firstPanel(d, "timeseries");
            ((ArrayNode) ts.path("links")).addObject().put("title", "x").put("url", "/d/gonka-gpus/gonka-gpus");
        }), "undefined variable $hostname", "does not carry the host");
    }

    @Test
    void catchesTableColumnsThatWillNotExist() {
        assertCaught(violationsAfter(d -> {
            for (JsonNode p : Dashboards.allPanels(d)) {
                if (p.path("title").asText().equals("Setup report checks")) {
                    ObjectNode organize = (ObjectNode) p.path("transformations").get(1).path("options");
                    ((ObjectNode) organize.path("renameByName")).remove("Value");
                    ((ObjectNode) organize.path("renameByName")).put("Value #A", "Result");
                }
                if (p.path("title").asText().equals("ML nodes") && p.path("type").asText().equals("table")) {
                    ObjectNode index = (ObjectNode) p.path("transformations").get(1).path("options").path("indexByName");
                    index.put("Status", index.remove("Value #A").asInt());
                }
                if (p.path("title").asText().equals("Sources now")) {
                    ((ObjectNode) p.path("transformations").get(2).path("options").path("sort").get(0))
                            .put("field", "Upp");
                    for (JsonNode ov : p.path("fieldConfig").path("overrides")) {
                        if (ov.path("matcher").path("options").asText().equals("Poll duration")) {
                            ((ObjectNode) ov.path("matcher")).put("options", "Poll durations");
                        }
                    }
                }
            }
        }), "panel 'Setup report checks' (id", "names 'Value #A', which this panel's queries do not produce",
                "sortBy field 'Upp' is not a column", "indexByName uses the renamed name 'Status'", "override for 'Poll durations', which is not a column");
    }

    @Test
    void rejectsInvalidJson(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path dup = dir.resolve("dup.json");
        Files.writeString(dup, "{\"uid\": \"a\", \"uid\": \"b\"}");
        assertThrows(java.io.UncheckedIOException.class, () -> Dashboards.load(dup));
        Path trailing = dir.resolve("trailing.json");
        Files.writeString(trailing, "{\"uid\": \"a\"} }");
        assertThrows(java.io.UncheckedIOException.class, () -> Dashboards.load(trailing));
    }

    private static com.fasterxml.jackson.databind.ObjectMapper mapper() {
        return Dashboards.mapper();
    }
}
