package dev.sluice.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.sluice.app.config.ConfigException;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The log level: the configuration's {@code log-level} if set, else {@code SLUICE_LOG_LEVEL}, else {@code info}.
 * logback.xml reads the variable too, so the level is right from the first line; this re-applies it once the
 * configuration is known, and refuses a value logback would silently turn into DEBUG.
 */
final class Logging {
    static final String ENVIRONMENT_VARIABLE = "SLUICE_LOG_LEVEL";
    private static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private Logging() {}

    /** The level to use; throws ConfigException for an unknown SLUICE_LOG_LEVEL. */
    static String resolve(String configured, String environment) {
        if (configured != null) {
            return configured;
        }
        if (environment == null || environment.isBlank()) {
            return "info";
        }
        String level = environment.strip().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new ConfigException(
                    ENVIRONMENT_VARIABLE + "=" + environment + ": expected one of " + String.join(", ", LEVELS));
        }
        return level;
    }

    /**
     * Sends the slow query log ({@code dev.sluice.slow}, one JSON object per line) to {@code file}, appended, through
     * an asynchronous appender that never blocks the event loop that logs (lines are dropped when its queue is full);
     * null: the lines stay in the main log.
     */
    static void slowQueryLog(java.nio.file.Path file) {
        if (file == null || !(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.encoder.PatternLayoutEncoder encoder =
                new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%msg%n");
        encoder.start();
        ch.qos.logback.core.FileAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.FileAppender<>();
        appender.setContext(ctx);
        appender.setName("slow-query-file");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.AsyncAppender async = new ch.qos.logback.classic.AsyncAppender();
        async.setContext(ctx);
        async.setName("slow-query-async");
        async.setNeverBlock(true);
        async.setQueueSize(4096);
        async.setDiscardingThreshold(0);
        async.addAppender(appender);
        async.start();
        Logger slow = ctx.getLogger(dev.sluice.proxy.stats.SlowQueryLog.LOGGER);
        slow.setAdditive(false);
        slow.addAppender(async);
    }

    /** Sets the root level (Netty keeps its own WARN from logback.xml). */
    static void apply(String configured) {
        String level = resolve(configured, System.getenv(ENVIRONMENT_VARIABLE));
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
