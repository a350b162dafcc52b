package dev.sluice.proxy.config;

import java.util.Locale;

/**
 * The strict protocol validator ({@code validate}, see docs/VALIDATION.md). Live on reload: each new client connection
 * takes the mode configured when it is accepted; sessions already open keep theirs.
 *
 * @param mode {@code off} (no tap at all), {@code observe} (report violations; the default) or {@code enforce} (report
 *     and end the session with an ERR instead of passing the offending packet on)
 */
public record ValidateConfig(Mode mode) {
    public enum Mode {
        OFF,
        OBSERVE,
        ENFORCE;

        /** The name in the configuration file. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode a configuration value names (off, observe, enforce; any case). */
        public static Mode of(String key) {
            return valueOf(key.strip().toUpperCase(Locale.ROOT));
        }
    }

    public ValidateConfig {
        if (mode == null) {
            throw new IllegalArgumentException("validate: a mode (off, observe or enforce)");
        }
    }

    public static ValidateConfig defaults() {
        return new ValidateConfig(Mode.OBSERVE);
    }
}
