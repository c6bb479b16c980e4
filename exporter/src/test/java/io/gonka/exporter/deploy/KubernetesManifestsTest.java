package io.gonka.exporter.deploy;

import static io.gonka.exporter.deploy.Yamls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes, read as YAML (no cluster needed): the security context, probes, resources,
 * labels and selectors that make the bundle work with the real exporter, and a PrometheusRule
 * that matches alerts/*.rules.yml.
 */
class KubernetesManifestsTest {
    static final String DIR = "deploy/kubernetes";
    static final String NAME_LABEL = "app.kubernetes.io/name";

    record Doc(String file, Map<String, Object> body) {
        String kind() {
            return String.valueOf(body.get("kind"));
        }

        String name() {
            return String.valueOf(mapAt(body, file, "metadata").get("name"));
        }

        String what() {
            return file + " " + kind() + "/" + name();
        }
    }

    static Map<String, List<Doc>> files() throws Exception {
        Map<String, List<Doc>> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(Repo.path(DIR))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                String file = p.getFileName().toString();
                List<Doc> docs = new ArrayList<>();
                for (Map<String, Object> d : documents(Files.readString(p, StandardCharsets.UTF_8), file)) {
                    docs.add(new Doc(file, d));
                }
                out.put(file, docs);
            }
        }
        return out;
    }

    static List<Doc> all() throws Exception {
        List<Doc> out = new ArrayList<>();
        files().forEach((f, docs) -> {
            if (!f.equals("kustomization.yaml")) {
                out.addAll(docs);
            }
        });
        return out;
    }

    static List<Doc> ofKind(String kind) throws Exception {
        return all().stream().filter(d -> d.kind().equals(kind)).toList();
    }

    static Doc one(String kind, String name) throws Exception {
        return ofKind(kind).stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    static List<Doc> workloads() throws Exception {
        List<Doc> w = new ArrayList<>(ofKind("Deployment"));
        w.addAll(ofKind("DaemonSet"));
        return w;
    }

    static Map<String, Object> podSpec(Doc w) {
        return mapAt(w.body(), w.what(), "spec", "template", "spec");
    }

    static Map<String, Object> podLabels(Doc w) {
        return mapAt(w.body(), w.what(), "spec", "template", "metadata", "labels");
    }

    static List<Map<String, Object>> containers(Doc w) {
        return listAt(podSpec(w), w.what() + ".spec.template.spec", "containers").stream().map(c -> map(c, w.what() + " container")).toList();
    }

    /** The container's own env entries (name -> value); every value must be a string. */
    static Map<String, String> containerEnv(Doc w, Map<String, Object> c) {
        Map<String, String> env = new LinkedHashMap<>();
        Object list = c.get("env");
        if (list == null) {
            return env;
        }
        for (Object e : list(list, w.what() + " env")) {
            Map<String, Object> m = map(e, w.what() + " env entry");
            Object v = m.get("value");
            assertInstanceOf(String.class, v, w.what() + " env " + m.get("name") + " must be a quoted string, is " + v);
            env.put((String) m.get("name"), (String) v);
        }
        return env;
    }

    /** What the process sees: the image's ENV, then ConfigMaps from envFrom, then the container's env. */
    static Map<String, String> effectiveEnv(Doc w, Map<String, Object> c) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(DockerfileModel.load().finalStage().env());
        Object from = c.get("envFrom");
        if (from != null) {
            for (Object f : list(from, w.what() + " envFrom")) {
                String cm = String.valueOf(mapAt(map(f, "envFrom"), w.what(), "configMapRef").get("name"));
                mapAt(one("ConfigMap", cm).body(), "ConfigMap " + cm, "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
            }
        }
        env.putAll(containerEnv(w, c));
        return env;
    }

    static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    @Test
    void everyFileParsesAndTheKustomizationListsThemAll() throws Exception {
        Map<String, List<Doc>> files = files();
        assertTrue(files.containsKey("kustomization.yaml"));
        Map<String, Object> k = files.get("kustomization.yaml").get(0).body();
        assertEquals("Kustomization", k.get("kind"));
        Set<String> resources = new TreeSet<>(listAt(k, "kustomization", "resources").stream().map(String::valueOf).toList());
        Set<String> manifests = new TreeSet<>(files.keySet());
        manifests.remove("kustomization.yaml");
        assertEquals(manifests, resources, "kustomization.yaml resources = the manifests in " + DIR);
        files.forEach((f, docs) -> assertFalse(docs.isEmpty(), f + " has a document"));

        // The kustomize image override applies to every container.
        Set<String> imageNames = new TreeSet<>(listAt(k, "kustomization", "images").stream()
                .map(i -> String.valueOf(map(i, "images entry").get("name"))).toList());
        for (Doc w : workloads()) {
            for (Map<String, Object> c : containers(w)) {
                assertTrue(imageNames.contains(String.valueOf(c.get("image"))), w.what() + " image " + c.get("image") + " not in " + imageNames);
            }
        }
    }

    @Test
    void everyObjectIsLabelledAndLeavesTheNamespaceToKustomize() throws Exception {
        for (Doc d : all()) {
            assertNotNull(d.body().get("apiVersion"), d.what());
            Map<String, Object> meta = mapAt(d.body(), d.what(), "metadata");
            assertFalse(meta.containsKey("namespace"), d.what() + ": namespace comes from kustomization.yaml");
            assertEquals("gonka-exporter", mapAt(meta, d.what(), "labels").get(NAME_LABEL), d.what());
        }
        assertEquals(Set.of("ConfigMap", "Deployment", "DaemonSet", "PriorityClass", "Service", "ServiceMonitor", "PrometheusRule"),
                new TreeSet<>(all().stream().map(Doc::kind).toList()).stream().collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void workloadsRunAsTheImagesNonRootUserOnAReadOnlyRoot() throws Exception {
        String imageUid = DockerfileModel.load().finalStage().last("USER").args().split(":")[0];
        assertEquals(2, workloads().size());
        for (Doc w : workloads()) {
            Map<String, Object> pod = podSpec(w);
            assertEquals(false, pod.get("automountServiceAccountToken"), w.what() + ": needs no API token");
            // A Service named gonka-exporter would otherwise inject GONKA_EXPORTER_PORT=tcp://...:9401.
            assertEquals(false, pod.get("enableServiceLinks"), w.what() + ": enableServiceLinks");
            Map<String, Object> psc = mapAt(pod, w.what(), "securityContext");
            assertEquals(true, psc.get("runAsNonRoot"), w.what());
            assertEquals(Integer.parseInt(imageUid), psc.get("runAsUser"), w.what() + ": the image's USER");
            assertEquals("RuntimeDefault", mapAt(psc, w.what(), "seccompProfile").get("type"));
            for (Map<String, Object> c : containers(w)) {
                Map<String, Object> sc = mapAt(c, w.what(), "securityContext");
                assertEquals(true, sc.get("readOnlyRootFilesystem"), w.what());
                assertEquals(false, sc.get("allowPrivilegeEscalation"), w.what());
                assertEquals(true, sc.get("runAsNonRoot"), w.what());
                assertEquals(List.of("ALL"), listAt(sc, w.what(), "capabilities", "drop"), w.what());
                assertNull(mapAt(sc, w.what(), "capabilities").get("add"), w.what());
                assertNotEquals(true, sc.get("privileged"), w.what());
                assertFalse(pod.containsKey("volumes"), w.what() + ": no writable volume is needed (no emptyDir for /tmp)");
            }
        }
    }

    @Test
    void resourcesLeaveRoomForTheJvm() throws Exception {
        JvmFlags jvm = JvmFlags.ofImage();
        long caps = jvm.cappedPoolsBytes();
        for (Doc w : workloads()) {
            for (Map<String, Object> c : containers(w)) {
                Map<String, Object> req = mapAt(c, w.what(), "resources", "requests");
                Map<String, Object> lim = mapAt(c, w.what(), "resources", "limits");
                assertNotNull(req.get("cpu"), w.what() + " cpu request");
                long reqMem = quantity(String.valueOf(req.get("memory")));
                long limMem = quantity(String.valueOf(lim.get("memory")));
                assertTrue(reqMem >= 128L << 20, w.what() + ": the JVM is ~105 MB resident when idle");
                assertTrue(reqMem <= limMem, w.what());
                assertTrue(limMem >= caps, w.what() + ": limit " + limMem + " below heap+metaspace+code cache+direct " + caps);
                String cap = effectiveEnv(w, c).get("GONKA_MAX_BODY_BYTES");
                assertTrue(jvm.heapHoldsBody(Long.parseLong(cap)), w.what() + ": GONKA_MAX_BODY_BYTES=" + cap + " too big for -Xmx");
                assertFalse(req.containsKey("nvidia.com/gpu") || lim.containsKey("nvidia.com/gpu"),
                        w.what() + ": requesting a GPU would take it from the ML node");
            }
        }
    }

    static long quantity(String q) {
        var m = java.util.regex.Pattern.compile("(\\d+)(Ki|Mi|Gi|M|G)?").matcher(q);
        assertTrue(m.matches(), "memory quantity " + q);
        long n = Long.parseLong(m.group(1));
        String u = m.group(2) == null ? "" : m.group(2);
        return switch (u) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            case "Gi" -> n << 30;
            case "M" -> n * 1_000_000L;
            case "G" -> n * 1_000_000_000L;
            default -> n;
        };
    }

    @Test
    void probesAndPortsMatchTheExporter() throws Exception {
        for (Doc w : workloads()) {
            for (Map<String, Object> c : containers(w)) {
                Map<String, String> env = effectiveEnv(w, c);
                assertEquals("0.0.0.0", env.get("GONKA_EXPORTER_HOST"), w.what() + ": the kubelet probes the pod IP");
                int port = Integer.parseInt(env.get("GONKA_EXPORTER_PORT"));
                List<Object> ports = listAt(c, w.what(), "ports");
                Map<String, Object> metrics = ports.stream().map(p -> map(p, "port")).filter(p -> "metrics".equals(p.get("name"))).findFirst()
                        .orElseThrow(() -> new AssertionError(w.what() + ": a container port named metrics"));
                assertEquals(port, metrics.get("containerPort"), w.what());
                Map<String, String> expected = Map.of("livenessProbe", "/health/liveness", "readinessProbe", "/health/readiness",
                        "startupProbe", "/health/liveness");
                for (var e : expected.entrySet()) {
                    Map<String, Object> get = mapAt(c, w.what(), e.getKey(), "httpGet");
                    assertEquals(e.getValue(), get.get("path"), w.what() + " " + e.getKey());
                    Object p = get.get("port");
                    assertTrue("metrics".equals(p) || Integer.valueOf(port).equals(p), w.what() + " " + e.getKey() + " port " + p);
                    assertFalse(get.containsKey("scheme") && !"HTTP".equals(get.get("scheme")), "plain HTTP unless a web config adds TLS");
                }
            }
        }
    }

    @Test
    void onlyKnownSettingsAsStrings() throws Exception {
        Set<String> known = Settings.defaults().keySet();
        Set<String> nvidia = Set.of("NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES");
        for (Doc cm : ofKind("ConfigMap")) {
            mapAt(cm.body(), cm.what(), "data").forEach((k, v) -> {
                assertTrue(known.contains(k), cm.what() + ": " + k + " is not a setting of the exporter");
                assertInstanceOf(String.class, v, cm.what() + ": " + k + " must be a quoted string");
            });
        }
        for (Doc w : workloads()) {
            for (Map<String, Object> c : containers(w)) {
                containerEnv(w, c).keySet().forEach(k -> assertTrue(known.contains(k) || nvidia.contains(k), w.what() + ": unknown env " + k));
            }
        }
    }

    @Test
    void nodeDeploymentPollsTheNodesServices() throws Exception {
        Doc d = one("Deployment", "gonka-exporter");
        assertEquals(1, mapAt(d.body(), d.what(), "spec").get("replicas"), "one exporter per node, or every series twice");
        Map<String, Object> c = containers(d).get(0);
        Map<String, String> env = effectiveEnv(d, c);
        for (String url : List.of("GONKA_ADMIN_URL", "GONKA_RPC_URL", "GONKA_PUBLIC_URL")) {
            String v = env.get(url);
            assertNotNull(v, url + " set in the ConfigMap");
            assertTrue(v.matches("http://[a-z0-9.-]+:\\d+"), url + " reaches a Service by name: " + v);
            assertFalse(v.contains("127.0.0.1") || v.contains("localhost"), url + ": loopback is the exporter's own pod");
        }
        assertTrue(env.get("GONKA_ADMIN_URL").endsWith(":9200"), "the admin API's port");
        assertTrue(selects(mapAt(d.body(), d.what(), "spec", "selector", "matchLabels"), podLabels(d)), d.what() + " selector");
    }

    @Test
    void gpuDaemonSetIsAPlainGpuExporterOnGpuNodes() throws Exception {
        Doc ds = one("DaemonSet", "gonka-exporter-gpu");
        Map<String, String> env = effectiveEnv(ds, containers(ds).get(0));
        assertEquals("false", env.get("GONKA_ENABLED"));
        assertEquals("true", env.get("GONKA_NVML_ENABLED"));
        assertEquals("all", env.get("NVIDIA_VISIBLE_DEVICES"));
        assertEquals("utility", env.get("NVIDIA_DRIVER_CAPABILITIES"));
        Map<String, Object> pod = podSpec(ds);
        assertFalse(mapAt(pod, ds.what(), "nodeSelector").isEmpty(), "only GPU nodes");
        assertTrue(selects(mapAt(ds.body(), ds.what(), "spec", "selector", "matchLabels"), podLabels(ds)), ds.what() + " selector");
        // runtimeClassName stays optional (commented): not every cluster has a RuntimeClass "nvidia".
        assertFalse(pod.containsKey("runtimeClassName"));
        assertTrue(Repo.read(DIR + "/gpu-daemonset.yaml").contains("# runtimeClassName: nvidia"));
    }

    @Test
    void servicesSelectExactlyOneWorkloadEachAndReachItsMetricsPort() throws Exception {
        List<Doc> services = ofKind("Service");
        List<Doc> workloads = workloads();
        for (Doc s : services) {
            Map<String, Object> spec = mapAt(s.body(), s.what(), "spec");
            assertEquals("ClusterIP", spec.get("type"), s.what() + ": never NodePort/LoadBalancer");
            Map<String, Object> selector = mapAt(spec, s.what(), "selector");
            List<Doc> selected = workloads.stream().filter(w -> selects(selector, podLabels(w))).toList();
            assertEquals(1, selected.size(), s.what() + " selects " + selected.stream().map(Doc::what).toList());
            Map<String, Object> port = listAt(spec, s.what(), "ports").stream().map(p -> map(p, "port"))
                    .filter(p -> "metrics".equals(p.get("name"))).findFirst().orElseThrow(() -> new AssertionError(s.what() + ": port named metrics"));
            Object target = port.get("targetPort");
            boolean reaches = containers(selected.get(0)).stream().flatMap(c -> listAt(c, "container", "ports").stream())
                    .map(p -> map(p, "port")).anyMatch(p -> p.get("name").equals(target) || p.get("containerPort").equals(target));
            assertTrue(reaches, s.what() + " targetPort " + target);
        }
        for (Doc w : workloads) {
            assertTrue(services.stream().anyMatch(s -> selects(mapAt(s.body(), s.what(), "spec", "selector"), podLabels(w))),
                    w.what() + " is behind a Service, so the ServiceMonitor finds it");
        }
    }

    @Test
    void serviceMonitorScrapesEveryServicesMetricsPort() throws Exception {
        List<Doc> monitors = ofKind("ServiceMonitor");
        assertEquals(1, monitors.size());
        Doc sm = monitors.get(0);
        assertEquals("monitoring.coreos.com/v1", sm.body().get("apiVersion"));
        Map<String, Object> selector = mapAt(sm.body(), sm.what(), "spec", "selector", "matchLabels");
        List<Object> endpoints = listAt(sm.body(), sm.what(), "spec", "endpoints");
        for (Doc s : ofKind("Service")) {
            Map<String, Object> labels = mapAt(s.body(), s.what(), "metadata", "labels");
            assertTrue(selects(selector, labels), sm.what() + " selects " + s.what());
            Set<Object> portNames = new TreeSet<>(listAt(s.body(), s.what(), "spec", "ports").stream().map(p -> map(p, "port").get("name")).toList());
            for (Object e : endpoints) {
                Map<String, Object> ep = map(e, "endpoint");
                assertTrue(portNames.contains(ep.get("port")), s.what() + " has the endpoint's port " + ep.get("port"));
                assertEquals("/metrics", ep.get("path"));
            }
        }
    }

    // ---- PrometheusRule: generated from alerts/*.rules.yml -----------------------------------

    @Test
    void prometheusRuleMatchesTheAlertRuleFiles() throws Exception {
        Path committed = Repo.path(PrometheusRuleGenerator.OUTPUT);
        String expected = PrometheusRuleGenerator.generate(Repo.path(PrometheusRuleGenerator.ALERTS_DIR));
        if (Boolean.getBoolean("gonka.regenerate")) {
            Files.writeString(committed, expected, StandardCharsets.UTF_8);
        }
        assertTrue(Files.isRegularFile(committed), PrometheusRuleGenerator.OUTPUT + " is missing; run: " + PrometheusRuleGenerator.REGENERATE_COMMAND);
        String actual = Files.readString(committed, StandardCharsets.UTF_8);
        assertEquals(expected, actual, PrometheusRuleGenerator.OUTPUT + " is out of date with alerts/*" + PrometheusRuleGenerator.SUFFIX
                + "; regenerate it with:\n  " + PrometheusRuleGenerator.REGENERATE_COMMAND + "\nand commit the result.");
    }

    @Test
    void helmChartRuleGroupsMatchTheAlertRuleFiles() throws Exception {
        Path committed = Repo.path(PrometheusRuleGenerator.CHART_OUTPUT);
        String expected = PrometheusRuleGenerator.generateChartGroups(Repo.path(PrometheusRuleGenerator.ALERTS_DIR));
        if (Boolean.getBoolean("gonka.regenerate")) {
            Files.writeString(committed, expected, StandardCharsets.UTF_8);
        }
        assertTrue(Files.isRegularFile(committed), PrometheusRuleGenerator.CHART_OUTPUT + " is missing; run: " + PrometheusRuleGenerator.REGENERATE_COMMAND);
        assertEquals(expected, Files.readString(committed, StandardCharsets.UTF_8), PrometheusRuleGenerator.CHART_OUTPUT
                + " is out of date with alerts/*" + PrometheusRuleGenerator.SUFFIX + "; regenerate it with:\n  "
                + PrometheusRuleGenerator.REGENERATE_COMMAND + "\nand commit the result.");
    }

    @Test
    void readmeGivesTheRegenerateCommand() {
        assertTrue(Repo.read(DIR + "/README.md").contains(PrometheusRuleGenerator.REGENERATE_COMMAND));
    }

    @Test
    void prometheusRuleSpecIsAValidRuleFile(@TempDir Path tmp) throws Exception {
        Doc rule = ofKind("PrometheusRule").get(0);
        String checked = PrometheusRuleGeneratorTest.promtoolCheckRules(tmp, mapAt(rule.body(), rule.what(), "spec"));
        int expectedRules = 0;
        for (Path f : PrometheusRuleGenerator.ruleFiles(Repo.path(PrometheusRuleGenerator.ALERTS_DIR))) {
            Map<String, Object> top = map(safe().load(Files.readString(f)), f.toString());
            for (Object g : list(top.get("groups"), f + " groups")) {
                expectedRules += list(map(g, "group").get("rules"), "rules").size();
            }
        }
        assertTrue(checked.contains("SUCCESS: " + expectedRules + " rules found"), checked);
    }
}
