package dev.sluice.proxy.hostile;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One fault of the hostile listener (docs/HOSTILE.md), as written in {@code hostile.faults}: a kind and up to two
 * numbers. {@link #parse} reads the written form and {@link #toString} gives it back.
 *
 * @param kind what the fault does
 * @param n its first number (a size, a count, a delay in ms; 0 where the kind takes none)
 * @param m its second number (the error code of {@code err-after-rows}; 0 where the kind takes none)
 */
public record Fault(Kind kind, long n, long m) {

    /** What a fault does; {@code written} is its name in the configuration. */
    public enum Kind {
        /** Every write to the client in pieces of one byte. */
        SPLIT_BYTES("split-bytes"),
        /** Every write to the client in pieces of 1..n bytes (default 16), sizes from the seed. */
        SPLIT_RANDOM("split-random"),
        /** Writes to the client held and sent in large pieces (planned sizes up to n bytes, default 256 KiB). */
        COALESCE("coalesce"),
        /** Every write cut at each physical packet's header and payload: the 16 MiB boundaries on their own. */
        SPLIT_FRAMES("split-frames"),
        /** Each read from the client and each write to it waits 0..n ms (default 5), from the seed. */
        DELAY("delay"),
        /** In each result of more than n rows, an ERR (code m, default 1317) in place of row n + 1. */
        ERR_AFTER_ROWS("err-after-rows"),
        /** A connection reset once the greeting is written. */
        RESET_GREETING("reset:greeting"),
        /** A connection reset when the client's login packet is read. */
        RESET_AUTH("reset:auth"),
        /** A connection reset when the n-th command after the login is read (default 1). */
        RESET_COMMAND("reset:command"),
        /** A connection reset in place of row n + 1 of the first result of more than n rows. */
        RESET_ROWS("reset:rows"),
        /** A connection reset once the response to the n-th command after the login is written (default 1). */
        RESET_BETWEEN("reset:between"),
        /** The n-th packet of the first response that long carries a sequence id one too high. */
        SEQ_ID("seq-id");

        private final String written;

        Kind(String written) {
            this.written = written;
        }

        public String written() {
            return written;
        }
    }

    /** The written forms {@link #parse} accepts, for messages and docs. */
    public static final List<String> FORMS = List.of(
            "split-bytes",
            "split-random[:MAX]",
            "coalesce[:MAX]",
            "split-frames",
            "delay[:MAX_MS]",
            "err-after-rows:N[:CODE]",
            "reset:greeting",
            "reset:auth",
            "reset:command[:N]",
            "reset:rows:N",
            "reset:between[:N]",
            "seq-id:N");

    public Fault {
        if (n < 0 || m < 0) {
            throw new IllegalArgumentException("fault " + kind.written + ": numbers must be 0 or more");
        }
    }

    /** A fault from its written form, e.g. {@code err-after-rows:100:1317}; a clear message when it is not one. */
    public static Fault parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        String[] parts = t.split(":", -1);
        try {
            return switch (parts[0]) {
                case "split-bytes" -> none(Kind.SPLIT_BYTES, parts, 1);
                case "split-frames" -> none(Kind.SPLIT_FRAMES, parts, 1);
                case "split-random" -> of(Kind.SPLIT_RANDOM, parts, 1, 16, 1, 1 << 20);
                case "coalesce" -> of(Kind.COALESCE, parts, 1, 256 * 1024, 1, 64 << 20);
                case "delay" -> of(Kind.DELAY, parts, 1, 5, 0, 60_000);
                case "seq-id" -> required(Kind.SEQ_ID, parts, 1, 1, 1_000_000_000);
                case "err-after-rows" -> errAfterRows(parts);
                case "reset" -> reset(parts);
                default -> throw bad(t, "unknown fault");
            };
        } catch (NumberFormatException e) {
            throw bad(t, "not a number: " + e.getMessage());
        }
    }

    private static Fault reset(String[] parts) {
        if (parts.length < 2) {
            throw bad(String.join(":", parts), "reset needs a state");
        }
        String[] rest = Arrays.copyOfRange(parts, 1, parts.length);
        return switch (parts[1]) {
            case "greeting" -> none(Kind.RESET_GREETING, rest, 1);
            case "auth" -> none(Kind.RESET_AUTH, rest, 1);
            case "command" -> of(Kind.RESET_COMMAND, rest, 1, 1, 1, 1_000_000_000);
            case "between" -> of(Kind.RESET_BETWEEN, rest, 1, 1, 1, 1_000_000_000);
            case "rows" -> required(Kind.RESET_ROWS, rest, 1, 0, 1_000_000_000);
            default ->
                throw bad(String.join(":", parts), "unknown reset state (greeting, auth, command, rows, between)");
        };
    }

    private static Fault errAfterRows(String[] parts) {
        if (parts.length < 2 || parts.length > 3) {
            throw bad(String.join(":", parts), "expected err-after-rows:N[:CODE]");
        }
        long rows = number(parts, 1, 0, 1_000_000_000);
        long code = parts.length == 3 ? number(parts, 2, 1000, 65534) : 1317;
        return new Fault(Kind.ERR_AFTER_ROWS, rows, code);
    }

    private static Fault none(Kind kind, String[] parts, int count) {
        if (parts.length != count) {
            throw bad(String.join(":", parts), kind.written + " takes no number");
        }
        return new Fault(kind, 0, 0);
    }

    private static Fault of(Kind kind, String[] parts, int at, long defaultValue, long min, long max) {
        if (parts.length > at + 1) {
            throw bad(String.join(":", parts), "too many numbers");
        }
        return new Fault(kind, parts.length == at + 1 ? number(parts, at, min, max) : defaultValue, 0);
    }

    private static Fault required(Kind kind, String[] parts, int at, long min, long max) {
        if (parts.length != at + 1) {
            throw bad(String.join(":", parts), kind.written + " needs one number");
        }
        return new Fault(kind, number(parts, at, min, max), 0);
    }

    private static long number(String[] parts, int at, long min, long max) {
        long v = Long.parseLong(parts[at]);
        if (v < min || v > max) {
            throw bad(String.join(":", parts), parts[at] + " is out of range " + min + ".." + max);
        }
        return v;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException(
                "fault '" + text + "': " + why + " (expected one of: " + String.join(", ", FORMS) + ")");
    }

    /** Faults that may apply together: at least one, and at most one that cuts or holds writes. */
    public static List<Fault> checkCombination(List<Fault> faults) {
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("at least one fault is required");
        }
        if (faults.stream().filter(Fault::segments).count() > 1) {
            throw new IllegalArgumentException(
                    "at most one of split-bytes, split-random, coalesce, split-frames: " + faults);
        }
        return faults;
    }

    /** Whether this fault cuts or holds the bytes written to the client (at most one such fault applies). */
    public boolean segments() {
        return kind == Kind.SPLIT_BYTES
                || kind == Kind.SPLIT_RANDOM
                || kind == Kind.COALESCE
                || kind == Kind.SPLIT_FRAMES;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SPLIT_BYTES, SPLIT_FRAMES, RESET_GREETING, RESET_AUTH -> kind.written;
            case ERR_AFTER_ROWS -> kind.written + ":" + n + ":" + m;
            default -> kind.written + ":" + n;
        };
    }
}
