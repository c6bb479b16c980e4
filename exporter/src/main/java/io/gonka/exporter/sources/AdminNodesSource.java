package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.AdminNodesSnapshot;
import io.gonka.exporter.model.MlNode;
import io.gonka.exporter.model.MlNodeStatus;
import io.gonka.exporter.model.PocStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /admin/v1/nodes}: every registered ML node with its state and per-model PoC weight. */
public final class AdminNodesSource extends SingleRequestSource<AdminNodesSnapshot> {
    public static final String NAME = "admin_nodes";
    private static final Logger LOG = LoggerFactory.getLogger(AdminNodesSource.class);

    private final int maxNodes;

    public AdminNodesSource(UpstreamClient client, String adminUrl, Duration interval, int maxNodes) {
        super(NAME, client, adminUrl + "/admin/v1/nodes", interval, false);
        this.maxNodes = maxNodes;
    }

    @Override
    protected AdminNodesSnapshot parseBody(byte[] body) {
        return parse(body, maxNodes);
    }

    /**
     * Streams the array: one node's tree is built at a time, and past {@code maxNodes} the rest are
     * only counted, so the largest body the size cap lets through (tens of thousands of nodes) never
     * becomes one tree in the heap.
     */
    public static AdminNodesSnapshot parse(byte[] body, int maxNodes) {
        if (body.length == 0) {
            throw SourceException.parse(NAME + ": empty body");
        }
        List<MlNode> nodes = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        int count = 0;
        try (JsonParser in = MAPPER.createParser(body)) {
            JsonToken first = in.nextToken();
            if (first == null) {
                throw SourceException.parse(NAME + ": empty body");
            }
            if (first != JsonToken.START_ARRAY) {
                throw SourceException.parse(NAME + ": expected an array of nodes, got " + kind(MAPPER.readTree(in)));
            }
            for (JsonToken t = in.nextToken(); t != JsonToken.END_ARRAY; t = in.nextToken()) {
                if (t == null) {
                    throw SourceException.parse(NAME + ": malformed JSON: the array of nodes is not closed");
                }
                String path = "[" + count++ + "]";
                if (nodes.size() >= maxNodes) {
                    in.skipChildren(); // still read, so a broken tail is still an error
                    continue;
                }
                MlNode node = parseNode(MAPPER.readTree(in), path);
                if (seen.putIfAbsent(node.id(), Boolean.TRUE) != null) {
                    throw SourceException.parse(NAME + path + ": duplicate node id \"" + clip(node.id()) + "\"");
                }
                nodes.add(node);
            }
        } catch (JsonProcessingException e) {
            throw SourceException.parse(NAME + ": malformed JSON: " + clipLong(e.getOriginalMessage()));
        } catch (IOException e) {
            throw SourceException.parse(NAME + ": unreadable body: " + e.getMessage());
        }
        if (count > maxNodes) {
            LOG.warn("source {}: {} ML nodes, more than {}; the rest are not exported", NAME, count, maxNodes);
        }
        return new AdminNodesSnapshot(List.copyOf(nodes));
    }

    static MlNode parseNode(JsonNode entry, String path) {
        JsonNode node = object(entry, "node", path);
        JsonNode state = object(entry, "state", path);
        String id = requiredText(node, "id", path + ".node");
        if (id.isEmpty()) {
            throw SourceException.parse(NAME + path + ".node.id: empty");
        }
        String host = textOrEmpty(node, "host", path + ".node");
        int pocPort = (int) longOrZero(node, "poc_port", path + ".node");
        String pocSegment = textOrEmpty(node, "poc_segment", path + ".node");
        String version = textOrEmpty(state, "ml_node_version", path + ".state");
        if (version.isEmpty()) {
            version = textOrEmpty(node, "version", path + ".node"); // 2025 builds
        }

        MlNodeStatus current = status(state, "current_status", path, id);
        MlNodeStatus intended = status(state, "intended_status", path, id);
        String rawPoc = textOrEmpty(state, "poc_current_status", path + ".state");
        PocStatus poc = PocStatus.parse(rawPoc);
        if (poc == PocStatus.UNKNOWN && !rawPoc.isEmpty()) {
            LOG.debug("ML node {}: unknown poc_current_status \"{}\", exported as UNKNOWN", id, clip(rawPoc));
        }
        boolean enabled = optionalObject(state, "admin_state", path + ".state")
                .map(a -> boolOrFalse(a, "enabled", path + ".state.admin_state"))
                .orElse(true); // no admin_state: nobody disabled it

        Map<String, Double> weights = new LinkedHashMap<>();
        Map<String, Boolean> slots = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> models = optionalObject(state, "epoch_ml_nodes", path + ".state")
                .map(JsonNode::fields).orElse(Collections.emptyIterator());
        while (models.hasNext()) {
            Map.Entry<String, JsonNode> m = models.next();
            String mpath = path + ".state.epoch_ml_nodes[" + clip(m.getKey()) + "]";
            JsonNode info = m.getValue();
            if (info == null || info.isNull()) {
                continue;
            }
            if (!info.isObject()) {
                throw SourceException.parse(NAME + mpath + ": expected an object, got " + kind(info));
            }
            weights.put(m.getKey(), numberOrZero(info, "poc_weight", mpath)); // omitempty: missing = 0
            slots.put(m.getKey(), legacyPocSlot(info, mpath));
        }
        preservedModels(state, path).ifPresent(preserved -> {
            // Newest broker: preserved_models decides (ShouldContinueInference); timeslot_allocation is deprecated.
            slots.replaceAll((model, legacy) -> preserved.contains(model));
            preserved.forEach(model -> slots.putIfAbsent(model, true));
        });
        return new MlNode(id, host, pocPort, pocSegment, version, current, intended, poc, enabled,
                Collections.unmodifiableMap(weights), Collections.unmodifiableMap(slots),
                optionalTime(state, "status_timestamp", path + ".state"),
                (int) Math.max(0, longOrZero(state, "lock_count", path + ".state")),
                (int) Math.max(0, longOrZero(node, "max_concurrent", path + ".node")),
                textOrEmpty(state, "failure_reason", path + ".state"));
    }

    /** v0.2.0: {@code timeslot_allocation[1]} says whether the node keeps serving inference during PoC. */
    private static boolean legacyPocSlot(JsonNode info, String mpath) {
        JsonNode alloc = info.get("timeslot_allocation");
        if (alloc == null || alloc.isNull()) {
            return false;
        }
        if (!alloc.isArray()) {
            throw SourceException.parse(NAME + mpath + ".timeslot_allocation: expected an array, got " + kind(alloc));
        }
        JsonNode pocSlot = alloc.get(1);
        if (pocSlot == null || pocSlot.isNull()) {
            return false;
        }
        if (!pocSlot.isBoolean()) {
            throw SourceException.parse(NAME + mpath + ".timeslot_allocation[1]: expected a boolean, got " + kind(pocSlot));
        }
        return pocSlot.booleanValue();
    }

    /**
     * Newest broker: {@code preserved_models} (model id -> true; {@code null} when the map is nil). Present
     * (even null) means the broker has the field and it decides; absent (v0.2.0) means fall back to timeslots.
     */
    static Optional<Set<String>> preservedModels(JsonNode state, String path) {
        if (!state.has("preserved_models")) {
            return Optional.empty();
        }
        JsonNode p = state.get("preserved_models");
        if (p == null || p.isNull()) {
            return Optional.of(Set.of());
        }
        if (!p.isObject()) {
            throw SourceException.parse(NAME + path + ".state.preserved_models: expected an object, got " + kind(p));
        }
        Set<String> out = new LinkedHashSet<>();
        p.fields().forEachRemaining(e -> {
            if (e.getValue() != null && e.getValue().isBoolean() && e.getValue().booleanValue()) {
                out.add(e.getKey());
            } else if (e.getValue() != null && !e.getValue().isBoolean() && !e.getValue().isNull()) {
                throw SourceException.parse(NAME + path + ".state.preserved_models[" + clip(e.getKey()) + "]: expected a boolean, got "
                        + kind(e.getValue()));
            }
        });
        return Optional.of(out);
    }

    private static MlNodeStatus status(JsonNode state, String field, String path, String id) {
        JsonNode n = state.get(field);
        if (n == null || n.isNull()) {
            return MlNodeStatus.UNKNOWN;
        }
        String raw = n.isIntegralNumber() ? n.asText() : textOrEmpty(state, field, path + ".state");
        if (!MlNodeStatus.known(raw)) {
            LOG.debug("ML node {}: unknown {} \"{}\", exported as UNKNOWN", id, field, clip(raw));
        }
        return MlNodeStatus.parse(raw);
    }
}
