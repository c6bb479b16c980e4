package io.gonka.exporter.config;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.ApplicationArgs;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.EnvironmentPropertySource;
import io.micronaut.context.env.MapPropertySource;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.exceptions.BeanInstantiationException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every setting through the command line and through the environment: the same typed
 * configuration either way, and a bad value stops start-up with the setting and the value named.
 * The environment is handed to Micronaut as its own environment-variable source does it (same
 * name mapping), with the real process environment left out.
 */
class SettingsTest {

    /** An empty web config (plain HTTP, as in the exporter-toolkit): the file must exist, it is read at start. */
    static final java.nio.file.Path WEB_CONFIG;

    static {
        try {
            WEB_CONFIG = java.nio.file.Files.createTempFile("settings-test-web", ".yml");
            WEB_CONFIG.toFile().deleteOnExit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A valid value for each setting that differs from its default. */
    static String goodValue(Setting s) {
        if (Settings.WEB_CONFIG_PROPERTY.equals(s.property())) {
            return WEB_CONFIG.toString();
        }
        return switch (s.kind()) {
            case BOOLEAN -> String.valueOf(!Boolean.parseBoolean(s.defaultValue()));
            case DURATION -> "7s";
            case INT, LONG -> "7";
            case URL -> "http://127.0.0.3:1234";
            case URL_LIST -> "http://127.0.0.4:1,https://127.0.0.5:2";
            case TEXT -> "gonka1settingstest";
            case PATH -> "/opt/settings-test/" + s.env().toLowerCase();
            case HOST -> "127.0.0.2";
            case PORT -> "9555";
            case LOG_LEVEL -> "DEBUG";
            case SCHEME -> "https";
        };
    }

    /** A value of the wrong shape for each kind that has a shape. */
    static String badValue(Setting.Kind kind) {
        return switch (kind) {
            case BOOLEAN -> "maybe";
            case DURATION -> "abc";
            case INT, LONG -> "lots";
            case URL, URL_LIST -> "notaurl";
            case HOST -> "no such host";
            case PORT -> "70000";
            case LOG_LEVEL -> "loud";
            case SCHEME -> "ftp";
            case TEXT, PATH -> null;
        };
    }

    static ApplicationContext withEnv(Map<String, String> env) {
        PropertySource source = new MapPropertySource("test-environment", new LinkedHashMap<>(env)) {
            @Override
            public int getOrder() {
                return EnvironmentPropertySource.POSITION;
            }

            @Override
            public PropertyConvention getConvention() {
                return PropertyConvention.ENVIRONMENT_VARIABLE;
            }
        };
        return ApplicationContext.builder().environmentPropertySource(false).propertySources(source).start();
    }

    static ApplicationContext withFlags(String... args) {
        ApplicationArgs.Parsed parsed = ApplicationArgs.parse(args, Map.of(), new Properties());
        assertTrue(parsed.run(), parsed.output());
        return ApplicationContext.builder().environmentPropertySource(false).properties(parsed.properties()).start();
    }

    static List<String> problemsOf(Runnable start) {
        try {
            start.run();
        } catch (BeanInstantiationException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InvalidSettingsException invalid) {
                    return invalid.problems();
                }
            }
            throw e;
        }
        return List.of();
    }

    @Test
    void everyFlagEqualsItsEnvironmentVariable() {
        List<String> args = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (Setting s : Settings.all()) {
            String v = goodValue(s);
            env.put(s.env(), v);
            if (!s.flag().equals(Settings.LISTEN_ADDRESS_FLAG)) {
                args.add(s.flag() + "=" + v);
            }
        }
        args.add(Settings.LISTEN_ADDRESS_FLAG + "=127.0.0.2:9555");
        try (ApplicationContext defaults = withEnv(Map.of());
             ApplicationContext byFlags = withFlags(args.toArray(String[]::new));
             ApplicationContext byEnv = withEnv(env)) {
            for (Class<? extends Record> type : List.of(ExporterConfig.class, CollectorsConfig.class)) {
                Record flagged = byFlags.getBean(type);
                assertEquals(byEnv.getBean(type), flagged, type.getSimpleName());
                Record standard = defaults.getBean(type);
                for (RecordComponent c : type.getRecordComponents()) {
                    assertNotEquals(value(c, standard), value(c, flagged), type.getSimpleName() + "." + c.getName() + " was not set");
                }
            }
            for (String p : List.of(Settings.HOST_PROPERTY, Settings.PORT_PROPERTY, Settings.WEB_CONFIG_PROPERTY)) {
                String fromFlag = byFlags.getProperty(p, String.class).orElse(null);
                assertEquals(byEnv.getProperty(p, String.class).orElse(null), fromFlag, p);
                assertNotEquals(defaults.getProperty(p, String.class).orElse(""), fromFlag, p);
            }
            assertEquals("127.0.0.2", byFlags.getProperty(Settings.HOST_PROPERTY, String.class).orElseThrow());
            assertEquals(9555, byFlags.getProperty(Settings.PORT_PROPERTY, Integer.class).orElseThrow());
            ExporterConfig cfg = byFlags.getBean(ExporterConfig.class);
            assertEquals(java.time.Duration.ofSeconds(7), cfg.intervalRpcStatus());
            assertEquals(List.of("http://127.0.0.4:1", "https://127.0.0.5:2"), cfg.referenceUrlsOrEmpty());
            assertFalse(byFlags.getBean(CollectorsConfig.class).enabled("rpc_status"));
        }
        // the log level is logback's, read before Micronaut starts
        assertEquals("DEBUG", ApplicationArgs.parse(new String[] {"--log.level=debug"}, Map.of(), new Properties()).logLevel());
        assertEquals("DEBUG", ApplicationArgs.parse(new String[0], Map.of("GONKA_LOG_LEVEL", "debug"), new Properties()).logLevel());
        assertEquals("INFO", ApplicationArgs.parse(new String[0], Map.of(), new Properties()).logLevel());
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void negatedAndValuedBooleanFlags() {
        try (ApplicationContext ctx = withFlags("--no-collector.setup_report", "--collector.epoch=false", "--gonka.network-series",
                "--no-collector.nvml", "--no-gonka.enabled")) {
            CollectorsConfig c = ctx.getBean(CollectorsConfig.class);
            assertFalse(c.setupReport());
            assertFalse(c.epoch());
            assertTrue(c.rpcStatus(), "untouched switches stay on");
            ExporterConfig cfg = ctx.getBean(ExporterConfig.class);
            assertTrue(cfg.networkSeries());
            assertFalse(cfg.nvmlEnabled());
            assertFalse(cfg.enabled());
        }
    }

    @Test
    void everyBadValueIsNamedWithItsSetting() {
        for (Setting s : Settings.all()) {
            String bad = badValue(s.kind());
            if (bad == null || s.property() == null) {
                continue;
            }
            List<String> fromEnv = problemsOf(() -> withEnv(Map.of(s.env(), bad)).close());
            assertEquals(1, fromEnv.size(), s.env() + "=" + bad + ": " + fromEnv);
            assertTrue(fromEnv.get(0).contains(s.env()) && fromEnv.get(0).contains("\"" + bad + "\""), fromEnv.get(0));
            if (s.kind() == Setting.Kind.BOOLEAN) {
                // a negatable flag is typed: the command line itself refuses the value
                ApplicationArgs.Parsed p = ApplicationArgs.parse(new String[] {s.flag() + "=" + bad}, Map.of(), new Properties());
                assertEquals(2, p.exitCode(), s.flag());
                assertTrue(p.output().contains(s.flag()) && p.output().contains("'" + bad + "'"), p.output());
            } else if (!s.flag().equals(Settings.LISTEN_ADDRESS_FLAG)) {
                List<String> fromFlag = problemsOf(() -> withFlags(s.flag() + "=" + bad).close());
                assertEquals(fromEnv, fromFlag, s.flag());
                assertTrue(fromFlag.get(0).contains(s.flag()), fromFlag.get(0));
            }
        }
    }

    @Test
    void theIssuesExamplesAndOtherBadValues() {
        List<String> p = problemsOf(() -> withEnv(Map.of(
                "GONKA_INTERVAL_RPC_STATUS", "abc",
                "GONKA_ADMIN_URL", "notaurl",
                "GONKA_EXPORTER_PORT", "70000",
                "GONKA_TIMEOUT", "0s",
                "GONKA_MAX_BODY_BYTES", "-5",
                "GONKA_RPC_URL", "http://",
                "GONKA_REFERENCE_URLS", "http://127.0.0.1:1,ftp://127.0.0.1:2")).close());
        String all = String.join("\n", p);
        assertEquals(7, p.size(), all);
        assertTrue(all.contains("gonka.interval-rpc-status (GONKA_INTERVAL_RPC_STATUS, --gonka.interval-rpc-status) = \"abc\": not a duration"), all);
        assertTrue(all.contains("GONKA_ADMIN_URL, --gonka.admin-url) = \"notaurl\": not an http:// or https:// URL"), all);
        assertTrue(all.contains("GONKA_EXPORTER_PORT, --web.listen-address) = \"70000\": not a port"), all);
        assertTrue(all.contains("GONKA_TIMEOUT, --gonka.timeout) = \"0s\": must be longer than 0"), all);
        assertTrue(all.contains("GONKA_MAX_BODY_BYTES, --gonka.max-body-bytes) = \"-5\": must be at least 1"), all);
        assertTrue(all.contains("GONKA_RPC_URL, --gonka.rpc-url) = \"http://\""), all);
        assertTrue(all.contains("GONKA_REFERENCE_URLS, --gonka.reference-urls) = \"ftp://127.0.0.1:2\""), all);
        List<String> secret = problemsOf(() -> withEnv(Map.of("GONKA_ADMIN_URL", "ftp://admin:hunter2@127.0.0.1:9200")).close());
        assertEquals(1, secret.size(), secret.toString());
        assertFalse(secret.get(0).contains("hunter2"), "a password in a URL is not echoed: " + secret.get(0));
        assertTrue(secret.get(0).contains("\"ftp://***@127.0.0.1:9200\""), secret.get(0));
        assertEquals(List.of(), problemsOf(() -> withEnv(Map.of("GONKA_INTERVAL_RPC_STATUS", "500ms", "GONKA_ENABLED", "FALSE",
                "GONKA_REFERENCE_URLS", "")).close()), "valid values pass");
    }

    @Test
    void sourcesOthersNeedCannotBeSwitchedOffAlone() {
        List<String> p = problemsOf(() -> withFlags("--no-collector.admin_nodes").close());
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("--collector.mlnode_health needs --collector.admin_nodes"), p.get(0));
        assertEquals(List.of(), problemsOf(() -> withFlags("--no-collector.admin_nodes", "--no-collector.mlnode_health").close()));

        p = problemsOf(() -> withFlags("--no-collector.rpc_status").close());
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("--collector.validator_liveness needs --collector.rpc_status"), p.get(0));

        p = problemsOf(() -> withFlags("--no-collector.setup_report", "--no-collector.participants").close());
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("--collector.participant_stats needs the participant address"), p.get(0));
        assertTrue(p.get(1).startsWith("--collector.collateral needs the participant address"), p.get(1));
        assertEquals(List.of(), problemsOf(() -> withFlags("--no-collector.setup_report", "--no-collector.participants",
                "--gonka.participant-address=gonka1abc").close()), "a configured address needs no detection");
        assertEquals(List.of(), problemsOf(() -> withFlags("--no-collector.setup_report", "--no-collector.admin_config").close()),
                "found by the consensus key among the participants");
        assertEquals(3, problemsOf(() -> withFlags("--no-collector.setup_report", "--no-collector.admin_config",
                "--no-collector.rpc_status").close()).size(), "validator_liveness, participant_stats and collateral");
        assertEquals(List.of(), problemsOf(() -> withFlags("--no-gonka.enabled", "--no-collector.admin_nodes").close()),
                "with the Gonka sources off nothing depends on anything");
    }

    @Test
    void commandLineErrorsHelpAndVersion() {
        ApplicationArgs.Parsed help = ApplicationArgs.parse(new String[] {"--help"}, Map.of(), new Properties());
        assertFalse(help.run());
        assertEquals(0, help.exitCode());
        for (Setting s : Settings.all()) {
            assertTrue(help.output().contains(s.flag().substring(2)) && help.output().contains(s.env()), s.flag() + " / " + s.env() + " in\n" + help.output());
        }
        assertTrue(help.output().contains("--[no-]collector.rpc_status"), help.output());
        ApplicationArgs.Parsed version = ApplicationArgs.parse(new String[] {"--version"}, Map.of(), new Properties());
        assertEquals(0, version.exitCode());
        assertTrue(version.output().startsWith("gonka-exporter " + io.gonka.exporter.BuildInfo.current().version() + " (revision "), version.output());

        ApplicationArgs.Parsed unknown = ApplicationArgs.parse(new String[] {"--collector.rpc_statuss"}, Map.of(), new Properties());
        assertFalse(unknown.run());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.output().contains("Unknown option: '--collector.rpc_statuss'"), unknown.output());
        assertTrue(unknown.output().contains("--collector.rpc_status"), "suggests the near miss: " + unknown.output());
        ApplicationArgs.Parsed positional = ApplicationArgs.parse(new String[] {"config.yml"}, Map.of(), new Properties());
        assertEquals(2, positional.exitCode(), positional.output());
        ApplicationArgs.Parsed level = ApplicationArgs.parse(new String[0], Map.of("GONKA_LOG_LEVEL", "loud"), new Properties());
        assertEquals(2, level.exitCode());
        assertTrue(level.output().contains("GONKA_LOG_LEVEL (--log.level) = \"loud\""), level.output());
    }

    @Test
    void listenAddress() {
        assertEquals(new ApplicationArgs.HostPort("0.0.0.0", 9401), ApplicationArgs.HostPort.parse(":9401"));
        assertEquals(new ApplicationArgs.HostPort("127.0.0.1", 9555), ApplicationArgs.HostPort.parse("127.0.0.1:9555"));
        assertEquals(new ApplicationArgs.HostPort("::1", 9401), ApplicationArgs.HostPort.parse("[::1]:9401"));
        for (String bad : List.of("9401", "::1:9401", "host:port", ":70000", ":-1", "")) {
            ApplicationArgs.Parsed p = ApplicationArgs.parse(new String[] {"--web.listen-address=" + bad}, Map.of(), new Properties());
            assertEquals(2, p.exitCode(), bad);
            assertTrue(p.output().contains("--web.listen-address = \"" + bad + "\""), p.output());
        }
        // the port the TLS set-up binds to follows the flag, then -D, then the environment
        assertEquals(9555, ApplicationArgs.parse(new String[] {"--web.listen-address=:9555"}, Map.of("GONKA_EXPORTER_PORT", "9000"),
                new Properties()).port());
        assertEquals(9000, ApplicationArgs.parse(new String[0], Map.of("GONKA_EXPORTER_PORT", "9000"), new Properties()).port());
    }

    @Test
    void everySourceHasASwitch() {
        Set<String> switches = Settings.all().stream().filter(s -> s.flag().startsWith("--collector."))
                .map(s -> s.flag().substring("--collector.".length())).collect(Collectors.toSet());
        io.gonka.exporter.support.TestConfig tc = io.gonka.exporter.support.TestConfig.allAt("http://127.0.0.1:1");
        tc.referenceUrls = List.of("http://127.0.0.1:2");
        tc.nvmlEnabled = true;
        try (io.gonka.exporter.support.Harness h = new io.gonka.exporter.support.Harness(tc)) {
            Set<String> registered = h.scheduler.states().stream().map(s -> s.name()).collect(Collectors.toSet());
            assertEquals(registered, switches);
        }
    }

    @Test
    void aSwitchedOffSourceIsNeitherPolledNorExported() throws Exception {
        com.github.tomakehurst.wiremock.WireMockServer node = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        node.start();
        try {
            io.gonka.exporter.support.TestConfig tc = io.gonka.exporter.support.TestConfig.allAt(node.baseUrl());
            tc.collectors = new CollectorsConfig(true, false, false, true, true, true, true, true, true, true, true, true, true, true);
            try (io.gonka.exporter.support.Harness h = new io.gonka.exporter.support.Harness(tc)) {
                h.pollAll();
                io.gonka.exporter.support.MetricSamples m = h.scrape();
                assertFalse(m.has("gonka_source_up", "source", "admin_config"));
                assertFalse(m.has("gonka_source_up", "source", "setup_report"));
                assertFalse(m.has("gonka_source_unsupported", "source", "setup_report"));
                assertEquals(0, m.value("gonka_source_up", "source", "rpc_status"), "the others are polled (and fail: 404s)");
                assertNull(h.sources.adminConfig);
                assertTrue(h.sources.mlNodeHealth != null, "ML-node health runs without admin_config (no version prefix)");
            }
            assertEquals(0, node.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/admin/v1/(config|setup/report)"))).size(),
                    "never asked");
            assertEquals(1, node.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/status"))).size());
        } finally {
            node.stop();
        }
    }

    @Test
    void theReadmeListsEverySettingWithItsFlag() {
        String readme = io.gonka.exporter.support.RepoFiles.text("README.md");
        String section = readme.substring(readme.indexOf("## Settings\n"), readme.indexOf("### Protecting /metrics"));
        for (Setting s : Settings.all()) {
            assertTrue(section.contains("`" + s.env() + "`"), s.env() + " in the README's Settings");
            assertTrue(section.contains(s.flag().substring(2)), s.flag() + " in the README's Settings");
            if (!s.defaultValue().isEmpty()) {
                assertTrue(section.contains("`" + s.defaultValue() + "`") || s.flag().equals(Settings.LISTEN_ADDRESS_FLAG),
                        "default of " + s.env());
            }
        }
    }
}
