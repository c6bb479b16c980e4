package io.gonka.exporter.logging;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The logging configuration in code: found as logback's configurator, levels and line shape as logback.xml had them. */
class LogConfiguratorTest {

    @Test
    void logbackFindsItAndNoXmlIsShipped() {
        assertTrue(ServiceLoader.load(Configurator.class).stream().anyMatch(p -> p.type() == LogConfigurator.class));
        assertNull(getClass().getResource("/logback.xml"), "a logback.xml would be read by nothing, or by the wrong thing");
        // this test JVM's own logging went through it: the pattern converter is registered
        LoggerContext running = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertEquals(Level.WARN, running.getLogger("io.netty.channel").getEffectiveLevel());
        assertEquals(Level.WARN, running.getLogger("io.micronaut.context").getEffectiveLevel());
        assertNotNull(running.getLogger("ROOT").getAppender("STDOUT"));
    }

    @Test
    void levelComesFromGonkaLogLevelAndLinesHaveTheShippedShape() {
        String before = System.getProperty("GONKA_LOG_LEVEL");
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            System.setProperty("GONKA_LOG_LEVEL", "warn");
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogConfigurator c = new LogConfigurator();
            c.setContext(context);
            assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, c.configure(context));
            context.getLogger("io.gonka.exporter.polling.SourceState").info("not shown at WARN");
            context.getLogger("io.gonka.exporter.polling.SourceState").warn("source {}: down", "rpc_status");
        } finally {
            context.stop();
            System.setOut(out);
            if (before == null) {
                System.clearProperty("GONKA_LOG_LEVEL");
            } else {
                System.setProperty("GONKA_LOG_LEVEL", before);
            }
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d(:?\\d\\d)?) WARN  SourceState - source rpc_status: down\\R"), text);
    }

    @Test
    void anOperatorsOwnLogbackFileWins() {
        String before = System.getProperty(LogConfigurator.OWN_CONFIGURATION);
        LoggerContext context = new LoggerContext();
        try {
            System.setProperty(LogConfigurator.OWN_CONFIGURATION, "/etc/gonka-exporter/logback.xml");
            LogConfigurator c = new LogConfigurator();
            c.setContext(context);
            assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, c.configure(context), "logback goes on to read the file");
            assertNull(context.getLogger("ROOT").getAppender("STDOUT"), "nothing configured here");
        } finally {
            context.stop();
            if (before == null) {
                System.clearProperty(LogConfigurator.OWN_CONFIGURATION);
            } else {
                System.setProperty(LogConfigurator.OWN_CONFIGURATION, before);
            }
        }
    }
}
