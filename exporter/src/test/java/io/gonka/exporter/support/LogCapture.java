package io.gonka.exporter.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures everything logged while it is open. */
public final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    /** Events that carry an exception (each would print a stack trace). */
    public long withStackTraces() {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getThrowableProxy() != null).count();
        }
    }

    public long count(String fragment) {
        return lines().stream().filter(l -> l.contains(fragment)).count();
    }

    public String all() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        root.detachAppender(appender);
    }
}
