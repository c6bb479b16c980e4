package io.gonka.exporter.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes deploy/kubernetes/prometheusrule.yaml, a Prometheus Operator PrometheusRule holding every
 * group of the standard Prometheus rule files alerts/*.rules.yml (in file-name order), so the
 * Kubernetes bundle ships exactly the alerts that promtool tests. {@link KubernetesManifestsTest}
 * fails when the committed file differs from what this produces, and rewrites it with
 * {@code -Dgonka.regenerate=true}.
 */
public final class PrometheusRuleGenerator {
    public static final String OUTPUT = "deploy/kubernetes/prometheusrule.yaml";
    /** The same groups for the Helm chart, which reads them with .Files.Get (no Helm templating of the alerts' own templates). */
    public static final String CHART_OUTPUT = "deploy/kubernetes/helm/gonka-exporter/files/prometheusrule-groups.yaml";
    public static final String ALERTS_DIR = "alerts";
    public static final String SUFFIX = ".rules.yml";
    public static final String REGENERATE_COMMAND =
            "mvn -B -q -pl exporter -am test -Dtest=KubernetesManifestsTest -Dgonka.regenerate=true";

    private PrometheusRuleGenerator() {}

    /** Usage: PrometheusRuleGenerator [repository root, default "."] */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path out = root.resolve(OUTPUT);
        Files.writeString(out, generate(root.resolve(ALERTS_DIR)), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    /** The rule files, sorted by name; none when the directory does not exist. */
    public static List<Path> ruleFiles(Path alertsDir) throws IOException {
        if (!Files.isDirectory(alertsDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(alertsDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        }
    }

    /** The Helm chart's copy: only the PrometheusRule's spec (the groups). */
    public static String generateChartGroups(Path alertsDir) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("groups", groups(alertsDir));
        return "# GENERATED from alerts/*" + SUFFIX + " by io.gonka.exporter.deploy.PrometheusRuleGenerator: do not edit.\n"
                + "# Regenerate after changing the alerts:\n#   " + REGENERATE_COMMAND + "\n" + dumper().dump(doc);
    }

    public static String generate(Path alertsDir) throws IOException {
        List<Object> groups = groups(alertsDir);
        List<Path> files = ruleFiles(alertsDir);
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "gonka-exporter");
        labels.put("app.kubernetes.io/part-of", "gonka");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", "gonka-exporter");
        metadata.put("labels", labels);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("groups", groups);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "monitoring.coreos.com/v1");
        doc.put("kind", "PrometheusRule");
        doc.put("metadata", metadata);
        doc.put("spec", spec);
        StringBuilder header = new StringBuilder()
                .append("# GENERATED from alerts/*").append(SUFFIX).append(" by io.gonka.exporter.deploy.PrometheusRuleGenerator: do not edit.\n")
                .append("# Regenerate after changing the alerts:\n")
                .append("#   ").append(REGENERATE_COMMAND).append('\n')
                .append("# Source files: ");
        header.append(files.isEmpty() ? "none yet" : String.join(", ", files.stream().map(p -> p.getFileName().toString()).toList()));
        header.append("\n# Your Prometheus must select this object (ruleSelector), e.g. by a release: label.\n");
        return header + dumper().dump(doc);
    }

    /** Every group of the rule files, in file-name order; group names must be unique. */
    static List<Object> groups(Path alertsDir) throws IOException {
        List<Object> groups = new ArrayList<>();
        Map<String, String> groupFile = new LinkedHashMap<>();
        for (Path file : ruleFiles(alertsDir)) {
            String name = file.getFileName().toString();
            List<Object> docs = new ArrayList<>();
            Yamls.safe().loadAll(Files.readString(file, StandardCharsets.UTF_8)).forEach(docs::add);
            docs.removeIf(d -> d == null);
            if (docs.size() != 1) {
                throw new IllegalArgumentException(name + ": a rule file holds exactly one YAML document, found " + docs.size());
            }
            if (!(docs.get(0) instanceof Map<?, ?> top) || !top.keySet().equals(java.util.Set.of("groups"))) {
                throw new IllegalArgumentException(name + ": a rule file is a mapping with the single key 'groups'");
            }
            if (!(top.get("groups") instanceof List<?> fileGroups)) {
                throw new IllegalArgumentException(name + ": 'groups' is not a list");
            }
            for (Object g : fileGroups) {
                if (!(g instanceof Map<?, ?> group) || !(group.get("name") instanceof String groupName) || groupName.isBlank()
                        || !(group.get("rules") instanceof List<?>)) {
                    throw new IllegalArgumentException(name + ": every group needs a 'name' and a 'rules' list: " + g);
                }
                String earlier = groupFile.putIfAbsent(groupName, name);
                if (earlier != null) {
                    // One PrometheusRule cannot hold two groups of the same name.
                    throw new IllegalArgumentException("group '" + groupName + "' is in both " + earlier + " and " + name);
                }
                groups.add(g);
            }
        }
        return groups;
    }

    private static Yaml dumper() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        o.setWidth(4096); // never fold a long PromQL expression across lines
        o.setSplitLines(false);
        o.setLineBreak(DumperOptions.LineBreak.UNIX);
        return new Yaml(new MultilineLiteral(o), o);
    }

    /** Multi-line strings (PromQL, descriptions) as readable |- blocks instead of "...\n..." escapes. */
    private static final class MultilineLiteral extends Representer {
        MultilineLiteral(DumperOptions o) {
            super(o);
            Represent plain = this.representers.get(String.class);
            this.representers.put(String.class, data -> {
                String s = (String) data;
                if (s.indexOf('\n') >= 0) {
                    return representScalar(Tag.STR, s, DumperOptions.ScalarStyle.LITERAL);
                }
                return plain.representData(data);
            });
        }
    }
}
