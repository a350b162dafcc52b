package dev.sluice.app.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in the configuration: a plain number of bytes, or a number with a binary unit
 * {@code KiB}/{@code MiB}/{@code GiB} (also {@code K}/{@code M}/{@code G}, same meaning, any case). {@code KB}
 * and friends are refused: they mean 1000 to some and 1024 to others.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([a-z]*)");

    private Sizes() {}

    /** Parses a size in bytes or throws IllegalArgumentException with a message fit for the user. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not a size (expected bytes, or e.g. 512KiB, 64MiB, 1GiB)");
        }
        int shift = switch (m.group(2)) {
            case "", "b" -> 0;
            case "k", "kib" -> 10;
            case "m", "mib" -> 20;
            case "g", "gib" -> 30;
            case "kb", "mb", "gb" ->
                throw new IllegalArgumentException("\"" + text + "\": write "
                        + Character.toUpperCase(m.group(2).charAt(0)) + "iB (1024-based) or a number of bytes");
            default ->
                throw new IllegalArgumentException(
                        "\"" + text + "\" has an unknown unit '" + m.group(2) + "' (expected KiB, MiB or GiB)");
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw tooLarge(text);
        }
        if (n > (Long.MAX_VALUE >> shift)) {
            throw tooLarge(text);
        }
        return n << shift;
    }

    /** The shortest exact form: {@code 64MiB}, {@code 1536KiB}, {@code 1000}. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("\"" + text + "\" is too large");
    }
}
