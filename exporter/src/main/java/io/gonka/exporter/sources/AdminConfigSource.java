package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.AdminConfigSnapshot;
import io.gonka.exporter.model.AdminConfigSnapshot.Seed;
import io.gonka.exporter.model.AdminConfigSnapshot.UpgradePlan;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code GET /admin/v1/config} (newer builds; older ones answer 404 and the source is unsupported).
 * The answer holds the ML-node worker private key: only the fields below are read, the body is
 * dropped right after parsing, and nothing of it reaches a log line.
 */
public final class AdminConfigSource extends SingleRequestSource<AdminConfigSnapshot> {
    public static final String NAME = "admin_config";

    public AdminConfigSource(UpstreamClient client, String adminUrl, Duration interval) {
        super(NAME, client, adminUrl + "/admin/v1/config", interval, true);
    }

    @Override
    protected AdminConfigSnapshot parseBody(byte[] body) {
        return parse(body);
    }

    public static AdminConfigSnapshot parse(byte[] body) {
        JsonNode root = readTree(body, NAME, true);
        if (!root.isObject()) {
            throw SourceException.parse(NAME + ": expected an object, got " + kind(root));
        }
        Optional<String> publicUrl = optionalObject(root, "api", NAME)
                .flatMap(api -> optionalText(api, "public_url", NAME + ".api"))
                .filter(s -> !s.isBlank());
        String version = textOrEmpty(root, "current_node_version", NAME);
        Optional<UpgradePlan> plan = optionalObject(root, "upgrade_plan", NAME).flatMap(p -> {
            String name = textOrEmpty(p, "name", NAME + ".upgrade_plan");
            long height = longOrZero(p, "height", NAME + ".upgrade_plan");
            return name.isEmpty() || height <= 0 ? Optional.empty() : Optional.of(new UpgradePlan(name, height,
                    textOrEmpty(p, "node_version", NAME + ".upgrade_plan")));
        });
        return new AdminConfigSnapshot(publicUrl, version,
                optionalLong(root, "current_height", NAME),
                optionalLong(root, "last_processed_height", NAME),
                seed(root, "current_seed"),
                seed(root, "previous_seed"),
                plan);
    }

    private static Optional<Seed> seed(JsonNode root, String field) {
        return optionalObject(root, field, NAME).map(s -> new Seed(
                longOrZero(s, "epoch_index", NAME + "." + field),
                boolOrFalse(s, "claimed", NAME + "." + field)));
    }
}
