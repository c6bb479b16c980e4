package io.gonka.exporter.config;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.core.type.Argument;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks every setting's value as Micronaut sees it (from a flag, -D, the environment or
 * a config file) before anything starts. Micronaut's binding falls back to the default when a
 * value does not convert ({@code GONKA_INTERVAL_RPC_STATUS=abc} would quietly become 5 s), so the
 * raw text is checked here and start-up stops with the setting and the bad value named.
 */
@Context
public class SettingsCheck {

    public SettingsCheck(Environment environment) {
        List<String> problems = problems(environment);
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    public static List<String> problems(Environment environment) {
        List<String> problems = new ArrayList<>();
        for (Setting s : Settings.all()) {
            if (s.property() == null) {
                continue; // the log level: checked on the command line, before logging starts
            }
            if (s.kind() == Setting.Kind.URL_LIST) {
                List<String> urls = environment.getProperty(s.property(), Argument.listOf(String.class)).orElse(List.of());
                for (String url : urls) {
                    if (!url.isBlank()) {
                        urlProblem(url.trim()).ifPresent(p -> problems.add(message(s, url, p)));
                    }
                }
                continue;
            }
            Optional<String> raw = environment.getProperty(s.property(), String.class);
            if (raw.isEmpty()) {
                continue;
            }
            String value = raw.get();
            if (value.isBlank() && s.defaultValue().isEmpty()) {
                continue; // an optional setting left empty
            }
            problem(s, value, environment).ifPresent(p -> problems.add(message(s, value, p)));
        }
        problems.addAll(dependencies(environment));
        return problems;
    }

    static String message(Setting s, String value, String problem) {
        // a URL may carry user:password@ (sent as basic auth): never echoed
        String shown = s.kind() == Setting.Kind.URL || s.kind() == Setting.Kind.URL_LIST
                ? io.gonka.exporter.upstream.UrlCredentials.redactHost(value) : value;
        return s.names() + " = \"" + shown + "\": " + problem;
    }

    private static Optional<String> problem(Setting s, String raw, Environment environment) {
        String v = raw.trim();
        return switch (s.kind()) {
            case BOOLEAN -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? Optional.empty()
                    : Optional.of("not true or false");
            case DURATION -> {
                Optional<Duration> d = v.isEmpty() ? Optional.empty() : environment.getProperty(s.property(), Duration.class);
                if (d.isEmpty()) {
                    yield Optional.of("not a duration such as 500ms, 5s, 2m or 1h");
                }
                yield d.get().isNegative() || d.get().isZero() ? Optional.of("must be longer than 0") : Optional.empty();
            }
            case INT, LONG -> {
                try {
                    long n = s.kind() == Setting.Kind.INT ? Integer.parseInt(v) : Long.parseLong(v);
                    yield n < 1 ? Optional.of("must be at least 1") : Optional.empty();
                } catch (NumberFormatException e) {
                    yield Optional.of("not a whole number" + (s.kind() == Setting.Kind.INT ? " up to " + Integer.MAX_VALUE : ""));
                }
            }
            case URL -> urlProblem(v);
            case PORT -> {
                try {
                    int port = Integer.parseInt(v);
                    // -1: any free port (Micronaut's convention, used by tests)
                    yield port < -1 || port > 65535 ? Optional.of("not a port (1-65535)") : Optional.empty();
                } catch (NumberFormatException e) {
                    yield Optional.of("not a port (1-65535)");
                }
            }
            case HOST -> v.isEmpty() || v.contains(" ") || v.contains("/") ? Optional.of("not a host name or address") : Optional.empty();
            case SCHEME -> v.equals("http") || v.equals("https") ? Optional.empty() : Optional.of("not http or https");
            case PATH, TEXT, URL_LIST, LOG_LEVEL -> Optional.empty();
        };
    }

    static Optional<String> urlProblem(String v) {
        try {
            URI u = new URI(v);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return Optional.of("not an http:// or https:// URL");
            }
            if (u.getHost() == null || u.getHost().isBlank()) {
                return Optional.of("no host in the URL");
            }
            return Optional.empty();
        } catch (java.net.URISyntaxException e) {
            return Optional.of("not a URL (" + e.getReason() + ")");
        }
    }

    /** Switched-off sources that others need. */
    private static List<String> dependencies(Environment environment) {
        List<String> problems = new ArrayList<>();
        if (!on(environment, "gonka.enabled")) {
            return problems;
        }
        if (on(environment, "gonka.collector.mlnode-health") && !on(environment, "gonka.collector.admin-nodes")) {
            problems.add("--collector.mlnode_health needs --collector.admin_nodes (the ML node list); switch mlnode_health off too"
                    + " (--no-collector.mlnode_health, GONKA_COLLECTOR_MLNODE_HEALTH=false)");
        }
        if (on(environment, "gonka.collector.validator-liveness") && !on(environment, "gonka.collector.rpc-status")) {
            problems.add("--collector.validator_liveness needs --collector.rpc_status (the latest height and the validator key);"
                    + " switch validator_liveness off too (--no-collector.validator_liveness, GONKA_COLLECTOR_VALIDATOR_LIVENESS=false)");
        }
        boolean address = !environment.getProperty("gonka.participant-address", String.class).orElse("").isBlank();
        // the ways ParticipantIdentity finds it: setup report; public_url or consensus key among the participants
        boolean detectable = on(environment, "gonka.collector.setup-report")
                || (on(environment, "gonka.collector.participants")
                        && (on(environment, "gonka.collector.admin-config") || on(environment, "gonka.collector.rpc-status")));
        for (String needsAddress : List.of("participant_stats", "collateral")) {
            if (on(environment, "gonka.collector." + needsAddress.replace('_', '-')) && !address && !detectable) {
                problems.add("--collector." + needsAddress + " needs the participant address: set gonka.participant-address"
                        + " (GONKA_PARTICIPANT_ADDRESS) or keep setup_report, or participants with admin_config or rpc_status, on to detect it");
            }
        }
        return problems;
    }

    private static boolean on(Environment environment, String property) {
        return !environment.getProperty(property, String.class).orElse("true").trim().equalsIgnoreCase("false");
    }
}
