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

    /** Sets the root level (Netty keeps its own WARN from logback.xml). */
    static void apply(String configured) {
        String level = resolve(configured, System.getenv(ENVIRONMENT_VARIABLE));
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
