package io.gonka.exporter;

import io.gonka.exporter.config.Setting;
import io.gonka.exporter.config.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line, in the style of the Prometheus exporters: {@code --help}, {@code --version},
 * {@code --web.listen-address=[host]:port}, {@code --web.config.file}, {@code --[no-]collector.<source>},
 * {@code --log.level}, and one flag per {@code GONKA_*} setting ({@code --gonka.admin-url} =
 * {@code GONKA_ADMIN_URL} = {@code gonka.admin-url}). Flags become Micronaut properties of the
 * highest precedence, so the typed configuration stays the one place that reads them.
 */
public final class ApplicationArgs {
    public static final int EXIT_OK = 0;
    /** Bad command line or bad setting: the usual exit code for usage errors. */
    public static final int EXIT_USAGE = 2;
    private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    /** What main does: run with these properties, or print {@code output} and exit with {@code exitCode}. */
    public record Parsed(boolean run, Map<String, Object> properties, String logLevel, String webConfigFile, int port,
                         String output, int exitCode) {
        static Parsed exit(String output, int code) {
            return new Parsed(false, Map.of(), "", "", 0, output, code);
        }
    }

    private ApplicationArgs() {}

    public static Parsed parse(String[] args) {
        return parse(args, System.getenv(), System.getProperties());
    }

    public static Parsed parse(String[] args, Map<String, String> env, Properties system) {
        if (args.length == 0) {
            // the image's and the README's start: no flags to read, and the command-line parser's
            // 140 classes stay unloaded (memory and start-up time)
            return resolve(flag -> null, env, system);
        }
        CommandSpec spec = spec();
        CommandLine cli = new CommandLine(spec);
        ParseResult result;
        try {
            result = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            StringWriter w = new StringWriter();
            w.append("gonka-exporter: ").append(e.getMessage()).append('\n');
            CommandLine.UnmatchedArgumentException.printSuggestions(e, new PrintWriter(w));
            w.append("See 'gonka-exporter --help'.\n");
            return Parsed.exit(w.toString(), EXIT_USAGE);
        }
        if (result.isUsageHelpRequested()) {
            return Parsed.exit(cli.getUsageMessage(CommandLine.Help.Ansi.OFF), EXIT_OK);
        }
        if (result.isVersionHelpRequested()) {
            return Parsed.exit(BuildInfo.current().describe() + "\n", EXIT_OK);
        }
        return resolve(flag -> optionValue(spec, result, flag), env, system);
    }

    /** Settings from the flags' values ({@code flags}: a flag's value or null), the system properties and the environment. */
    private static Parsed resolve(java.util.function.UnaryOperator<String> flags, Map<String, String> env, Properties system) {
        Map<String, Object> props = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Setting s : Settings.all()) {
            if (s.property() == null || s.flag().equals(Settings.LISTEN_ADDRESS_FLAG)) {
                continue;
            }
            String value = flags.apply(s.flag());
            if (value != null) {
                props.put(s.property(), value);
            }
        }
        String address = flags.apply(Settings.LISTEN_ADDRESS_FLAG);
        if (address != null) {
            try {
                HostPort hp = HostPort.parse(address);
                props.put(Settings.HOST_PROPERTY, hp.host());
                props.put(Settings.PORT_PROPERTY, String.valueOf(hp.port()));
            } catch (IllegalArgumentException e) {
                problems.add(Settings.LISTEN_ADDRESS_FLAG + " = \"" + address + "\": " + e.getMessage());
            }
        }
        String logLevel = firstNonBlank(flags.apply("--log.level"), system.getProperty("GONKA_LOG_LEVEL"),
                env.get("GONKA_LOG_LEVEL"), "INFO");
        if (!LOG_LEVELS.contains(logLevel.trim().toUpperCase(Locale.ROOT))) {
            problems.add(Settings.byEnv("GONKA_LOG_LEVEL").orElseThrow().names() + " = \"" + logLevel
                    + "\": not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
        }
        if (!problems.isEmpty()) {
            return Parsed.exit("gonka-exporter: invalid settings:\n  " + String.join("\n  ", problems) + "\n", EXIT_USAGE);
        }
        String webConfig = firstNonBlank((String) props.get(Settings.WEB_CONFIG_PROPERTY), system.getProperty(Settings.WEB_CONFIG_PROPERTY),
                env.get("GONKA_WEB_CONFIG_FILE"), "");
        String portText = firstNonBlank((String) props.get(Settings.PORT_PROPERTY), system.getProperty(Settings.PORT_PROPERTY),
                env.get("GONKA_EXPORTER_PORT"), "9401");
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            port = 9401; // not a port: the settings check stops start-up with the setting's names
        }
        return new Parsed(true, Map.copyOf(props), logLevel.trim().toUpperCase(Locale.ROOT), webConfig, port, "", EXIT_OK);
    }

    /** {@code --web.config.file=} (as the Prometheus exporters spell it), {@code -Dgonka.web-config-file} or {@code GONKA_WEB_CONFIG_FILE}. */
    public static String webConfigFile(String[] args) {
        Parsed p = parse(args);
        return p.run() ? p.webConfigFile() : "";
    }

    static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }

    /** The flag's value as text, or null when it was not given. */
    private static String optionValue(CommandSpec spec, ParseResult result, String flag) {
        OptionSpec o = spec.findOption(flag);
        if (o == null || !result.hasMatchedOption(o)) {
            return null;
        }
        Object v = o.getValue();
        return String.valueOf(v);
    }

    /** {@code [host]:port}, as the exporter-toolkit reads it: an empty host is every interface; IPv6 in brackets. */
    public record HostPort(String host, int port) {
        public static HostPort parse(String address) {
            String a = address == null ? "" : address.trim();
            int colon = a.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected [host]:port, such as :9401 or 127.0.0.1:9401");
            }
            String host = a.substring(0, colon);
            String port = a.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException("an IPv6 address goes in brackets: [::1]:9401");
            }
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port \"" + port + "\" is not a number");
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is not a port (1-65535)");
            }
            return new HostPort(host.isEmpty() ? "0.0.0.0" : host, p);
        }
    }

    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("gonka-exporter");
        // --no-collector.rpc_status: picocli's own negation pattern has no dots in names
        spec.negatableOptionTransformer(new CommandLine.RegexTransformer.Builder()
                .addPattern("^--no-([\\w][\\w.-]*)$", "--$1", "--[no-]$1")
                .addPattern("^--([\\w][\\w.-]*)$", "--no-$1", "--[no-]$1")
                .build());
        spec.usageMessage()
                .customSynopsis("gonka-exporter [options]")
                .description("Prometheus exporter for a Gonka network node: polls the node's admin API, CometBFT RPC, public API,"
                        + " ML nodes and local GPUs, and serves /metrics.")
                .footer("", "Every flag has an environment variable and a gonka.* property with the same meaning; a flag wins over"
                        + " -D, which wins over the environment. Durations: 500ms, 5s, 2m, 1h. Details: README.md, Settings.")
                .width(110)
                .sortOptions(false);
        spec.version(BuildInfo.current().describe());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
        spec.addOption(OptionSpec.builder("--version").versionHelp(true).description("Print the version and exit.").build());
        spec.addOption(OptionSpec.builder(Settings.LISTEN_ADDRESS_FLAG).paramLabel("[host]:port").type(String.class)
                .description("Address to listen on for /metrics (empty host: every interface). Env: GONKA_EXPORTER_HOST and"
                        + " GONKA_EXPORTER_PORT. Default: 127.0.0.1:9401.")
                .build());
        for (Setting s : Settings.all()) {
            if (spec.findOption(s.flag()) != null) {
                continue;
            }
            String def = s.defaultValue().isEmpty() ? "none" : s.defaultValue();
            String text = capitalize(s.description()) + ". Env: " + s.env() + ". Default: " + def + ".";
            OptionSpec.Builder b;
            if (s.kind() == Setting.Kind.BOOLEAN) {
                b = OptionSpec.builder(s.flag()).negatable(true).arity("0..1").type(boolean.class).paramLabel("true|false");
            } else {
                b = OptionSpec.builder(s.flag()).arity("1").type(String.class).paramLabel("<" + s.kind().label + ">");
            }
            if (s.flag().equals("--web.config.file")) {
                b.names("--web.config.file", "--gonka.web-config-file"); // the old spelling keeps working
            }
            spec.addOption(b.description(text).build());
        }
        return spec;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
