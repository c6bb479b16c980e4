package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.JsonObjectStream;
import io.gonka.exporter.upstream.UpstreamBody;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.Participant;
import io.gonka.exporter.model.Participant.NodeWeight;
import io.gonka.exporter.model.ParticipantsSnapshot;
import io.gonka.exporter.model.ParticipantsSnapshot.Excluded;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/epochs/current/participants}. The answer is several MB on a large network (proofs,
 * validators, a block); it is read as a token stream, and only one participant at a time becomes a tree.
 */
public final class ParticipantsSource extends SingleRequestSource<ParticipantsSnapshot> {
    public static final String NAME = "participants";

    private final int maxParticipants;

    public ParticipantsSource(UpstreamClient client, String publicUrl, Duration interval, int maxParticipants) {
        super(NAME, client, publicUrl + "/v1/epochs/current/participants", interval, false);
        this.maxParticipants = maxParticipants;
    }

    @Override
    protected ParticipantsSnapshot parse(UpstreamBody body) {
        return parse(body, maxParticipants);
    }

    @Override
    protected ParticipantsSnapshot parseBody(byte[] body) {
        return parse(body, maxParticipants);
    }

    public static ParticipantsSnapshot parse(byte[] body, int maxParticipants) {
        return parse(UpstreamBody.of(body), maxParticipants);
    }

    /** Streams the chunks as they arrived: the several-MB answer is never one array. */
    public static ParticipantsSnapshot parse(UpstreamBody body, int maxParticipants) {
        TopLevel top = new TopLevel(maxParticipants);
        JsonObjectStream.readFields(body, NAME, top);
        if (top.found == null) {
            throw SourceException.parse(NAME + ".active_participants: missing");
        }
        return new ParticipantsSnapshot(top.found.epochId(), top.found.participants(), top.excluded);
    }

    /** The answer's top-level fields: the active participants and the excluded ones; the rest is skipped. */
    private static final class TopLevel implements JsonObjectStream.FieldReader {
        private final int maxParticipants;
        ParticipantsSnapshot found;
        List<Excluded> excluded = List.of();

        TopLevel(int maxParticipants) {
            this.maxParticipants = maxParticipants;
        }

        @Override
        public void read(String field, JsonToken value, JsonParser p) throws IOException {
            if ("active_participants".equals(field)) {
                if (value != JsonToken.START_OBJECT) {
                    throw SourceException.parse(NAME + ".active_participants: expected an object, got " + value);
                }
                found = readActiveParticipants(p, maxParticipants);
            } else if ("excluded_participants".equals(field)) {
                excluded = readExcluded(MAPPER.readTree(p), maxParticipants);
            } else {
                p.skipChildren();
            }
        }
    }

    private static ParticipantsSnapshot readActiveParticipants(JsonParser p, int maxParticipants) throws IOException {
        List<Participant> participants = new ArrayList<>();
        long epochId = -1;
        boolean sawParticipants = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "participants" -> {
                    sawParticipants = true;
                    if (value == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw SourceException.parse(NAME + ".active_participants.participants: expected an array, got " + value);
                    }
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode one = MAPPER.readTree(p);
                        String path = NAME + ".participants[" + i++ + "]";
                        if (participants.size() < maxParticipants) {
                            participants.add(participant(one, path));
                        }
                    }
                }
                case "epoch_id" -> epochId = asLong(MAPPER.readTree(p), NAME + ".active_participants.epoch_id");
                default -> p.skipChildren();
            }
        }
        if (!sawParticipants) {
            throw SourceException.parse(NAME + ".active_participants.participants: missing");
        }
        return new ParticipantsSnapshot(epochId, List.copyOf(participants));
    }

    /** Newest releases: {@code [{address, reason, exclusion_block_height}]}; absent in v0.2.0, null or [] when none. */
    static List<Excluded> readExcluded(JsonNode list, int max) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw SourceException.parse(NAME + ".excluded_participants: expected an array, got " + kind(list));
        }
        List<Excluded> out = new ArrayList<>();
        for (int i = 0; i < list.size() && out.size() < max; i++) {
            JsonNode e = list.get(i);
            String path = NAME + ".excluded_participants[" + i + "]";
            if (!e.isObject()) {
                throw SourceException.parse(path + ": expected an object, got " + kind(e));
            }
            out.add(new Excluded(requiredText(e, "address", path), textOrEmpty(e, "reason", path)));
        }
        return List.copyOf(out);
    }

    static Participant participant(JsonNode one, String path) {
        if (one == null || !one.isObject()) {
            throw SourceException.parse(path + ": expected an object, got " + kind(one));
        }
        String address = requiredText(one, "index", path);
        double weight = numberOrZero(one, "weight", path); // omitted when 0 in the legacy encoding
        String url = textOrEmpty(one, "inference_url", path);
        List<String> models = new ArrayList<>();
        JsonNode m = one.get("models");
        if (m != null && m.isArray()) {
            for (JsonNode model : m) {
                models.add(model.isTextual() ? model.textValue() : "");
            }
        } else if (m != null && !m.isNull()) {
            throw SourceException.parse(path + ".models: expected an array, got " + kind(m));
        }
        List<NodeWeight> nodes = new ArrayList<>();
        JsonNode groups = one.get("ml_nodes");
        if (groups != null && !groups.isNull()) {
            if (!groups.isArray()) {
                throw SourceException.parse(path + ".ml_nodes: expected an array, got " + kind(groups));
            }
            // ml_nodes[i] belongs to models[i]; before model assignment everything sits in ml_nodes[0].
            for (int g = 0; g < groups.size(); g++) {
                JsonNode group = groups.get(g);
                String model = g < models.size() ? models.get(g) : "";
                JsonNode list = group == null ? null : group.get("ml_nodes");
                if (list == null || list.isNull()) {
                    continue;
                }
                if (!list.isArray()) {
                    throw SourceException.parse(path + ".ml_nodes[" + g + "].ml_nodes: expected an array, got " + kind(list));
                }
                for (int n = 0; n < list.size(); n++) {
                    JsonNode node = list.get(n);
                    String npath = path + ".ml_nodes[" + g + "].ml_nodes[" + n + "]";
                    if (!node.isObject()) {
                        throw SourceException.parse(npath + ": expected an object, got " + kind(node));
                    }
                    nodes.add(new NodeWeight(textOrEmpty(node, "node_id", npath), model, numberOrZero(node, "poc_weight", npath)));
                }
            }
        }
        return new Participant(address, weight, url, List.copyOf(nodes), textOrEmpty(one, "validator_key", path));
    }
}
