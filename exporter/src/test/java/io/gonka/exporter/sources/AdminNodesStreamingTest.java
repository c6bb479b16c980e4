package io.gonka.exporter.sources;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.AdminNodesSnapshot;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.support.LogCapture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 16, finding 5: the node array is streamed; past the limit nodes are counted, not kept. */
class AdminNodesStreamingTest {
    static String node(int i) {
        return "{\"node\":{\"id\":\"n" + i + "\",\"host\":\"127.0.0.1\",\"poc_port\":8080},\"state\":{\"current_status\":\"INFERENCE\"}}";
    }

    static byte[] array(int n, String tail) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(node(i));
        }
        return ("[" + String.join(",", all) + tail).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nodesPastTheLimitAreCountedNotKept() {
        try (LogCapture logs = new LogCapture()) {
            AdminNodesSnapshot s = AdminNodesSource.parse(array(5000, "]"), 3);
            assertEquals(List.of("n0", "n1", "n2"), s.nodes().stream().map(n -> n.id()).toList());
            assertEquals(1, logs.count("5000 ML nodes, more than 3"), logs.all());
        }
    }

    @Test
    void aBrokenTailPastTheLimitIsStillAnError() {
        SourceException e = assertThrows(SourceException.class, () -> AdminNodesSource.parse(array(10, ",{\"node\":"), 3));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        e = assertThrows(SourceException.class, () -> AdminNodesSource.parse(array(10, ""), 3));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        e = assertThrows(SourceException.class, () -> AdminNodesSource.parse("\"nodes\"".getBytes(StandardCharsets.UTF_8), 3));
        assertTrue(e.getMessage().contains("expected an array of nodes, got string"), e.getMessage());
    }
}
