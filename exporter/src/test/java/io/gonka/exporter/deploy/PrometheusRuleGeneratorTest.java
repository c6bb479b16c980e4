package io.gonka.exporter.deploy;

import static io.gonka.exporter.deploy.Yamls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator on small fixture rule files (the real alerts/ may not exist on this branch yet). */
class PrometheusRuleGeneratorTest {
    static Path fixture() throws Exception {
        var url = PrometheusRuleGeneratorTest.class.getResource("alerts-fixture/a-exporter.rules.yml");
        assertNotNull(url, "fixture on the test classpath");
        return Path.of(url.toURI()).getParent();
    }

    /** Writes {@code spec} as a rule file and runs the real `promtool check rules` on it. */
    static String promtoolCheckRules(Path tmp, Map<String, Object> spec) throws Exception {
        Path file = tmp.resolve("spec.rules.yml");
        Files.writeString(file, new org.yaml.snakeyaml.Yaml().dump(spec), StandardCharsets.UTF_8);
        var r = ScriptRunner.run(List.of("promtool", "check", "rules", file.toString()), Map.of(), false, tmp, 60);
        assertEquals(0, r.exit(), "promtool check rules (apt-get install prometheus):\n" + r.output());
        return r.output();
    }

    static Map<String, Object> parse(String yaml) {
        List<Map<String, Object>> docs = documents(yaml, "generated");
        assertEquals(1, docs.size());
        return docs.get(0);
    }

    @Test
    void copiesEveryGroupInFileNameOrderUnchanged() throws Exception {
        String out = PrometheusRuleGenerator.generate(fixture());
        Map<String, Object> rule = parse(out);
        assertEquals("monitoring.coreos.com/v1", rule.get("apiVersion"));
        assertEquals("PrometheusRule", rule.get("kind"));
        assertEquals("gonka-exporter", mapAt(rule, "rule", "metadata").get("name"));
        assertEquals("gonka-exporter", mapAt(rule, "rule", "metadata", "labels").get("app.kubernetes.io/name"));
        List<Object> groups = listAt(rule, "rule", "spec", "groups");

        Object a = listAt(map(safe().load(Files.readString(fixture().resolve("a-exporter.rules.yml"))), "a"), "a", "groups").get(0);
        Object b = listAt(map(safe().load(Files.readString(fixture().resolve("b-chain.rules.yml"))), "b"), "b", "groups").get(0);
        assertEquals(List.of(a, b), groups, "groups of a-*.rules.yml, then b-*.rules.yml, values unchanged; not-a-rule-file.yml ignored");
        assertTrue(out.contains("Source files: a-exporter.rules.yml, b-chain.rules.yml\n"), out);
        assertTrue(out.contains(PrometheusRuleGenerator.REGENERATE_COMMAND), "tells how to regenerate");
        assertTrue(out.startsWith("# GENERATED"), out);
    }

    @Test
    void keepsTypesAndMultiLineTextReadable() throws Exception {
        String out = PrometheusRuleGenerator.generate(fixture());
        Map<String, Object> chain = map(listAt(parse(out), "rule", "spec", "groups").get(1), "group");
        Map<String, Object> alert = map(list(chain.get("rules"), "rules").get(1), "alert");
        assertEquals("20", mapAt(alert, "alert", "labels").get("threshold"), "a quoted number stays a string");
        assertEquals("5m", alert.get("for"));
        assertEquals("gonka_chain_block_lag_blocks > 20\n  and on() gonka_chain_catching_up == 0\n", alert.get("expr"));
        assertTrue(out.contains("expr: |\n"), "multi-line PromQL as a literal block:\n" + out);
        assertFalse(out.contains("\\n"), "no escaped newlines:\n" + out);
    }

    @Test
    void outputIsAcceptedByPromtool(@TempDir Path tmp) throws Exception {
        Map<String, Object> spec = mapAt(parse(PrometheusRuleGenerator.generate(fixture())), "rule", "spec");
        String out = promtoolCheckRules(tmp, spec);
        assertTrue(out.contains("SUCCESS: 3 rules found"), out);
    }

    @Test
    void deterministic() throws Exception {
        assertEquals(PrometheusRuleGenerator.generate(fixture()), PrometheusRuleGenerator.generate(fixture()));
    }

    @Test
    void noAlertsYetGivesAnEmptyGroupList(@TempDir Path tmp) throws Exception {
        String out = PrometheusRuleGenerator.generate(tmp.resolve("alerts"));
        assertEquals(List.of(), listAt(parse(out), "rule", "spec", "groups"));
        assertTrue(out.contains("Source files: none yet"), out);
    }

    @Test
    void refusesTwoGroupsOfTheSameName(@TempDir Path tmp) throws Exception {
        String g = "groups:\n  - name: same\n    rules:\n      - alert: A\n        expr: vector(1)\n";
        Files.writeString(tmp.resolve("one.rules.yml"), g);
        Files.writeString(tmp.resolve("two.rules.yml"), g);
        var e = assertThrows(IllegalArgumentException.class, () -> PrometheusRuleGenerator.generate(tmp));
        assertTrue(e.getMessage().contains("one.rules.yml") && e.getMessage().contains("two.rules.yml"), e.getMessage());
    }

    @Test
    void refusesWhatIsNotARuleFile(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("bad.rules.yml"), "foo: bar\n");
        var e = assertThrows(IllegalArgumentException.class, () -> PrometheusRuleGenerator.generate(tmp));
        assertTrue(e.getMessage().startsWith("bad.rules.yml:"), e.getMessage());
        Files.writeString(tmp.resolve("bad.rules.yml"), "groups:\n  - rules: []\n");
        e = assertThrows(IllegalArgumentException.class, () -> PrometheusRuleGenerator.generate(tmp));
        assertTrue(e.getMessage().contains("'name'"), e.getMessage());
    }

    @Test
    void mainWritesTheFileIntoARepository(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("deploy/kubernetes"));
        Files.createDirectories(tmp.resolve("alerts"));
        Files.copy(fixture().resolve("a-exporter.rules.yml"), tmp.resolve("alerts/a-exporter.rules.yml"));
        PrometheusRuleGenerator.main(new String[] {tmp.toString()});
        assertEquals(PrometheusRuleGenerator.generate(tmp.resolve("alerts")),
                Files.readString(tmp.resolve(PrometheusRuleGenerator.OUTPUT)));
    }
}
