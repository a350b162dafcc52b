package dev.sluice.proxy.stats;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statements slower than {@code slow-query-log.threshold}, one JSON object per line on the logger {@code
 * dev.sluice.slow} (the application sends it to {@code slow-query-log.file} or the main log). Rate-limited: at most
 * {@code max-per-second} lines in any one second; the next line written says how many were left out before it.
 * Literals never appear: the text is the statement's normalised digest text.
 */
public final class SlowQueryLog {
    public static final String LOGGER = "dev.sluice.slow";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final long thresholdNanos;
    private final int maxPerSecond;
    private final LineSink sink;

    private long second = -1;
    private int written;
    private long suppressed;

    /** Where lines go; the logger unless a test says otherwise. */
    @FunctionalInterface
    public interface LineSink {
        void write(String line);
    }

    public SlowQueryLog(Duration threshold, int maxPerSecond) {
        this(threshold, maxPerSecond, LOG::info);
    }

    public SlowQueryLog(Duration threshold, int maxPerSecond, LineSink sink) {
        this.thresholdNanos = threshold.toNanos();
        this.maxPerSecond = maxPerSecond;
        this.sink = sink;
    }

    /** Whether a statement that took {@code nanos} is slow. */
    public boolean isSlow(long nanos) {
        return nanos >= thresholdNanos;
    }

    /** One slow statement, as it ended. */
    public record Entry(
            long session,
            String digest,
            String text,
            String user,
            String schema,
            String server,
            String group,
            String command,
            long nanos,
            long rows,
            long affected,
            int errorCode) {}

    /** Writes {@code entry} unless this second's lines are used up. */
    public void write(Entry entry) {
        Instant now = Instant.now();
        long dropped;
        synchronized (this) {
            long s = now.getEpochSecond();
            if (s != second) {
                second = s;
                written = 0;
            }
            if (written >= maxPerSecond) {
                suppressed++;
                return;
            }
            written++;
            dropped = suppressed;
            suppressed = 0;
        }
        sink.write(line(entry, now, dropped));
    }

    static String line(Entry e, Instant at, long suppressedBefore) {
        StringBuilder b = new StringBuilder(256);
        b.append('{');
        field(b, "time", at.toString()).append(',');
        b.append("\"session\":").append(e.session()).append(',');
        field(b, "digest", e.digest()).append(',');
        field(b, "text", e.text()).append(',');
        field(b, "user", e.user()).append(',');
        field(b, "schema", e.schema()).append(',');
        field(b, "server", e.server()).append(',');
        field(b, "group", e.group()).append(',');
        field(b, "command", e.command()).append(',');
        b.append("\"latency_ms\":").append(String.format(java.util.Locale.ROOT, "%.3f", e.nanos() / 1e6));
        b.append(",\"rows\":").append(e.rows());
        b.append(",\"affected\":").append(e.affected());
        b.append(",\"error\":").append(e.errorCode() == 0 ? "null" : Integer.toString(e.errorCode()));
        if (suppressedBefore > 0) {
            b.append(",\"suppressed_before\":").append(suppressedBefore);
        }
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        if (value == null) {
            return b.append("null");
        }
        return Json.quote(b, value);
    }
}
