package io.gonka.exporter.dashboards;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsContractTest {

    @Test
    void parsesTheSharedContract() {
        MetricsContract c = MetricsContract.load(io.gonka.exporter.support.Fixtures.metricsContract());
        assertTrue(c.metrics().size() >= 60, "only " + c.metrics().size() + " metrics parsed");
        // a row listing two names
        assertEquals(Set.of("gpu", "uuid"), c.metric("gonka_gpu_memory_used_bytes").labels());
        assertEquals(Set.of("gpu", "uuid"), c.metric("gonka_gpu_memory_total_bytes").labels());
        // counters keep _total; values in parentheses are not labels
        assertEquals("counter", c.metric("gonka_gpu_ecc_errors_total").type());
        assertEquals(Set.of("gpu", "uuid", "type"), c.metric("gonka_gpu_ecc_errors_total").labels());
        assertEquals(Set.of("source", "reason"), c.metric("gonka_source_errors_total").labels());
        assertEquals(Set.of(), c.metric("gonka_chain_block_height").labels());
        assertEquals(Set.of("node_id", "host", "version"), c.metric("gonka_mlnode_info").labels());
        assertFalse(c.has("gonka_source_errors"));
        assertTrue(c.documents("PoCGenerate") && c.documents("FAILED") && c.documents("nvml")
                && c.documents("uncorrected"));
        assertFalse(c.documents("POC_GENERATE"));
    }

    @Test
    void parsesRowsWithTwoNamesAndIgnoresOtherTables() {
        MetricsContract c = MetricsContract.parse("""
                | metric | type | labels | meaning |
                |---|---|---|---|
                | `a_bytes`, `b_bytes` | gauge | `gpu`, `uuid` | x |
                | `c_total` | counter | `type` (`x`, `y`) | |

                | param | default | value |
                |---|---|---|
                | `epoch_length` | 40 | `17280` |
                """);
        assertEquals(Set.of("a_bytes", "b_bytes", "c_total"), c.metrics().keySet());
        assertEquals(Set.of("type"), c.metric("c_total").labels());
    }
}
