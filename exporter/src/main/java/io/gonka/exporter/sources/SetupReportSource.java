package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.SetupReport;
import io.gonka.exporter.model.SetupReport.Check;
import io.gonka.exporter.model.SetupReport.CheckStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code GET /admin/v1/setup/report} (EXPERIMENTAL, newer builds; a 404 makes it unsupported). */
public final class SetupReportSource extends SingleRequestSource<SetupReport> {
    public static final String NAME = "setup_report";

    private final int maxChecks;

    public SetupReportSource(UpstreamClient client, String adminUrl, Duration interval, int maxChecks) {
        super(NAME, client, adminUrl + "/admin/v1/setup/report", interval, true);
        this.maxChecks = maxChecks;
    }

    @Override
    protected SetupReport parseBody(byte[] body) {
        return parse(body, maxChecks);
    }

    public static SetupReport parse(byte[] body, int maxChecks) {
        JsonNode root = readTree(body, NAME);
        if (!root.isObject()) {
            throw SourceException.parse(NAME + ": expected an object, got " + kind(root));
        }
        JsonNode checks = root.get("checks");
        List<Check> out = new ArrayList<>();
        Optional<String> coldKey = Optional.empty();
        if (checks != null && !checks.isNull()) {
            if (!checks.isArray()) {
                throw SourceException.parse(NAME + ".checks: expected an array, got " + kind(checks));
            }
            int i = 0;
            for (JsonNode c : checks) {
                String path = NAME + ".checks[" + i++ + "]";
                if (!c.isObject()) {
                    throw SourceException.parse(path + ": expected an object, got " + kind(c));
                }
                String id = requiredText(c, "id", path);
                CheckStatus status = switch (textOrEmpty(c, "status", path).toUpperCase(Locale.ROOT)) {
                    case "PASS" -> CheckStatus.PASS;
                    case "FAIL" -> CheckStatus.FAIL;
                    case "UNAVAILABLE" -> CheckStatus.UNAVAILABLE;
                    default -> CheckStatus.UNKNOWN;
                };
                if (out.size() < maxChecks && !id.isEmpty()) {
                    out.add(new Check(id, status));
                }
                if ("cold_key_configured".equals(id) && status == CheckStatus.PASS) {
                    coldKey = optionalObject(c, "details", path)
                            .flatMap(d -> optionalText(d, "address", path + ".details"))
                            .filter(s -> !s.isBlank());
                }
            }
        }
        return new SetupReport(List.copyOf(out), coldKey);
    }
}
