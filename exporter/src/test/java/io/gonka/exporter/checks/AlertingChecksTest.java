package io.gonka.exporter.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks the alerting part (alerts/) with the real tools: promtool (Prometheus 2.42) and
 * Alertmanager 0.25 (amtool and a running prometheus-alertmanager that notifies a local
 * Telegram/Slack recorder). A missing tool fails the test; nothing is skipped.
 */
class AlertingChecksTest {
    static final String RUNBOOK_BASE =
            "https://github.com/gonka-exporter/gonka-exporter/blob/main/alerts/runbooks/";
    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    /** Labels the scraping Prometheus adds (target labels, external labels). */
    static final Set<String> IDENTITY_LABELS = Set.of("instance", "job", "host", "participant");
    static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    /** Series of the monitoring path and the host, from Prometheus, Alertmanager and node_exporter. */
    static final Pattern FOREIGN_METRIC = Pattern.compile("(prometheus|alertmanager|node)_[A-Za-z0-9_]+");
    /** Metric name pattern -> the label that identifies the thing such an alert is about. */
    static final Map<String, String> SUBJECT_BY_METRIC_PREFIX = Map.of(
            "gonka[_:]mlnode_", "node_id", "gonka_gpu_", "gpu", "gonka_source_", "source");

    // Obviously fake values; the test checks that none of them is ever printed.
    static final String FAKE_TOKEN = "123456:TEST-fake_token_not_a_secret";
    static final String FAKE_CHAT = "-1001234567890";
    static final String FAKE_WEBHOOK = "https://hooks.slack.invalid/services/T000/B000/fake-not-a-secret";
    static final String FAKE_HEARTBEAT = "https://hc-ping.invalid/fake-heartbeat-not-a-secret";

    static final String EVIL_HOST = "<b>&\"x\"</b>";
    static final String EVIL_NODE = "n<1>&\"q\"";

    static final ObjectMapper JSON = new ObjectMapper();

    static Path repo;
    static Path alerts;
    static Path contract;

    @BeforeAll
    static void locate() {
        repo = Path.of(System.getProperty("gonka.repo.dir", "..")).toAbsolutePath().normalize();
        contract = io.gonka.exporter.support.Fixtures.metricsContract();
        alerts = repo.resolve("alerts");
        assertTrue(Files.isDirectory(alerts), "no alerts/ directory under gonka.repo.dir=" + repo);
        assertTrue(Files.isRegularFile(contract), "no metric contract at " + contract);
    }

    // ------------------------------------------------------------------ rule files

    record Rule(Path file, String group, Map<String, Object> def) {
        String alert() {
            return (String) def.get("alert");
        }

        String record() {
            return (String) def.get("record");
        }

        String expr() {
            return String.valueOf(def.get("expr"));
        }

        @SuppressWarnings("unchecked")
        Map<String, String> labels() {
            return (Map<String, String>) def.getOrDefault("labels", Map.of());
        }

        @SuppressWarnings("unchecked")
        Map<String, String> annotations() {
            return (Map<String, String>) def.getOrDefault("annotations", Map.of());
        }

        String where() {
            return repo.relativize(file) + " / " + group + " / " + (alert() != null ? alert() : record());
        }
    }

    static List<Path> filesEndingWith(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    static List<Path> ruleFiles() throws IOException {
        return filesEndingWith(alerts, ".rules.yml");
    }

    static List<Path> testFiles() throws IOException {
        return filesEndingWith(alerts.resolve("tests"), ".test.yml");
    }

    @SuppressWarnings("unchecked")
    static List<Rule> rules() throws IOException {
        List<Rule> out = new ArrayList<>();
        for (Path f : ruleFiles()) {
            Map<String, Object> doc = new Yaml().load(Files.readString(f));
            for (Map<String, Object> g : (List<Map<String, Object>>) doc.get("groups")) {
                for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
                    out.add(new Rule(f, (String) g.get("name"), r));
                }
            }
        }
        return out;
    }

    static List<Rule> alertRules() throws IOException {
        return rules().stream().filter(r -> r.alert() != null).toList();
    }

    static Set<String> recordingNames() throws IOException {
        return rules().stream().map(Rule::record).filter(n -> n != null).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Runs "promtool <subcommand> rules <files>", asserting exit 0, one SUCCESS per file and no FAILED. */
    static String promtoolRules(String subcommand, List<Path> files, String success) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Proc.requireTool("promtool"), subcommand, "rules"));
        files.forEach(f -> cmd.add(f.toString()));
        Proc.Result r = Proc.run(cmd, alerts.resolve("tests"), TOOL_TIMEOUT);
        assertEquals(0, r.exit(), r.describe(cmd));
        assertEquals(files.size(), count(r.output(), success), r.describe(cmd));
        assertFalse(r.output().contains("FAILED"), r.describe(cmd));
        return r.output();
    }

    @Test
    void promtoolCheckRulesAcceptsEveryRuleFile() throws Exception {
        List<Path> files = ruleFiles();
        assertTrue(files.size() >= 6, "expected the recording file and five alert rule files, found " + files);
        String out = promtoolRules("check", files, "SUCCESS: ");
        for (Path f : files) {
            assertTrue(out.contains("Checking " + f), out);
        }
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        List<Path> files = testFiles();
        assertTrue(files.size() >= 5, "expected a test file per rule file, found " + files);
        promtoolRules("test", files, "SUCCESS");
    }

    @Test
    void everyAlertHasSeverityAndAnnotations() throws Exception {
        List<Rule> rules = alertRules();
        assertTrue(rules.size() >= 30, "expected the full alert set, found " + rules.size());
        List<String> problems = new ArrayList<>();
        for (Rule r : rules) {
            if (!r.alert().matches("Gonka[A-Z][A-Za-z]+")) {
                problems.add(r.where() + ": alert names are GonkaCamelCase");
            }
            String severity = r.labels().get("severity");
            if (!SEVERITIES.contains(severity)) {
                problems.add(r.where() + ": severity must be one of " + SEVERITIES + ", is " + severity);
            }
            for (String a : List.of("summary", "description", "runbook_url")) {
                String v = r.annotations().get(a);
                if (v == null || v.isBlank()) {
                    problems.add(r.where() + ": missing annotation " + a);
                }
            }
            String description = r.annotations().getOrDefault("description", "");
            if ("fleet".equals(r.labels().get("scope"))) {
                continue; // about the whole fleet or the alerting path: no host or instance of its own
            }
            if (!description.contains("$labels.instance")) {
                problems.add(r.where() + ": the description must name the instance ($labels.instance)");
            }
            if (!description.contains("$labels.host")) {
                problems.add(r.where() + ": the description must name the host when present ($labels.host)");
            }
            // alerts on per-node, per-GPU or per-source series must say which one
            for (Map.Entry<String, String> subject : SUBJECT_BY_METRIC_PREFIX.entrySet()) {
                if (Pattern.compile(subject.getKey()).matcher(r.expr()).find()
                        && !description.contains("$labels." + subject.getValue())) {
                    problems.add(r.where() + ": the description must name the " + subject.getValue());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void forDurationsArePlainLiterals() throws Exception {
        // An end-to-end test shortens for: values with a regex; anything but a literal would break it.
        Pattern forLine = Pattern.compile("^\\s*for:\\s*(.*?)\\s*$", Pattern.MULTILINE);
        int seen = 0;
        for (Path f : ruleFiles()) {
            Matcher m = forLine.matcher(Files.readString(f));
            while (m.find()) {
                seen++;
                assertTrue(m.group(1).matches("[0-9]+[smhdwy]"), f + ": for: " + m.group(1) + " is not a plain duration");
            }
        }
        long withFor = alertRules().stream().filter(r -> r.def().containsKey("for")).count();
        assertEquals(withFor, seen, "every for: must sit on its own line as 'for: <duration>'");
        assertTrue(seen >= 25, "most alerts need a for:, found " + seen);
    }

    @Test
    void everyRunbookUrlPointsAtAnExistingRunbookSection() throws Exception {
        Path runbooks = alerts.resolve("runbooks");
        Map<String, Set<String>> anchorsByFile = new TreeMap<>();
        for (Path md : filesEndingWith(runbooks, ".md")) {
            anchorsByFile.put(md.getFileName().toString(), headingAnchors(Files.readString(md)));
        }
        List<String> problems = new ArrayList<>();
        Set<String> alertNames = new TreeSet<>();
        for (Rule r : alertRules()) {
            alertNames.add(r.alert());
            String url = r.annotations().getOrDefault("runbook_url", "");
            if (!url.startsWith(RUNBOOK_BASE)) {
                problems.add(r.where() + ": runbook_url must start with " + RUNBOOK_BASE + ": " + url);
                continue;
            }
            String rest = url.substring(RUNBOOK_BASE.length());
            String file = rest.contains("#") ? rest.substring(0, rest.indexOf('#')) : rest;
            String anchor = rest.contains("#") ? rest.substring(rest.indexOf('#') + 1) : null;
            if (!anchorsByFile.containsKey(file)) {
                problems.add(r.where() + ": no runbook file alerts/runbooks/" + file);
            } else if (anchor == null || !anchorsByFile.get(file).contains(anchor)) {
                problems.add(r.where() + ": no section #" + anchor + " in alerts/runbooks/" + file);
            }
            if (!r.alert().toLowerCase(Locale.ROOT).equals(anchor)) {
                problems.add(r.where() + ": the anchor should be the alert name in lower case, is " + anchor);
            }
        }
        // and no runbook section for an alert that does not exist (any more)
        for (String file : anchorsByFile.keySet()) {
            for (String line : Files.readAllLines(runbooks.resolve(file))) {
                if (line.startsWith("## ") && !alertNames.contains(line.substring(3).trim())) {
                    problems.add(file + ": section '" + line + "' is not an alert name");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : markdown.split("\n")) {
            Matcher m = Pattern.compile("^#{1,6}\\s+(.+?)\\s*$").matcher(line);
            if (m.matches()) {
                anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertIsUnitTestedFiringAndQuiet() throws Exception {
        Map<String, Set<String>> firedSeverities = new HashMap<>();
        Map<String, Integer> quietCases = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path f : testFiles()) {
            Map<String, Object> doc = new Yaml().load(Files.readString(f));
            for (Map<String, Object> t : (List<Map<String, Object>>) doc.get("tests")) {
                for (Map<String, Object> c : (List<Map<String, Object>>) t.getOrDefault("alert_rule_test", List.of())) {
                    String name = (String) c.get("alertname");
                    List<Map<String, Object>> exp = (List<Map<String, Object>>) c.getOrDefault("exp_alerts", List.of());
                    if (exp == null || exp.isEmpty()) {
                        quietCases.merge(name, 1, Integer::sum);
                    }
                    for (Map<String, Object> e : exp == null ? List.<Map<String, Object>>of() : exp) {
                        Map<String, Object> labels = (Map<String, Object>) e.getOrDefault("exp_labels", Map.of());
                        Map<String, Object> ann = (Map<String, Object>) e.getOrDefault("exp_annotations", Map.of());
                        firedSeverities.computeIfAbsent(name, k -> new TreeSet<>()).add(String.valueOf(labels.get("severity")));
                        if (!ann.keySet().containsAll(List.of("summary", "description", "runbook_url"))) {
                            problems.add(f.getFileName() + ": " + name + " at " + c.get("eval_time")
                                    + " must spell out summary, description and runbook_url");
                        }
                        if (!labels.containsKey("instance") && !"fleet".equals(labels.get("scope"))) {
                            problems.add(f.getFileName() + ": " + name + " at " + c.get("eval_time") + " must spell out the labels");
                        }
                    }
                }
            }
        }
        for (Rule r : alertRules()) {
            String sev = r.labels().get("severity");
            if (!firedSeverities.getOrDefault(r.alert(), Set.of()).contains(sev)) {
                problems.add(r.alert() + " (" + sev + ") has no promtool case where it fires");
            }
            if (quietCases.getOrDefault(r.alert(), 0) == 0 && !r.expr().trim().equals("vector(1)")) {
                problems.add(r.alert() + " has no promtool case where it must stay quiet");
            }
        }
        assertEquals(List.of(), problems);
    }

    // ------------------------------------------------------------------ metric names

    static Set<String> contractMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("`(gonka_[a-z0-9_]+)`").matcher(Files.readString(contract));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Metric -> labels from the METRICS.md tables (the label column may also list state values). */
    static Map<String, Set<String>> contractLabels() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        Pattern tick = Pattern.compile("`([A-Za-z0-9_]+)`");
        for (String line : Files.readAllLines(contract)) {
            if (!line.startsWith("| `gonka_")) {
                continue;
            }
            String[] cells = line.split("\\|");
            Set<String> labels = new TreeSet<>();
            if (cells.length > 3) {
                Matcher l = tick.matcher(cells[3]);
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
            Matcher n = tick.matcher(cells[1]);
            while (n.find()) {
                out.put(n.group(1), labels);
            }
        }
        return out;
    }

    /** Problems with one expression: unknown metrics, or matchers on labels the metric does not have. */
    static List<String> metricProblems(String expr, Set<String> contract, Map<String, Set<String>> labels,
            Set<String> recordings) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Set<String>> sel : PromQl.selectors(expr).entrySet()) {
            String name = sel.getKey();
            Set<String> allowed = new TreeSet<>(IDENTITY_LABELS);
            if (FOREIGN_METRIC.matcher(name).matches()) {
                continue; // Prometheus', Alertmanager's and node_exporter's own series, with their own labels
            }
            if (name.equals("up")) {
                // Prometheus' own series
            } else if (recordings.contains(name)) {
                labels.values().forEach(allowed::addAll);
            } else if (contract.contains(name)) {
                allowed.addAll(labels.getOrDefault(name, Set.of()));
            } else {
                problems.add("unknown metric " + name);
                continue;
            }
            for (String l : sel.getValue()) {
                if (!allowed.contains(l)) {
                    problems.add(name + " has no label " + l);
                }
            }
        }
        return problems;
    }

    @Test
    void ruleExpressionsUseOnlyContractMetricsAndLabels() throws Exception {
        Set<String> contract = contractMetrics();
        Map<String, Set<String>> labels = contractLabels();
        assertTrue(contract.size() > 50 && labels.containsKey("gonka_mlnode_status")
                && labels.get("gonka_mlnode_status").contains("node_id"), "METRICS.md not parsed: " + labels);
        Set<String> recordings = recordingNames();
        List<String> problems = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Rule r : rules()) {
            used.addAll(PromQl.selectors(r.expr()).keySet());
            metricProblems(r.expr(), contract, labels, recordings).forEach(p -> problems.add(r.where() + ": " + p));
            // metrics named inside annotation templates (query "...") as well
            for (String text : r.annotations().values()) {
                Matcher m = Pattern.compile("\\b(gonka[_:][a-z0-9_:]*[a-z0-9_])").matcher(text);
                while (m.find()) {
                    if (!contract.contains(m.group(1)) && !recordings.contains(m.group(1))) {
                        problems.add(r.where() + ": annotation uses unknown metric " + m.group(1));
                    }
                }
            }
            if (r.record() != null && !r.record().matches("[a-z][a-z0-9_]*:[a-z0-9_]+:[a-z0-9_]+")) {
                problems.add(r.where() + ": recording rules are named level:metric:operations");
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(used.containsAll(List.of("up", "gonka_source_up", "gonka_chain_block_lag_blocks",
                "gonka_mlnode_status", "gonka_gpu_xid_errors_total", "gonka_participant_miss_test_failing", "gonka:mlnode_poc_weight:sum")),
                "the scanner missed metrics the rules certainly use: " + used);
    }

    @Test
    void metricScannerFindsSelectorsAndFlagsUnknownNames() throws Exception {
        String expr = "sum by (instance, host) (rate(foo_total{job=\"x\", a=~\"b|}c\"}[5m])) + max without (gpu) (quux)\n"
                + "  / on (instance) group_left (node_id) bar > bool 3\n"
                + "  and baz offset 5m unless max_over_time(qux[1h:1m]) # fake_metric in a comment";
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        expected.put("foo_total", Set.of("job", "a"));
        expected.put("quux", Set.of());
        expected.put("bar", Set.of());
        expected.put("baz", Set.of());
        expected.put("qux", Set.of());
        assertEquals(expected, PromQl.selectors(expr));

        Set<String> contract = contractMetrics();
        Map<String, Set<String>> labels = contractLabels();
        assertEquals(List.of("unknown metric gonka_chain_peer_count"), metricProblems(
                "gonka_chain_peers < 3 and gonka_chain_peer_count > 0", contract, labels, Set.of()));
        assertEquals(List.of("gonka_mlnode_up has no label node"), metricProblems(
                "gonka_mlnode_up{node=\"a\", instance=\"b\"} == 0", contract, labels, Set.of()));
        assertEquals(List.of(), metricProblems(
                "gonka_mlnode_status{node_id=\"a\", status=\"FAILED\", host=\"h\"} == 1", contract, labels, Set.of()));
    }

    // ------------------------------------------------------------------ Alertmanager config

    static Path script() {
        return alerts.resolve("alertmanager/render-config.sh");
    }

    static Map<String, String> secretsEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("TELEGRAM_BOT_TOKEN", FAKE_TOKEN);
        env.put("TELEGRAM_CHAT_ID", FAKE_CHAT);
        env.put("SLACK_WEBHOOK_URL", FAKE_WEBHOOK);
        return env;
    }

    static Proc.Result render(Path out, Map<String, String> env) throws Exception {
        assertTrue(Files.isExecutable(script()), script() + " must be executable");
        return Proc.run(List.of(script().toString(), out.toString()), repo, env, Duration.ofSeconds(20));
    }

    static void assertNoSecretIn(String output, String... secrets) {
        for (String s : secrets) {
            assertFalse(output.contains(s), "a secret value was printed: " + output);
        }
    }

    @Test
    void shippedAlertmanagerTemplateHoldsNoSecrets() throws Exception {
        String template = Files.readString(alerts.resolve("alertmanager/alertmanager.yml"));
        for (String placeholder : List.of("'__TELEGRAM_BOT_TOKEN__'", "chat_id: __TELEGRAM_CHAT_ID__",
                "slack_api_url: '__SLACK_API_URL__'", "telegram_api_url: '__TELEGRAM_API_URL__'", "'__TEMPLATES_DIR__/*.tmpl'")) {
            assertTrue(template.contains(placeholder), "alertmanager.yml should carry the placeholder " + placeholder);
        }
        new Yaml().load(template); // the template itself is valid YAML
        Pattern token = Pattern.compile("\\b[0-9]{6,}:[A-Za-z0-9_-]{30,}\\b");
        Pattern webhook = Pattern.compile("hooks\\.slack\\.com/services/[A-Z0-9]+/");
        try (Stream<Path> files = Files.walk(alerts)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                assertFalse(token.matcher(text).find(), f + " contains something like a Telegram bot token");
                assertFalse(webhook.matcher(text).find(), f + " contains a Slack webhook URL");
            }
        }
    }

    @Test
    void renderedConfigPassesAmtoolAndRoutesBySeverity(@TempDir Path tmp) throws Exception {
        String amtool = Proc.requireTool("amtool");
        Path out = tmp.resolve("alertmanager.yml");
        Proc.Result r = render(out, secretsEnv());
        assertEquals(0, r.exit(), r.output());
        assertNoSecretIn(r.output(), FAKE_TOKEN, FAKE_CHAT, FAKE_WEBHOOK);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        String rendered = Files.readString(out);
        assertFalse(rendered.matches("(?s).*__[A-Z_]+__.*"), "placeholders left:\n" + rendered);
        assertTrue(rendered.contains("bot_token: '" + FAKE_TOKEN + "'") && rendered.contains("chat_id: " + FAKE_CHAT)
                && rendered.contains("slack_api_url: '" + FAKE_WEBHOOK + "'")
                && rendered.contains("telegram_api_url: 'https://api.telegram.org'"), rendered);

        List<String> check = List.of(amtool, "check-config", out.toString());
        Proc.Result c = Proc.run(check, tmp, TOOL_TIMEOUT);
        assertEquals(0, c.exit(), c.describe(check));
        assertTrue(c.output().contains("10 inhibit rules") && c.output().contains("4 receivers")
                && c.output().matches("(?s).*- 1 templates\\s+SUCCESS.*"), c.describe(check));

        Map<String, String> expectedReceiver = Map.of(
                "severity=critical alertname=GonkaChainStalled host=h1", "gonka-critical",
                "severity=warning alertname=GonkaChainBlockLag", "gonka-warning",
                "severity=info alertname=GonkaChainUpgradePlanned", "gonka-info",
                "severity=info alertname=GonkaWatchdog scope=fleet", "gonka-heartbeat",
                "severity=critical alertname=GonkaParticipantNotInEpoch host=h1", "gonka-critical",
                "alertname=SomethingWithoutSeverity", "gonka-warning");
        for (Map.Entry<String, String> e : expectedReceiver.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(amtool, "config", "routes", "test", "--config.file=" + out));
            cmd.addAll(List.of(e.getKey().split(" ")));
            Proc.Result t = Proc.run(cmd, tmp, TOOL_TIMEOUT);
            assertEquals(0, t.exit(), t.describe(cmd));
            assertEquals(e.getValue(), t.output().lines().filter(l -> !l.startsWith("Warning:"))
                    .collect(Collectors.joining("\n")).trim(), t.describe(cmd));
        }

        // Repeat intervals that fit each alert.
        assertEquals(Map.of("GonkaWatchdog", "50s", "GonkaParticipantNotInEpoch", "12h", "GonkaParticipantNotActive", "12h",
                "GonkaHostNotReporting", "3h", "GonkaChainStalled", "1h", "GonkaChainBlockLag", "4h",
                "GonkaRewardNotClaimed", "12h", "GonkaChainUpgradePlanned", "24h"),
                repeatIntervals(new Yaml().load(rendered), Map.of(
                        "GonkaWatchdog", "info", "GonkaParticipantNotInEpoch", "critical", "GonkaParticipantNotActive", "critical",
                        "GonkaHostNotReporting", "critical", "GonkaChainStalled", "critical", "GonkaChainBlockLag", "warning",
                        "GonkaRewardNotClaimed", "warning", "GonkaChainUpgradePlanned", "info")));

        // Secrets from files: the Slack webhook stays in its file (slack_api_url_file).
        Path tokenFile = Files.writeString(tmp.resolve("bot_token"), FAKE_TOKEN + "\n");
        Path chatFile = Files.writeString(tmp.resolve("chat_id"), FAKE_CHAT + "\n");
        Path hookFile = Files.writeString(tmp.resolve("slack_webhook"), FAKE_WEBHOOK + "\n");
        Path out2 = tmp.resolve("from-files.yml");
        Proc.Result r2 = render(out2, Map.of("TELEGRAM_BOT_TOKEN_FILE", tokenFile.toString(),
                "TELEGRAM_CHAT_ID_FILE", chatFile.toString(), "SLACK_WEBHOOK_URL_FILE", hookFile.toString()));
        assertEquals(0, r2.exit(), r2.output());
        assertNoSecretIn(r2.output(), FAKE_TOKEN, FAKE_CHAT, FAKE_WEBHOOK);
        String fromFiles = Files.readString(out2);
        assertTrue(fromFiles.contains("slack_api_url_file: '" + hookFile + "'"), fromFiles);
        assertFalse(fromFiles.contains(FAKE_WEBHOOK), "the webhook URL must stay in its file");
        assertTrue(fromFiles.contains("bot_token: '" + FAKE_TOKEN + "'") && fromFiles.contains("chat_id: " + FAKE_CHAT), fromFiles);
        List<String> check2 = List.of(amtool, "check-config", out2.toString());
        Proc.Result c2 = Proc.run(check2, tmp, TOOL_TIMEOUT);
        assertEquals(0, c2.exit(), c2.describe(check2));
    }

    /** The repeat_interval Alertmanager applies to each alert (the first matching route, inherited values). */
    @SuppressWarnings("unchecked")
    static Map<String, String> repeatIntervals(Map<String, Object> cfg, Map<String, String> severityByAlert) {
        Map<String, String> out = new TreeMap<>();
        severityByAlert.forEach((alert, severity) -> {
            Map<String, Object> node = (Map<String, Object>) cfg.get("route");
            String repeat = (String) node.get("repeat_interval");
            descend:
            while (true) {
                for (Map<String, Object> child : (List<Map<String, Object>>) node.getOrDefault("routes", List.of())) {
                    if (matchesAll((List<String>) child.get("matchers"), Map.of("alertname", alert, "severity", severity))) {
                        node = child;
                        repeat = (String) child.getOrDefault("repeat_interval", repeat);
                        continue descend;
                    }
                }
                break;
            }
            out.put(alert, repeat);
        });
        return out;
    }

    /** Matchers of the forms used in alertmanager.yml: name="value" and name=~"regex". */
    static boolean matchesAll(List<String> matchers, Map<String, String> labels) {
        for (String m : matchers) {
            Matcher p = Pattern.compile("([a-z_]+)(=~|=)\"(.*)\"").matcher(m);
            assertTrue(p.matches(), "unexpected matcher " + m);
            String value = labels.getOrDefault(p.group(1), "");
            if (p.group(2).equals("=") ? !value.equals(p.group(3)) : !value.matches(p.group(3))) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    static Set<String> integrations(Map<String, Object> cfg, String receiver) {
        for (Map<String, Object> r : (List<Map<String, Object>>) cfg.get("receivers")) {
            if (r.get("name").equals(receiver)) {
                Set<String> keys = new TreeSet<>(r.keySet());
                keys.remove("name");
                return keys;
            }
        }
        throw new AssertionError("no receiver " + receiver);
    }

    @Test
    @SuppressWarnings("unchecked")
    void telegramOnlySlackOnlyAndBothRenderAndPassAmtool(@TempDir Path tmp) throws Exception {
        String amtool = Proc.requireTool("amtool");
        Map<String, String> telegramOnly = secretsEnv();
        telegramOnly.remove("SLACK_WEBHOOK_URL");
        Map<String, String> slackOnly = secretsEnv();
        slackOnly.remove("TELEGRAM_BOT_TOKEN");
        slackOnly.remove("TELEGRAM_CHAT_ID");
        Map<String, Set<String>> expected = Map.of(
                "telegram", Set.of("telegram_configs"), "slack", Set.of("slack_configs"), "both", Set.of("telegram_configs", "slack_configs"));
        Map<String, Map<String, String>> envs = Map.of("telegram", telegramOnly, "slack", slackOnly, "both", secretsEnv());
        for (String which : List.of("telegram", "slack", "both")) {
            Path out = tmp.resolve(which + ".yml");
            Proc.Result r = render(out, envs.get(which));
            assertEquals(0, r.exit(), which + ": " + r.output());
            assertNoSecretIn(r.output(), FAKE_TOKEN, FAKE_CHAT, FAKE_WEBHOOK);
            assertTrue(r.output().contains("warning: no HEARTBEAT_URL or HEARTBEAT_URL_FILE"), r.output());
            List<String> check = List.of(amtool, "check-config", out.toString());
            Proc.Result c = Proc.run(check, tmp, TOOL_TIMEOUT);
            assertEquals(0, c.exit(), c.describe(check));
            assertTrue(c.output().contains("4 receivers"), c.describe(check));
            String rendered = Files.readString(out);
            assertFalse(rendered.contains("# telegram begin") || rendered.contains("# slack end"), "marker lines are removed");
            Map<String, Object> cfg = new Yaml().load(rendered);
            for (String receiver : List.of("gonka-critical", "gonka-warning", "gonka-info")) {
                assertEquals(expected.get(which), integrations(cfg, receiver), which + ": " + receiver + "\n" + rendered);
            }
            assertEquals(Set.of(), integrations(cfg, "gonka-heartbeat"), "no heartbeat URL: a receiver that sends nothing");
            Map<String, Object> global = (Map<String, Object>) cfg.get("global");
            assertEquals(!which.equals("slack"), global.containsKey("telegram_api_url"), which + ": " + global);
            assertEquals(!which.equals("telegram"), global.containsKey("slack_api_url"), which + ": " + global);
        }
        // info alerts go to Telegram too, silently
        Map<String, Object> cfg = new Yaml().load(Files.readString(tmp.resolve("both.yml")));
        for (Map<String, Object> r : (List<Map<String, Object>>) cfg.get("receivers")) {
            if (!r.get("name").equals("gonka-heartbeat")) {
                Map<String, Object> tg = ((List<Map<String, Object>>) r.get("telegram_configs")).get(0);
                assertEquals(!r.get("name").equals("gonka-critical"), tg.get("disable_notifications"), r.get("name") + ": " + tg);
            }
        }

        Map<String, String> nothing = new HashMap<>();
        Proc.Result none = render(tmp.resolve("none.yml"), nothing);
        assertNotEquals(0, none.exit());
        assertTrue(none.output().contains("configure Telegram (TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or their _FILE forms), Slack"),
                none.output());
        assertFalse(Files.exists(tmp.resolve("none.yml")));
    }

    /**
     * The compose path (Alertmanager 0.26 or newer, secrets in a folder) refers to the secret
     * files, so the rendered config holds no secret; the Debian 0.25 path copies them. Both come
     * from the same template, and differ in exactly the secret lines. Debian has only 0.25, so
     * the 0.26 file is checked against the 0.25 one that amtool accepts, line by line; the field
     * names are those of Alertmanager 0.26's config/notifiers.go (bot_token_file, url_file).
     */
    @Test
    @SuppressWarnings("unchecked")
    void alertmanager026ReadsSecretFilesAndTheRenderedConfigHoldsNone(@TempDir Path tmp) throws Exception {
        String amtool = Proc.requireTool("amtool");
        Path secrets = Files.createDirectories(tmp.resolve("secrets"));
        Path token = Files.writeString(secrets.resolve("telegram_bot_token"), FAKE_TOKEN + "\n");
        Files.writeString(secrets.resolve("telegram_chat_id"), FAKE_CHAT + "\n");
        Path hook = Files.writeString(secrets.resolve("slack_webhook_url"), FAKE_WEBHOOK + "\n");
        Path beat = Files.writeString(secrets.resolve("heartbeat_url"), FAKE_HEARTBEAT + "\n");

        Path old = tmp.resolve("0.25.yml");
        Proc.Result r25 = render(old, Map.of("SECRETS_DIR", secrets.toString()));
        assertEquals(0, r25.exit(), r25.output());
        assertTrue(r25.output().contains("for Alertmanager 0.25 to Telegram and Slack, heartbeat on") && r25.output().contains("it contains secrets"),
                r25.output());
        Path now = tmp.resolve("0.27.yml");
        Proc.Result r27 = render(now, Map.of("SECRETS_DIR", secrets.toString(), "ALERTMANAGER_VERSION", "0.27.0"));
        assertEquals(0, r27.exit(), r27.output());
        assertTrue(r27.output().contains("it refers to the secret files and holds no secret"), r27.output());
        for (Proc.Result r : List.of(r25, r27)) {
            assertNoSecretIn(r.output(), FAKE_TOKEN, FAKE_CHAT, FAKE_WEBHOOK, FAKE_HEARTBEAT);
        }

        String rendered25 = Files.readString(old);
        String rendered27 = Files.readString(now);
        assertNoSecretIn(rendered27, FAKE_TOKEN, FAKE_WEBHOOK, FAKE_HEARTBEAT);
        assertTrue(rendered25.contains("bot_token: '" + FAKE_TOKEN + "'") && rendered25.contains("url: '" + FAKE_HEARTBEAT + "'"), rendered25);
        String expected27 = rendered25.replace("bot_token: '" + FAKE_TOKEN + "'", "bot_token_file: '" + token + "'")
                .replace("url: '" + FAKE_HEARTBEAT + "'", "url_file: '" + beat + "'");
        assertEquals(expected27, rendered27, "the 0.26 config is the 0.25 one with the secrets referred to by file");
        assertTrue(rendered27.contains("slack_api_url_file: '" + hook + "'"), rendered27);

        List<String> check = List.of(amtool, "check-config", old.toString());
        Proc.Result c = Proc.run(check, tmp, TOOL_TIMEOUT);
        assertEquals(0, c.exit(), c.describe(check));
        Map<String, Object> cfg = new Yaml().load(rendered27);
        Map<String, Object> hb = ((List<Map<String, Object>>) ((List<Map<String, Object>>) cfg.get("receivers")).stream()
                .filter(x -> x.get("name").equals("gonka-heartbeat")).findFirst().orElseThrow().get("webhook_configs")).get(0);
        assertEquals(Map.of("url_file", beat.toString(), "send_resolved", false, "max_alerts", 1), hb);
    }

    @Test
    void renderScriptRefusesMissingOrMalformedSecretsWithoutPrintingThem(@TempDir Path tmp) throws Exception {
        Path tokenFile = Files.writeString(tmp.resolve("bot_token"), FAKE_TOKEN);
        String badToken = "not-a-token' injected: yes";
        record Case(String what, Map<String, String> env, String message) {
        }
        List<Case> cases = new ArrayList<>();
        Map<String, String> noToken = secretsEnv();
        noToken.remove("TELEGRAM_BOT_TOKEN");
        cases.add(new Case("no bot token", noToken, "TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE must be set"));
        Map<String, String> noChat = secretsEnv();
        noChat.remove("TELEGRAM_CHAT_ID");
        cases.add(new Case("no chat id", noChat, "TELEGRAM_CHAT_ID or TELEGRAM_CHAT_ID_FILE must be set"));
        Map<String, String> badBeat = secretsEnv();
        badBeat.put("HEARTBEAT_URL", "hc-ping.invalid/" + FAKE_TOKEN);
        cases.add(new Case("malformed heartbeat URL", badBeat, "HEARTBEAT_URL must be an http(s) URL"));
        Map<String, String> badVersion = secretsEnv();
        badVersion.put("ALERTMANAGER_VERSION", "latest");
        cases.add(new Case("unknown Alertmanager version", badVersion, "ALERTMANAGER_VERSION must look like 0.27"));
        Map<String, String> both = secretsEnv();
        both.put("TELEGRAM_BOT_TOKEN_FILE", tokenFile.toString());
        cases.add(new Case("token twice", both, "set only one of TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_TOKEN_FILE"));
        Map<String, String> bad = secretsEnv();
        bad.put("TELEGRAM_BOT_TOKEN", badToken);
        cases.add(new Case("malformed token", bad, "TELEGRAM_BOT_TOKEN does not look like a bot token"));
        Map<String, String> badChat = secretsEnv();
        badChat.put("TELEGRAM_CHAT_ID", "@mychannel");
        cases.add(new Case("malformed chat id", badChat, "TELEGRAM_CHAT_ID must be a number"));
        Map<String, String> emptyFile = secretsEnv();
        emptyFile.remove("TELEGRAM_BOT_TOKEN");
        emptyFile.put("TELEGRAM_BOT_TOKEN_FILE", Files.writeString(tmp.resolve("empty"), "\n").toString());
        cases.add(new Case("empty token file", emptyFile, "TELEGRAM_BOT_TOKEN_FILE points at"));

        for (Case c : cases) {
            Path out = tmp.resolve("out-" + cases.indexOf(c) + ".yml");
            Proc.Result r = render(out, c.env());
            assertNotEquals(0, r.exit(), c.what() + ": must fail, printed " + r.output());
            assertTrue(r.output().contains(c.message()), c.what() + ": expected '" + c.message() + "' in: " + r.output());
            assertNoSecretIn(r.output(), FAKE_TOKEN, FAKE_CHAT, FAKE_WEBHOOK, badToken);
            assertFalse(Files.exists(out), c.what() + ": no config may be written");
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".alertmanager")).toList(),
                    "temporary files left behind");
        }
    }

    // ------------------------------------------------------------------ a running Alertmanager

    /** Renders the shipped config against the recorder, with group timers shortened for the test. */
    @SuppressWarnings("unchecked")
    static Path liveConfig(Path tmp, HttpRecorder recorder) throws Exception {
        Map<String, String> env = secretsEnv();
        env.put("TELEGRAM_API_URL", recorder.baseUrl());
        env.put("SLACK_API_URL", recorder.baseUrl() + "/slack/hook");
        env.put("HEARTBEAT_URL", recorder.baseUrl() + "/heartbeat");
        Path out = tmp.resolve("alertmanager.yml");
        Proc.Result r = render(out, env);
        assertEquals(0, r.exit(), r.output());
        // Only the timers change: routing, inhibition, receivers and templates are as shipped.
        Map<String, Object> cfg = new Yaml().load(Files.readString(out));
        Map<String, Object> route = (Map<String, Object>) cfg.get("route");
        Deque<Map<String, Object>> todo = new ArrayDeque<>(List.of(route));
        while (!todo.isEmpty()) {
            Map<String, Object> node = todo.pop();
            node.put("group_wait", "1s");
            node.put("group_interval", "1s");
            todo.addAll((List<Map<String, Object>>) node.getOrDefault("routes", List.of()));
        }
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(out, new Yaml(opts).dump(cfg));
        return out;
    }

    static Map<String, Object> alert(Map<String, String> labels, Map<String, String> annotations) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("labels", labels);
        a.put("annotations", annotations);
        return a;
    }

    static Map<String, Object> resolved(Map<String, Object> alert) {
        Map<String, Object> a = new LinkedHashMap<>(alert);
        a.put("endsAt", Instant.now().minusSeconds(60).toString());
        return a;
    }

    static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, String> annotations(String summary, String description, String runbook) {
        return labels("summary", summary, "description", description, "runbook_url", RUNBOOK_BASE + runbook);
    }

    /** chat_id / text / parse_mode / disable_notification of a Telegram sendMessage call (JSON or form). */
    static Map<String, String> telegramFields(HttpRecorder.Request r) throws IOException {
        Map<String, String> out = new HashMap<>();
        if (r.contentType() != null && r.contentType().contains("json")) {
            JSON.readTree(r.body()).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } else {
            for (String pair : r.body().split("&")) {
                int eq = pair.indexOf('=');
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static String telegramText(HttpRecorder.Request r) {
        try {
            return telegramFields(r).getOrDefault("text", "");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode slackAttachment(HttpRecorder.Request r) {
        try {
            return JSON.readTree(r.body()).path("attachments").path(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static boolean isTelegram(HttpRecorder.Request r) {
        return r.path().equals("/bot" + FAKE_TOKEN + "/sendMessage");
    }

    static boolean isSlack(HttpRecorder.Request r) {
        return r.path().equals("/slack/hook");
    }

    static boolean isHeartbeat(HttpRecorder.Request r) {
        return r.path().equals("/heartbeat");
    }

    /**
     * Telegram's HTML mode: only b/i/code/a tags, properly nested, and every & starts an entity.
     * Returns what is wrong, or an empty list.
     */
    static List<String> telegramHtmlProblems(String text) {
        List<String> problems = new ArrayList<>();
        Matcher tag = Pattern.compile("<(/?)(b|i|code|a)(?: href=\"([^\"<>]*)\")?>").matcher(text);
        Deque<String> open = new ArrayDeque<>();
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (tag.find()) {
            rest.append(text, last, tag.start()).append(tag.group(3) == null ? "" : tag.group(3));
            last = tag.end();
            if (tag.group(1).isEmpty()) {
                if (tag.group(2).equals("a") != (tag.group(3) != null)) {
                    problems.add("bad tag " + tag.group());
                }
                open.push(tag.group(2));
            } else if (open.isEmpty() || !open.pop().equals(tag.group(2))) {
                problems.add("unbalanced " + tag.group());
            }
        }
        rest.append(text.substring(last));
        if (!open.isEmpty()) {
            problems.add("unclosed " + open);
        }
        if (rest.indexOf("<") >= 0 || rest.indexOf(">") >= 0) {
            problems.add("unescaped < or > outside the allowed tags");
        }
        if (Pattern.compile("&(?!(lt|gt|amp|quot|#[0-9]+);)").matcher(rest).find()) {
            problems.add("an & that does not start an entity");
        }
        return problems;
    }

    @Test
    void telegramHtmlCheckerRejectsBrokenMarkup() {
        assertEquals(List.of(), telegramHtmlProblems("<b>a &lt;b&gt; &amp; &#34;</b> <a href=\"https://x/y#z\">r</a>"));
        assertFalse(telegramHtmlProblems("<b>a <b>x</b>").isEmpty());
        assertFalse(telegramHtmlProblems("<b>a</i>").isEmpty());
        assertFalse(telegramHtmlProblems("a & b").isEmpty());
        assertFalse(telegramHtmlProblems("a &am").isEmpty());
        assertFalse(telegramHtmlProblems("<script>x</script>").isEmpty());
    }

    @Test
    void alertmanagerSendsEscapedTelegramAndSlackMessagesThenResolved(@TempDir Path tmp) throws Exception {
        String binary = Proc.requireTool("prometheus-alertmanager");
        try (HttpRecorder recorder = new HttpRecorder();
                LiveAlertmanager am = new LiveAlertmanager(binary, liveConfig(tmp, recorder), tmp)) {
            // One group (alertname, host, instance) of 25 FAILED ML nodes with hostile label values
            // and long descriptions, as Prometheus would send it.
            String runbook = "mlnodes.md#gonkamlnodefailed";
            List<Map<String, Object>> group = new ArrayList<>();
            group.add(alert(labels("alertname", "GonkaMLNodeFailed", "severity", "critical", "host", EVIL_HOST,
                            "instance", "gonka-exporter:9401", "job", "gonka-exporter", "node_id", EVIL_NODE),
                    annotations("ML node " + EVIL_NODE + " is FAILED on " + EVIL_HOST,
                            "The API node at gonka-exporter:9401 (host " + EVIL_HOST + ") has reported ML node "
                                    + EVIL_NODE + " as FAILED for 5 minutes; miss rate 12.5% & rising <script>x</script>. "
                                    + "padding ".repeat(800),
                            runbook)));
            for (int i = 2; i <= 25; i++) {
                group.add(alert(labels("alertname", "GonkaMLNodeFailed", "severity", "critical", "host", EVIL_HOST,
                                "instance", "gonka-exporter:9401", "job", "gonka-exporter", "node_id", String.format("node-%02d", i)),
                        annotations("ML node node-" + i + " is FAILED " + "<&\"'>".repeat(60),
                                "<&\"'>".repeat(1200), runbook)));
            }
            Map<String, Object> warning = alert(labels("alertname", "GonkaChainBlockLag", "severity", "warning",
                    "host", "h-warn", "instance", "gonka-exporter:9401", "job", "gonka-exporter"),
                    annotations("Chain node is 30 blocks behind on h-warn", "The chain node is 30 blocks behind.",
                            "chain.md#gonkachainblocklag"));
            Map<String, Object> info = alert(labels("alertname", "GonkaChainUpgradePlanned", "severity", "info",
                    "host", "h-info", "instance", "gonka-exporter:9401", "job", "gonka-exporter", "name", "v0_2_11"),
                    annotations("Chain upgrade v0_2_11 in 50 blocks on h-info", "Planned 50 blocks from now.",
                            "chain.md#gonkachainupgradeplanned"));
            Map<String, Object> watchdog = alert(labels("alertname", "GonkaWatchdog", "severity", "info", "scope", "fleet"),
                    annotations("Heartbeat: the alerting path works", "Always firing, on purpose.", "monitoring.md#gonkawatchdog"));
            List<Map<String, Object>> all = new ArrayList<>(group);
            all.add(warning);
            all.add(info);
            all.add(watchdog);
            am.post(all);

            Duration wait = Duration.ofSeconds(30);
            String hostEscaped = "&lt;b&gt;&amp;&#34;x&#34;&lt;/b&gt;";
            HttpRecorder.Request tg = recorder.await("Telegram message for the FAILED group",
                    r -> isTelegram(r) && telegramText(r).contains("GonkaMLNodeFailed"), wait);
            Map<String, String> fields = telegramFields(tg);
            assertEquals(FAKE_CHAT, fields.get("chat_id"));
            assertEquals("HTML", fields.get("parse_mode"));
            assertNotEquals("true", fields.get("disable_notification"), "critical alerts notify with sound");
            String text = fields.get("text");
            String msg = "Telegram text:\n" + text;
            assertTrue(text.codePointCount(0, text.length()) <= 4096, "longer than 4096: " + text.length() + "\n" + msg);
            assertEquals(List.of(), telegramHtmlProblems(text), msg);
            assertTrue(text.startsWith("🔴 <b>FIRING 25</b> · <b>GonkaMLNodeFailed</b> (critical)\n🖥 <b>" + hostEscaped
                    + "</b> <code>gonka-exporter:9401</code>"), msg);
            assertTrue(text.contains("🔥 <b>ML node n&lt;1&gt;&amp;&#34;q&#34; is FAILED on " + hostEscaped
                    + "</b> · node <code>n&lt;1&gt;&amp;&#34;q&#34;</code>"), msg);
            assertTrue(text.contains("(host " + hostEscaped + ") has reported ML node n&lt;1&gt;&amp;&#34;q&#34; as FAILED"
                    + " for 5 minutes; miss rate 12.5% &amp; rising &lt;script&gt;x&lt;/script&gt;. padding"), msg);
            assertTrue(text.contains("📖 <a href=\"" + RUNBOOK_BASE + runbook + "\">runbook</a>"), msg);
            assertTrue(text.contains("<i>… showing 3 of 25 firing alerts.</i>"), msg);
            assertTrue(Pattern.compile("\\. padding padding [a-z ]*…\n📖").matcher(text).find()
                    && !text.contains("padding ".repeat(60)), "long descriptions are cut with an ellipsis\n" + msg);
            assertFalse(text.contains("&amp;lt;") || text.contains("&amp;amp;") || text.contains("&amp;#"),
                    "escaped twice\n" + msg);
            assertTrue(text.matches("(?s).*\n<i>gonka-exporter alerts</i> · <a href=\"http://127\\.0\\.0\\.1:[0-9]+\">Alertmanager</a>"),
                    "the footer must be intact (Alertmanager did not truncate)\n" + msg);

            HttpRecorder.Request slack = recorder.await("Slack message for the FAILED group",
                    r -> isSlack(r) && slackAttachment(r).path("title").asText().contains("GonkaMLNodeFailed"), wait);
            JsonNode att = slackAttachment(slack);
            String slackText = att.path("text").asText();
            String smsg = "Slack payload:\n" + slack.body();
            assertEquals("[FIRING:25] GonkaMLNodeFailed on &lt;b&gt;&amp;\"x\"&lt;/b&gt; (critical)", att.path("title").asText(), smsg);
            assertEquals("danger", att.path("color").asText(), smsg);
            assertTrue(slackText.startsWith(":fire: *ML node n&lt;1&gt;&amp;\"q\" is FAILED on &lt;b&gt;&amp;\"x\"&lt;/b&gt;*"
                    + " · instance `gonka-exporter:9401` · node `n&lt;1&gt;&amp;\"q\"`\n"), smsg);
            assertTrue(slackText.contains("miss rate 12.5% &amp; rising &lt;script&gt;x&lt;/script&gt;."), smsg);
            assertTrue(slackText.contains(":book: <" + RUNBOOK_BASE + runbook + "|runbook>"), smsg);
            assertTrue(slackText.contains("_… showing 10 of 25 firing alerts._"), smsg);
            assertFalse(slackText.contains("<script>") || slackText.contains("<b>") || slackText.contains("<&"), smsg);

            // warnings: Telegram without sound; info: Slack only
            HttpRecorder.Request tgWarn = recorder.await("Telegram warning",
                    r -> isTelegram(r) && telegramText(r).contains("GonkaChainBlockLag"), wait);
            assertEquals("true", telegramFields(tgWarn).get("disable_notification"));
            assertTrue(telegramText(tgWarn).contains("Chain node is 30 blocks behind on h-warn"), telegramText(tgWarn));
            recorder.await("Slack warning", r -> isSlack(r) && slackAttachment(r).path("color").asText().equals("warning")
                    && slackAttachment(r).path("title").asText().equals("[FIRING:1] GonkaChainBlockLag on h-warn (warning)"), wait);
            recorder.await("Slack info", r -> isSlack(r)
                    && slackAttachment(r).path("title").asText().equals("[FIRING:1] GonkaChainUpgradePlanned on h-info (info)"), wait);
            // info: Telegram too, without sound
            HttpRecorder.Request tgInfo = recorder.await("Telegram info",
                    r -> isTelegram(r) && telegramText(r).contains("GonkaChainUpgradePlanned"), wait);
            assertEquals("true", telegramFields(tgInfo).get("disable_notification"), "info alerts arrive silently");
            // the watchdog: to the heartbeat URL, as Alertmanager's webhook JSON
            HttpRecorder.Request beat = recorder.await("heartbeat", AlertingChecksTest::isHeartbeat, wait);
            JsonNode hook = JSON.readTree(beat.body());
            assertEquals("firing", hook.path("status").asText(), beat.body());
            assertEquals("GonkaWatchdog", hook.path("alerts").path(0).path("labels").path("alertname").asText(), beat.body());
            assertEquals(1, hook.path("alerts").size(), "max_alerts: 1");

            // resolved
            am.post(group.stream().map(AlertingChecksTest::resolved).toList());
            HttpRecorder.Request tgResolved = recorder.await("Telegram RESOLVED message",
                    r -> isTelegram(r) && telegramText(r).startsWith("✅ <b>RESOLVED</b> · <b>GonkaMLNodeFailed</b>"), wait);
            String rtext = telegramText(tgResolved);
            assertTrue(rtext.codePointCount(0, rtext.length()) <= 4096, rtext);
            assertEquals(List.of(), telegramHtmlProblems(rtext), rtext);
            assertTrue(rtext.contains("🖥 <b>" + hostEscaped + "</b>") && rtext.contains("✅ <b>Resolved 25</b>")
                    && rtext.contains("• ML node n&lt;1&gt;&amp;&#34;q&#34; is FAILED on &lt;b&gt;&amp;&#34;x&#34;&lt;/b… · node <code>n&lt;1&gt;&amp;&#34;q&#34;</code>")
                    && rtext.contains("<i>… showing 3 of 25 resolved alerts.</i>"), rtext);
            assertFalse(rtext.contains("🔥"), "no firing alert is left\n" + rtext);
            HttpRecorder.Request slackResolved = recorder.await("Slack RESOLVED message", r -> isSlack(r)
                    && slackAttachment(r).path("title").asText().startsWith("[RESOLVED] GonkaMLNodeFailed on "), wait);
            assertEquals("good", slackAttachment(slackResolved).path("color").asText());
            assertTrue(slackAttachment(slackResolved).path("text").asText().startsWith(":white_check_mark: *Resolved 25*\n"),
                    slackResolved.body());

            // The watchdog never reaches a chat, and nothing but the watchdog reaches the heartbeat.
            assertTrue(recorder.requests().stream().filter(r -> isTelegram(r) || isSlack(r))
                    .noneMatch(r -> r.body().contains("GonkaWatchdog")), "the watchdog must not go to Telegram or Slack");
            assertTrue(recorder.requests().stream().filter(AlertingChecksTest::isHeartbeat)
                    .allMatch(r -> r.body().contains("GonkaWatchdog") && !r.body().contains("GonkaMLNodeFailed")), "heartbeat carries only the watchdog");
            assertTrue(recorder.requests().stream().allMatch(r -> isTelegram(r) || isSlack(r) || isHeartbeat(r)),
                    "unexpected requests: " + recorder.requests());
            assertFalse(am.log().contains(FAKE_TOKEN), "Alertmanager logged the bot token");
        }
    }

    @Test
    void alertmanagerInhibitsConsequencesAndTheWarningOfACriticalAlert(@TempDir Path tmp) throws Exception {
        String binary = Proc.requireTool("prometheus-alertmanager");
        try (HttpRecorder recorder = new HttpRecorder();
                LiveAlertmanager am = new LiveAlertmanager(binary, liveConfig(tmp, recorder), tmp)) {
            List<Map<String, Object>> alerts = new ArrayList<>();
            // host h-stalled: the chain stalled; lag and an ML node's mismatch follow from it, a GPU XID does not
            alerts.add(simple("GonkaChainStalled", "critical", "h-stalled"));
            alerts.add(simple("GonkaChainBlockLag", "warning", "h-stalled"));
            alerts.add(simple("GonkaMLNodeStatusMismatch", "warning", "h-stalled", "node_id", "n1"));
            alerts.add(simple("GonkaGPUXidError", "critical", "h-stalled", "gpu", "0", "xid", "79"));
            // host h-miss: projected to fail late in the epoch (critical) and the early warning at once
            alerts.add(simple("GonkaMissTestProjectedToFail", "critical", "h-miss"));
            alerts.add(simple("GonkaMissTestProjectedToFail", "warning", "h-miss"));
            // host h-down: the exporter is down; whatever else was firing there is muted
            alerts.add(simple("GonkaExporterDown", "critical", "h-down"));
            alerts.add(simple("GonkaSourceDown", "critical", "h-down", "source", "rpc_status"));
            alerts.add(simple("GonkaMLNodeFailed", "critical", "h-down", "node_id", "n2"));
            // host h-other: the same lag warning, nothing to inhibit it
            alerts.add(simple("GonkaChainBlockLag", "warning", "h-other"));
            // host h-jailed: jailed by the slashing module; being out of the set follows from it
            alerts.add(simple("GonkaValidatorJailed", "critical", "h-jailed"));
            alerts.add(simple("GonkaValidatorNotInActiveSet", "critical", "h-jailed"));
            am.post(alerts);

            Map<String, String> expected = new TreeMap<>(Map.of(
                    "GonkaChainStalled/critical/h-stalled", "active",
                    "GonkaChainBlockLag/warning/h-stalled", "suppressed",
                    "GonkaMLNodeStatusMismatch/warning/h-stalled", "suppressed",
                    "GonkaGPUXidError/critical/h-stalled", "active",
                    "GonkaMissTestProjectedToFail/critical/h-miss", "active",
                    "GonkaMissTestProjectedToFail/warning/h-miss", "suppressed",
                    "GonkaExporterDown/critical/h-down", "active",
                    "GonkaSourceDown/critical/h-down", "suppressed",
                    "GonkaMLNodeFailed/critical/h-down", "suppressed",
                    "GonkaChainBlockLag/warning/h-other", "active"));
            expected.put("GonkaValidatorJailed/critical/h-jailed", "active");
            expected.put("GonkaValidatorNotInActiveSet/critical/h-jailed", "suppressed");
            Map<String, String> states = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                states.clear();
                for (JsonNode a : am.alerts()) {
                    JsonNode l = a.path("labels");
                    states.put(l.path("alertname").asText() + "/" + l.path("severity").asText() + "/" + l.path("host").asText(),
                            a.path("status").path("state").asText());
                }
                if (states.equals(expected)) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(expected, states, "inhibition as seen by /api/v2/alerts");

            // Notifications: the active ones arrive, the suppressed ones never do.
            Duration wait = Duration.ofSeconds(30);
            for (String active : List.of("GonkaChainStalled", "GonkaGPUXidError", "GonkaExporterDown")) {
                recorder.await("Telegram " + active, r -> isTelegram(r) && telegramText(r).contains("<b>" + active + "</b>"), wait);
            }
            recorder.await("Telegram lag warning for h-other", r -> isTelegram(r)
                    && telegramText(r).contains("<b>GonkaChainBlockLag</b>") && telegramText(r).contains("h-other"), wait);
            recorder.await("Telegram critical miss projection", r -> isTelegram(r)
                    && telegramText(r).contains("<b>GonkaMissTestProjectedToFail</b> (critical)"), wait);
            List<String> texts = recorder.requests().stream().filter(AlertingChecksTest::isTelegram)
                    .map(AlertingChecksTest::telegramText).toList();
            for (String t : texts) {
                assertFalse(t.contains("GonkaMLNodeStatusMismatch") || t.contains("GonkaSourceDown")
                        || t.contains("GonkaMLNodeFailed") || t.contains("<b>GonkaMissTestProjectedToFail</b> (warning)")
                        || t.contains("GonkaValidatorNotInActiveSet")
                        || (t.contains("GonkaChainBlockLag") && t.contains("h-stalled")), "an inhibited alert was sent:\n" + t);
            }
        }
    }

    @Test
    void aNetworkHaltIsOneMessageThatHoldsBackThePerHostStalls(@TempDir Path tmp) throws Exception {
        String binary = Proc.requireTool("prometheus-alertmanager");
        try (HttpRecorder recorder = new HttpRecorder();
                LiveAlertmanager am = new LiveAlertmanager(binary, liveConfig(tmp, recorder), tmp)) {
            List<Map<String, Object>> alerts = new ArrayList<>();
            alerts.add(alert(labels("alertname", "GonkaNetworkHalted", "severity", "critical", "scope", "fleet"),
                    annotations("The network looks halted: 3 hosts see no new block", "3 of 4 hosts see no new block.",
                            "chain.md#gonkanetworkhalted")));
            for (String host : List.of("h1", "h2", "h3")) {
                alerts.add(simple("GonkaChainStalled", "critical", host));
                alerts.add(simple("GonkaApiBlockProcessingLag", "warning", host));
            }
            alerts.add(simple("GonkaGPULost", "critical", "h1", "gpu", "1"));
            am.post(alerts);
            Duration wait = Duration.ofSeconds(30);
            recorder.await("Telegram network halt", r -> isTelegram(r) && telegramText(r).contains("<b>GonkaNetworkHalted</b>"), wait);
            recorder.await("Telegram GPU lost on h1 (not a consequence of the halt)",
                    r -> isTelegram(r) && telegramText(r).contains("<b>GonkaGPULost</b>"), wait);
            Map<String, String> states = new TreeMap<>();
            for (JsonNode a : am.alerts()) {
                JsonNode l = a.path("labels");
                states.put(l.path("alertname").asText() + "/" + l.path("host").asText(), a.path("status").path("state").asText());
            }
            assertEquals(Map.of("GonkaNetworkHalted/", "active", "GonkaGPULost/h1", "active",
                    "GonkaChainStalled/h1", "suppressed", "GonkaChainStalled/h2", "suppressed", "GonkaChainStalled/h3", "suppressed",
                    "GonkaApiBlockProcessingLag/h1", "suppressed", "GonkaApiBlockProcessingLag/h2", "suppressed",
                    "GonkaApiBlockProcessingLag/h3", "suppressed"), states);
            assertTrue(recorder.requests().stream().filter(r -> isTelegram(r) || isSlack(r))
                    .noneMatch(r -> r.body().contains("GonkaChainStalled")), "per-host stalls are held back");
        }
    }

    static Map<String, Object> simple(String name, String severity, String host, String... extra) {
        Map<String, String> l = labels("alertname", name, "severity", severity, "host", host,
                "instance", "gonka-exporter:9401", "job", "gonka-exporter");
        l.putAll(labels(extra));
        return alert(l, annotations(name + " on " + host, name + " (" + severity + ") on " + host + ".",
                "exporter.md#" + name.toLowerCase(Locale.ROOT)));
    }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
