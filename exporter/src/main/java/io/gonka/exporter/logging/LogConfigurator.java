package io.gonka.exporter.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.Map;

/**
 * The exporter's logging, in code rather than logback.xml: reading XML loads logback's
 * configuration framework and the JDK's XML parser, some 600 classes kept in memory for the life
 * of the process, to say what these few lines say. Found by logback and by Micronaut's logging
 * system through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 *
 * <p>One line per event on standard output. Log lines carry upstream strings (ML node ids, hosts,
 * error bodies): {@code %escapedMsg} escapes newlines, ANSI escapes, NUL and other control
 * characters so none can forge or hide a line.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    public static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level %logger{0} - %escapedMsg%n";
    /** logback's own property naming a configuration file. */
    static final String OWN_CONFIGURATION = "logback.configurationFile";
    /** Libraries that are chatty at INFO: only their warnings. */
    private static final String[] QUIET = {"io.netty", "io.vertx", "io.micronaut"};

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(OWN_CONFIGURATION) != null) {
            // an operator's own file (-Dlogback.configurationFile=...) wins: logback reads it next
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> rules = (Map<String, String>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, rules);
        }
        rules.put("escapedMsg", EscapedMessageConverter.class.getName());

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();

        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level(), Level.INFO));
        root.addAppender(stdout);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** GONKA_LOG_LEVEL from the system properties (the command line's --log.level lands there), then the environment. */
    static String level() {
        String level = System.getProperty("GONKA_LOG_LEVEL");
        if (level == null || level.isBlank()) {
            level = System.getenv("GONKA_LOG_LEVEL");
        }
        return level == null || level.isBlank() ? "INFO" : level.trim();
    }
}
