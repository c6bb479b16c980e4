package io.gonka.exporter.dashboards;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromQlTest {

    private static Set<String> names(String expr) {
        PromQl.Inspection ins = PromQl.inspect(expr);
        assertEquals(List.of(), ins.problems(), "problems in " + expr);
        return ins.metricNames();
    }

    @Test
    void findsMetricsAndSkipsFunctionsKeywordsStringsDurationsAndVariables() {
        assertEquals(Set.of("gonka_source_errors_total"),
                names("sum by (source, reason) (rate(gonka_source_errors_total{host=~\"$host\"}[$__rate_interval]))"));
        assertEquals(Set.of("gonka_chain_upgrade_plan_height", "gonka_chain_block_height"),
                names("max by (name) (gonka_chain_upgrade_plan_height{host=~\"${host}\"} - ignoring (name) group_left "
                        + "gonka_chain_block_height{host=~\"[[host]]\"})"));
        assertEquals(Set.of("gonka_chain_peers", "up"),
                names("max(gonka_chain_peers offset 5m) < bool 3 and on (host, job) up == 1 or vector(0)"));
        assertEquals(Set.of("gonka_gpus", "gonka_mlnode_gpu_available"),
                names("max_over_time(gonka_gpus[1d]) or max by (host) (max_over_time((count by (host) "
                        + "(gonka_mlnode_gpu_available{gpu=~\"${gpu:regex}\"}))[1d:5m]))"));
        assertEquals(Set.of("gonka_chain_block_lag_blocks"),
                names("label_replace(10 * (max(gonka_chain_block_lag_blocks) >= bool 1e2), \"check\", \"lag\", \"\", \"\")"));
        assertEquals(Set.of("gonka_gpu_info", "gonka_mlnode_gpu_available"),
                names("{__name__=~\"gonka_gpu_info|gonka_mlnode_gpu_available\",host=~\"$host\"}"));
        assertEquals(Set.of("ALERTS"), names("count(ALERTS{alertstate='firing'}) by (host) # a comment"));
        assertEquals(Set.of("gonka:lag:max"), names("gonka:lag:max @ end()"));
        assertEquals(Set.of("gonka_participant_weight"),
                names("topk(5, sum without (instance) (gonka_participant_weight))"));
    }

    @Test
    void collectsLabelMatchers() {
        PromQl.Inspection ins = PromQl.inspect("gonka_mlnode_status{host=~\"a|b\", status=\"FAILED\", node_id!=\"x,y}\"}");
        assertEquals(List.of(), ins.problems());
        assertEquals(List.of(new PromQl.LabelMatcher("host", "=~", "a|b"),
                        new PromQl.LabelMatcher("status", "=", "FAILED"),
                        new PromQl.LabelMatcher("node_id", "!=", "x,y}")),
                ins.selectors().get(0).matchers());
    }

    @Test
    void reportsWhatItCannotPlace() {
        assertTrue(PromQl.inspect("rates(gonka_chain_peers[5m])").problems().contains("unknown function 'rates'"));
        assertTrue(PromQl.inspect("sum(gonka_chain_peers").problems().contains("unbalanced parentheses"));
        assertTrue(PromQl.inspect("gonka_chain_peers{host=}").problems().stream()
                .anyMatch(p -> p.startsWith("malformed label matcher")));
        assertTrue(PromQl.inspect("gonka_chain_peers{host=\"a").problems().stream()
                .anyMatch(p -> p.startsWith("unterminated string")));
        assertTrue(PromQl.inspect("{host=\"a\"}").problems().stream()
                .anyMatch(p -> p.startsWith("selector without a metric name")));
        assertTrue(PromQl.inspect("{__name__=~\"gonka_.*\"}").problems().stream()
                .anyMatch(p -> p.startsWith("cannot tell which metrics")));
    }

    @Test
    void parsesVariableQueries() {
        assertEquals(new Dashboards.VariableQuery("label_values", "gonka_mlnode_status{host=~\"$host\", a=\"x,y\"}", "node_id"),
                Dashboards.parseVariableQuery("label_values(gonka_mlnode_status{host=~\"$host\", a=\"x,y\"}, node_id)"));
        assertEquals(new Dashboards.VariableQuery("label_values", null, "host"),
                Dashboards.parseVariableQuery("label_values(host)"));
        assertEquals(new Dashboards.VariableQuery("query_result", "max(gonka_epoch_index)", null),
                Dashboards.parseVariableQuery("query_result(max(gonka_epoch_index))"));
        assertEquals(null, Dashboards.parseVariableQuery("metrics(gonka_.*)"));
    }
}
