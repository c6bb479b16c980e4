package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.UpgradeStatus;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /admin/v1/nodes/upgrade-status} (newest API nodes; v0.2.0 answers 404: unsupported). Without a
 * plan naming an ML-node version it says {@code {"message":"No upgrade plan active"}}; with one, a map of
 * node id to {@code {is_alive, error?}} from the broker's version check of each node against that version.
 * The error text is not kept: it names hosts and would be an unbounded label.
 */
public final class UpgradeStatusSource extends SingleRequestSource<UpgradeStatus> {
    public static final String NAME = "upgrade_status";

    private final int maxNodes;

    public UpgradeStatusSource(UpstreamClient client, String adminUrl, Duration interval, int maxNodes) {
        super(NAME, client, adminUrl + "/admin/v1/nodes/upgrade-status", interval, true);
        this.maxNodes = maxNodes;
    }

    @Override
    protected UpgradeStatus parseBody(byte[] body) {
        return parse(body, maxNodes);
    }

    public static UpgradeStatus parse(byte[] body, int maxNodes) {
        JsonNode root = readTree(body, NAME);
        if (!root.isObject()) {
            throw SourceException.parse(NAME + ": expected an object, got " + kind(root));
        }
        if (root.size() == 1 && root.path("message").isTextual()) {
            return new UpgradeStatus(false, Map.of());
        }
        Map<String, Boolean> ready = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext() && ready.size() < maxNodes) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = NAME + "[" + clip(e.getKey()) + "]";
            if (!e.getValue().isObject()) {
                throw SourceException.parse(path + ": expected an object, got " + kind(e.getValue()));
            }
            ready.put(e.getKey(), boolOrFalse(e.getValue(), "is_alive", path));
        }
        return new UpgradeStatus(true, java.util.Collections.unmodifiableMap(ready));
    }
}
