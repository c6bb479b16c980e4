package io.gonka.exporter.config;

import io.micronaut.core.bind.annotation.Bindable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the exporter, read off the typed configuration records themselves
 * ({@link ExporterConfig}, {@link CollectorsConfig}: names, types and defaults), plus the few that
 * must be known before Micronaut starts (listen address, web config, log level). The command
 * line, the start-up check and the tests all use this one list.
 */
public final class Settings {
    public static final String LISTEN_ADDRESS_FLAG = "--web.listen-address";
    public static final String HOST_PROPERTY = "micronaut.server.host";
    public static final String PORT_PROPERTY = "micronaut.server.port";
    public static final String WEB_CONFIG_PROPERTY = "gonka.web-config-file";

    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("gonka.enabled", "false switches every Gonka source off: a plain GPU exporter"),
            Map.entry("gonka.admin-url", "admin API of the API node"),
            Map.entry("gonka.rpc-url", "CometBFT RPC of the chain node"),
            Map.entry("gonka.public-url", "public API (also used for /chain-api/ unless chain-rest-url is set)"),
            Map.entry("gonka.participant-address", "this host's participant (gonka1...); empty: detected from the node"),
            Map.entry("gonka.reference-urls", "comma-separated other nodes' CometBFT RPC base URLs (http://host:26657, https://rpc.example;"
                    + " {public}/chain-rpc only where that proxy serves it) for block lag"),
            Map.entry("gonka.timeout", "hard deadline per upstream request, body included"),
            Map.entry("gonka.max-body-bytes", "larger upstream answers are refused while streaming (reason=\"parse\")"),
            Map.entry("gonka.network-series", "export every participant's and ML node's weight (many series)"),
            Map.entry("gonka.mlnode-concurrency", "ML-node health requests in flight at once"),
            Map.entry("gonka.max-label-length", "label values from upstream are cut to this length"),
            Map.entry("gonka.max-ml-nodes", "ML nodes beyond this are not exported (logged)"),
            Map.entry("gonka.max-network-participants", "participants beyond this are ignored"),
            Map.entry("gonka.nvml-enabled", "read local GPUs through NVML (also with the Gonka sources off)"),
            Map.entry("gonka.nvml-library-path", "explicit path of libnvidia-ml.so.1; empty: the system's"),
            Map.entry("gonka.chain-rest-url", "chain REST gateway for the participant record where /v2/participants is absent (v0.2.0),"
                    + " e.g. http://node:1317; empty: {public-url}/chain-api"),
            Map.entry("gonka.mlnode-detail-interval", "how often each ML node's /health (an NVML enumeration on the node) is asked, liveness in between"
                    + " via /api/v1/state; at or below interval-mlnode-health: every poll"),
            Map.entry("gonka.mlnode-scheme", "http, or https for ML nodes whose PoC port is behind the mTLS proxy"),
            Map.entry("gonka.mlnode-tls-cert", "PEM client certificate for the ML nodes' mTLS proxy"),
            Map.entry("gonka.mlnode-tls-key", "PEM key of that certificate"),
            Map.entry("gonka.mlnode-tls-ca", "PEM certificate(s) trusted for the ML nodes; empty: the JVM's CAs"),
            Map.entry("gonka.validator-slashing-window", "x/slashing signed_blocks_window of the chain: how many recent blocks'"
                    + " signatures are counted for gonka_chain_validator_missed_blocks"),
            Map.entry(HOST_PROPERTY, "listen address of /metrics"),
            Map.entry(PORT_PROPERTY, "listen port of /metrics"),
            Map.entry(WEB_CONFIG_PROPERTY, "exporter-toolkit web-config.yml: TLS and/or basic auth"));

    private static final List<Setting> ALL = build();

    private Settings() {}

    public static List<Setting> all() {
        return ALL;
    }

    public static Optional<Setting> byProperty(String property) {
        return ALL.stream().filter(s -> property.equals(s.property())).findFirst();
    }

    public static Optional<Setting> byEnv(String env) {
        return ALL.stream().filter(s -> env.equals(s.env())).findFirst();
    }

    private static List<Setting> build() {
        List<Setting> out = new ArrayList<>();
        out.add(new Setting(HOST_PROPERTY, "GONKA_EXPORTER_HOST", LISTEN_ADDRESS_FLAG, Setting.Kind.HOST, "127.0.0.1", HELP.get(HOST_PROPERTY)));
        out.add(new Setting(PORT_PROPERTY, "GONKA_EXPORTER_PORT", LISTEN_ADDRESS_FLAG, Setting.Kind.PORT, "9401", HELP.get(PORT_PROPERTY)));
        out.add(new Setting(WEB_CONFIG_PROPERTY, "GONKA_WEB_CONFIG_FILE", "--web.config.file", Setting.Kind.PATH, "", HELP.get(WEB_CONFIG_PROPERTY)));
        out.add(new Setting(null, "GONKA_LOG_LEVEL", "--log.level", Setting.Kind.LOG_LEVEL, "INFO",
                "root log level: TRACE, DEBUG, INFO, WARN, ERROR or OFF"));
        // read by http/ConnectionGuard
        out.add(new Setting("gonka.max-connections", "GONKA_MAX_CONNECTIONS", "--gonka.max-connections", Setting.Kind.INT, "128",
                "connections to the exporter open at once; new ones past it are closed"));
        out.add(new Setting("gonka.request-deadline", "GONKA_REQUEST_DEADLINE", "--gonka.request-deadline", Setting.Kind.DURATION, "10s",
                "a request to the exporter must arrive whole within this of its first byte"));
        for (Component c : components(ExporterConfig.class)) {
            String property = "gonka." + Setting.kebab(c.name());
            String flag = property.equals("gonka.nvml-enabled") ? "--collector.nvml" : "--" + property;
            out.add(new Setting(property, Setting.envName(property), flag, kind(c), c.defaultValue(), help(property, c.name())));
        }
        for (Component c : components(CollectorsConfig.class)) {
            String property = "gonka.collector." + Setting.kebab(c.name());
            String source = CollectorsConfig.sourceName(c.name());
            out.add(new Setting(property, Setting.envName(property), "--collector." + source, Setting.Kind.BOOLEAN, c.defaultValue(),
                    "poll the " + source + " source"));
        }
        return List.copyOf(out);
    }

    private static String help(String property, String component) {
        String h = HELP.get(property);
        if (h != null) {
            return h;
        }
        if (component.startsWith("interval")) {
            String source = CollectorsConfig.sourceName(component.substring("interval".length()));
            return "poll interval of the " + source + " source";
        }
        return "see the README's Settings";
    }

    private record Component(String name, Class<?> type, java.lang.reflect.Type generic, String defaultValue) {}

    /** A record's components with the defaults of their @Bindable annotations. */
    private static List<Component> components(Class<? extends Record> type) {
        RecordComponent[] rc = type.getRecordComponents();
        Class<?>[] types = Arrays.stream(rc).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Constructor<?> canonical;
        try {
            canonical = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        Parameter[] params = canonical.getParameters();
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < rc.length; i++) {
            Bindable b = params[i].getAnnotation(Bindable.class);
            out.add(new Component(rc[i].getName(), rc[i].getType(), rc[i].getGenericType(), b == null ? "" : b.defaultValue()));
        }
        return out;
    }

    private static Setting.Kind kind(Component c) {
        Class<?> t = c.type();
        if (t == boolean.class || t == Boolean.class) {
            return Setting.Kind.BOOLEAN;
        } else if (t == Duration.class) {
            return Setting.Kind.DURATION;
        } else if (t == int.class || t == Integer.class) {
            return Setting.Kind.INT;
        } else if (t == long.class || t == Long.class) {
            return Setting.Kind.LONG;
        } else if (List.class.isAssignableFrom(t)) {
            return c.name().endsWith("Urls") ? Setting.Kind.URL_LIST : Setting.Kind.TEXT;
        } else if (c.name().endsWith("Url")) {
            return Setting.Kind.URL;
        } else if (c.name().endsWith("Path") || c.name().matches("mlnodeTls(Cert|Key|Ca)")) {
            return Setting.Kind.PATH;
        } else if (c.name().endsWith("Scheme")) {
            return Setting.Kind.SCHEME;
        }
        return Setting.Kind.TEXT;
    }
}
