package io.gonka.exporter.logging;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.LoggerContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 16, finding 6: an upstream string cannot forge, recolour or cut a log line. */
class EscapedMessageConverterTest {
    @Test
    void controlCharactersAreEscaped() {
        assertEquals("plain text, unchanged", EscapedMessageConverter.escape("plain text, unchanged"));
        assertEquals("a\\nb\\rc\\td\\u001b[31me\\u0000f\\u007f\\u0085\\u2028", EscapedMessageConverter.escape("a\nb\rc\td\u001b[31me\u0000f\u007f\u0085\u2028"));
        assertEquals("Grüße, 日本", EscapedMessageConverter.escape("Grüße, 日本"));
    }

    @Test
    void theShippedLogConfigurationWritesOneLinePerEventWhateverTheArguments() throws Exception {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            LogConfigurator shipped = new LogConfigurator();
            shipped.setContext(context);
            shipped.configure(context);
            context.getLogger("io.gonka.exporter.sources.MlNodeHealthSource")
                    .warn("ML node {}: health check failed: {}", "node1\n2026-01-01T00:00:00.000Z ERROR Forged - fake line", "\u001b[2Jgone\u0000");
        } finally {
            context.stop();
            System.setOut(before);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text + context.getStatusManager().getCopyOfStatusList());
        assertTrue(text.contains("ML node node1\\n2026-01-01T00:00:00.000Z ERROR Forged - fake line: health check failed: \\u001b[2Jgone\\u0000"), text);
        assertFalse(text.contains("\u001b"));
        assertFalse(text.contains("\u0000"));
    }
}
