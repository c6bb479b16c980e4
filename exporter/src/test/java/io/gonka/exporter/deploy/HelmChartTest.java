package io.gonka.exporter.deploy;

import static io.gonka.exporter.deploy.Yamls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/helm/gonka-exporter rendered by {@link ChartRenderer} (Helm itself cannot be
 * installed here): with the default values and the release name gonka-exporter it yields the
 * kustomize bundle's objects (deploy/kubernetes) with only Helm's extra labels added, and each
 * toggle does what values.yaml says.
 */
class HelmChartTest {
    static final String CHART = "deploy/kubernetes/helm/gonka-exporter";

    static List<Map<String, Object>> render(Map<String, Object> overrides, String release) throws Exception {
        ChartRenderer r = new ChartRenderer(Repo.path(CHART));
        List<Map<String, Object>> out = new ArrayList<>();
        r.render(r.values(overrides), release).values().forEach(out::addAll);
        return out;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static Map<String, Object> one(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(mapAt(d, kind, "metadata").get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in " + kinds(docs)));
    }

    static List<String> kinds(List<Map<String, Object>> docs) {
        return docs.stream().map(d -> d.get("kind") + "/" + mapAt(d, "doc", "metadata").get("name")).sorted().toList();
    }

    /** What Helm adds and kustomize does not: its labels, the image tag, the probes' explicit scheme. */
    @SuppressWarnings("unchecked")
    static Object normalized(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (var e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                if (Set.of("app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "helm.sh/chart").contains(k)) {
                    continue;
                }
                Object v = normalized(e.getValue());
                if (k.equals("image")) {
                    v = String.valueOf(v).replace(":0.1.0-SNAPSHOT", "");
                }
                out.put(k, v);
            }
            if (out.containsKey("httpGet")) {
                ((Map<String, Object>) out.get("httpGet")).putIfAbsent("scheme", "HTTP");
            }
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(HelmChartTest::normalized).toList();
        }
        return o;
    }

    @Test
    void defaultValuesRenderTheKustomizeBundle() throws Exception {
        List<Map<String, Object>> chart = render(Map.of(), "gonka-exporter");
        List<KubernetesManifestsTest.Doc> kustomize = KubernetesManifestsTest.all();
        assertEquals(kustomize.stream().map(d -> d.kind() + "/" + d.name()).sorted().toList(), kinds(chart));
        for (KubernetesManifestsTest.Doc k : kustomize) {
            Map<String, Object> h = one(chart, k.kind(), k.name());
            Map<String, Object> expected = new HashMap<>(k.body());
            Map<String, Object> actual = new HashMap<>(h);
            expected.remove("metadata");
            actual.remove("metadata");
            assertEquals(normalized(expected), normalized(actual), k.what() + " differs between kustomize and the chart");
            assertEquals(normalized(mapAt(k.body(), k.what(), "metadata").get("labels")), normalized(mapAt(h, k.what(), "metadata").get("labels")),
                    k.what() + " labels");
        }
        assertEquals(Repo.read("deploy/kubernetes/prometheusrule.yaml").contains("GonkaExporterDown"), true);
    }

    @Test
    void everyMonitorAndRuleIsAToggle() throws Exception {
        assertEquals(List.of(), ofKind(render(Map.of("serviceMonitor.enabled", false), "m"), "ServiceMonitor"));
        assertEquals(List.of(), ofKind(render(Map.of("prometheusRule.enabled", false), "m"), "PrometheusRule"));
        assertEquals(List.of(), ofKind(render(Map.of(), "m"), "PodMonitor"));
        List<Map<String, Object>> pod = render(Map.of("podMonitor.enabled", true, "serviceMonitor.enabled", false,
                "podMonitor.labels", Map.of("release", "kube-prometheus-stack")), "m");
        Map<String, Object> pm = one(pod, "PodMonitor", "m");
        assertEquals("kube-prometheus-stack", mapAt(pm, "PodMonitor", "metadata", "labels").get("release"));
        String relabel = String.valueOf(pm.get("spec"));
        assertTrue(relabel.contains("targetLabel=job, replacement=gonka-exporter}") && relabel.contains("replacement=gonka-exporter-gpu"), relabel);
        assertTrue(relabel.contains("targetLabel=host"), relabel);
        // The PodMonitor selects both workloads' pods.
        Map<String, Object> selector = mapAt(pm, "PodMonitor", "spec", "selector", "matchLabels");
        for (String w : List.of("Deployment/m", "DaemonSet/m-gpu")) {
            Map<String, Object> d = one(pod, w.split("/")[0], w.split("/")[1]);
            assertTrue(KubernetesManifestsTest.selects(selector, mapAt(d, w, "spec", "template", "metadata", "labels")), w);
        }
        List<Map<String, Object>> noGpu = render(Map.of("gpu.enabled", false), "m");
        assertEquals(List.of("ConfigMap/m-config", "Deployment/m", "PrometheusRule/m", "Service/m", "ServiceMonitor/m"), kinds(noGpu));
        List<Map<String, Object>> existingClass = render(Map.of("gpu.priorityClass.create", false, "gpu.priorityClassName", "gpu-critical"), "m");
        assertEquals(List.of(), ofKind(existingClass, "PriorityClass"));
        assertEquals("gpu-critical", mapAt(one(existingClass, "DaemonSet", "m-gpu"), "ds", "spec", "template", "spec").get("priorityClassName"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void gpuDaemonSetHasNodeSelectorTolerationsAndPriority() throws Exception {
        List<Map<String, Object>> docs = render(Map.of("gpu.nodeSelector", Map.of("gpu", "h100"),
                "gpu.tolerations", List.of(Map.of("key", "dedicated", "operator", "Equal", "value", "gonka", "effect", "NoSchedule")),
                "gpu.runtimeClassName", "nvidia"), "m");
        Map<String, Object> pod = mapAt(one(docs, "DaemonSet", "m-gpu"), "ds", "spec", "template", "spec");
        assertEquals(Map.of("gpu", "h100"), pod.get("nodeSelector"));
        assertEquals(List.of(Map.of("key", "dedicated", "operator", "Equal", "value", "gonka", "effect", "NoSchedule")), pod.get("tolerations"));
        assertEquals("gonka-exporter-gpu", pod.get("priorityClassName"));
        assertEquals("nvidia", pod.get("runtimeClassName"));
        Map<String, Object> pc = one(docs, "PriorityClass", "gonka-exporter-gpu");
        assertEquals(1000000, pc.get("value"));
        assertEquals(false, pc.get("globalDefault"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void tlsMakesProbesAndScrapesHttps() throws Exception {
        for (boolean tls : List.of(false, true)) {
            List<Map<String, Object>> docs = render(Map.of("webConfig.secretName", "gonka-exporter-web", "webConfig.tls", tls,
                    "webConfig.basicAuthSecretName", "gonka-exporter-scrape"), "m");
            int probes = 0;
            for (Map<String, Object> w : List.of(one(docs, "Deployment", "m"), one(docs, "DaemonSet", "m-gpu"))) {
                Map<String, Object> pod = mapAt(w, "workload", "spec", "template", "spec");
                Map<String, Object> c = map(list(pod.get("containers"), "containers").get(0), "container");
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    assertEquals(tls ? "HTTPS" : "HTTP", mapAt(c, probe, probe, "httpGet").get("scheme"), probe);
                    probes++;
                }
                assertTrue(String.valueOf(c.get("env")).contains("name=GONKA_WEB_CONFIG_FILE, value=/etc/gonka-exporter/web-config.yml"));
                assertTrue(String.valueOf(pod.get("volumes")).contains("secretName=gonka-exporter-web"));
            }
            assertEquals(6, probes);
            Map<String, Object> endpoint = map(listAt(one(docs, "ServiceMonitor", "m"), "sm", "spec", "endpoints").get(0), "endpoint");
            assertEquals(tls ? "https" : "http", endpoint.get("scheme"));
            assertEquals(tls, endpoint.containsKey("tlsConfig"));
            assertEquals("gonka-exporter-scrape", mapAt(endpoint, "basicAuth", "basicAuth", "password").get("name"));
        }
    }

    /** With any release name the job and host labels the alerts and dashboards use are the same. */
    @Test
    void jobAndHostLabelsDoNotDependOnTheReleaseName() throws Exception {
        List<Map<String, Object>> docs = render(Map.of(), "monitoring");
        Map<String, Object> sm = one(docs, "ServiceMonitor", "monitoring");
        String jobLabel = String.valueOf(mapAt(sm, "sm", "spec").get("jobLabel"));
        Set<String> jobs = new TreeSet<>();
        for (Map<String, Object> svc : ofKind(docs, "Service")) {
            Map<String, Object> labels = mapAt(svc, "svc", "metadata", "labels");
            assertTrue(KubernetesManifestsTest.selects(mapAt(sm, "sm", "spec", "selector", "matchLabels"), labels), "selected: " + svc);
            jobs.add(String.valueOf(labels.get(jobLabel)));
            // Each Service selects exactly its workload's pods.
            String name = String.valueOf(mapAt(svc, "svc", "metadata").get("name"));
            Map<String, Object> workload = name.endsWith("-gpu") ? one(docs, "DaemonSet", name) : one(docs, "Deployment", name);
            assertTrue(KubernetesManifestsTest.selects(mapAt(svc, "svc", "spec", "selector"), mapAt(workload, name, "spec", "template", "metadata", "labels")));
        }
        assertEquals(Set.of("gonka-exporter", "gonka-exporter-gpu"), jobs);
        String down = Repo.read("alerts/exporter.rules.yml");
        assertTrue(down.contains("up{job=~\"gonka-exporter|gonka-exporter-gpu\"} == 0"), "GonkaExporterDown covers both jobs");
        String relabelings = String.valueOf(map(listAt(sm, "sm", "spec", "endpoints").get(0), "endpoint").get("relabelings"));
        assertTrue(relabelings.contains("sourceLabels=[__meta_kubernetes_pod_node_name], targetLabel=host"), relabelings);
    }

    @Test
    void chartVersionsMatchTheKustomizeImage() throws Exception {
        Map<String, Object> chart = safe().load(Repo.read(CHART + "/Chart.yaml"));
        Map<String, Object> values = safe().load(Repo.read(CHART + "/values.yaml"));
        assertEquals(chart.get("appVersion"), mapAt(values, "values", "image").get("tag"));
        assertTrue(Repo.read("deploy/kubernetes/kustomization.yaml").contains("newTag: " + chart.get("appVersion")));
    }
}
