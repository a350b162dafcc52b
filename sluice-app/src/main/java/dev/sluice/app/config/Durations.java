package dev.sluice.app.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in the configuration: one or more {@code <integer><unit>} parts, units {@code ms}, {@code s},
 * {@code m}, {@code h}, {@code d} ({@code 500ms}, {@code 2s}, {@code 1m30s}); a bare {@code 0} is zero. A number
 * without a unit is refused rather than guessed (seconds? milliseconds?).
 */
public final class Durations {
    /** Longer than any deadline makes sense for, and far from overflowing a millisecond count. */
    public static final Duration MAX = Duration.ofDays(365);

    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private Durations() {}

    /** Parses a duration or throws IllegalArgumentException with a message fit for the user. */
    public static Duration parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.matches("\\d+")) {
            throw new IllegalArgumentException("\"" + text + "\" has no unit (write e.g. " + s + "s or " + s + "ms)");
        }
        Matcher m = PART.matcher(s);
        long millis = 0;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                default -> throw new IllegalStateException(m.group(2));
            };
            if (n > MAX.toMillis() / unit) {
                throw tooLong(text);
            }
            millis += n * unit;
            at = m.end();
        }
        if (at != s.length() || s.isEmpty()) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not a duration (expected e.g. 500ms, 2s, 1m, 1h, 1m30s)");
        }
        if (millis > MAX.toMillis()) {
            throw tooLong(text);
        }
        return Duration.ofMillis(millis);
    }

    /** The shortest exact form: {@code 90s}, {@code 2m}, {@code 1500ms}, {@code off} for null. */
    public static String format(Duration duration) {
        if (duration == null) {
            return "off";
        }
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    private static IllegalArgumentException tooLong(String text) {
        return new IllegalArgumentException("\"" + text + "\" is too long (at most " + format(MAX) + ")");
    }
}
