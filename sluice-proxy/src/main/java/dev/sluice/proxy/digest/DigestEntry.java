package dev.sluice.proxy.digest;

import java.time.Instant;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The counters of one row of the {@link DigestTable}: one digest run by one user in one schema (or the table's
 * "other" row). Updated by the event loops of the sessions that run it, read by scrapes and admin commands: every
 * access holds the entry's lock, which is uncontended unless two loops finish the same statement at the same moment.
 */
public final class DigestEntry {
    /** Latencies are kept in microseconds, up to an hour (longer ones count as an hour), to two significant digits. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private static final int SIGNIFICANT_DIGITS = 2;
    /**
     * The histogram counts in ints (half the memory of longs): before its total reaches this it starts over, so that no
     * bucket can overflow; the percentiles are then those of the latest runs (at 50,000 runs a second, the last six
     * hours). Counts, sums, min and max are longs and never start over.
     */
    static final long HISTOGRAM_RESTART = 1L << 30;

    final DigestTable.Key key;
    final String text;
    private final long firstSeenMillis;
    /** Read without the lock by the table's eviction, which only needs an approximate order. */
    volatile long lastSeenMillis;
    /** Folded into the table's "other" row: what arrives later goes there too. Set under the lock. */
    private volatile boolean folded;

    private long count;
    private long errors;
    private long warnings;
    private long rowsSent;
    private long rowsAffected;
    private long totalMicros;
    private long minMicros = Long.MAX_VALUE;
    private long maxMicros;
    private String group = "";
    private final IntCountsHistogram latency = new IntCountsHistogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);

    private final long histogramRestart;

    DigestEntry(DigestTable.Key key, String text, long nowMillis) {
        this(key, text, nowMillis, HISTOGRAM_RESTART);
    }

    DigestEntry(DigestTable.Key key, String text, long nowMillis, long histogramRestart) {
        this.histogramRestart = histogramRestart;
        this.key = key;
        this.text = text;
        this.firstSeenMillis = nowMillis;
        this.lastSeenMillis = nowMillis;
    }

    /** Whether this row was folded into "other" (evicted or reset): runs recorded on it go there. */
    public boolean folded() {
        return folded;
    }

    /** Whether this is the row of {@code user} in {@code schema} (null: none). */
    public boolean isFor(String user, String schema) {
        return key.user().equals(user) && key.schema().equals(schema == null ? "" : schema);
    }

    public String text() {
        return text;
    }

    /** The digest as 16 hex digits. */
    public String hex() {
        return String.format("%016x", key.digest());
    }

    /** Records one run unless this row was folded (then the caller records it elsewhere and gets false). */
    synchronized boolean recordUnlessFolded(
            long micros, long rows, long affected, int warningCount, boolean failed, String servedBy, long nowMillis) {
        if (folded) {
            return false;
        }
        record(micros, rows, affected, warningCount, failed, servedBy, nowMillis);
        return true;
    }

    synchronized void record(
            long micros, long rows, long affected, int warningCount, boolean failed, String servedBy, long nowMillis) {
        count++;
        if (failed) {
            errors++;
        }
        warnings += warningCount;
        rowsSent += rows;
        rowsAffected += affected;
        long m = Math.max(0, Math.min(micros, HIGHEST_MICROS));
        totalMicros += m;
        minMicros = Math.min(minMicros, m);
        maxMicros = Math.max(maxMicros, m);
        if (latency.getTotalCount() >= histogramRestart) {
            latency.reset();
        }
        latency.recordValue(m);
        if (servedBy != null) {
            group = servedBy;
        }
        lastSeenMillis = nowMillis;
    }

    /**
     * Marks this row folded and adds its counts to {@code into} (the "other" row); no run is recorded on it after the
     * copy is taken. The caller holds neither lock.
     */
    void foldInto(DigestEntry into) {
        DigestRow mine;
        IntCountsHistogram histogram;
        synchronized (this) {
            folded = true;
            mine = row();
            histogram = latency.copy();
        }
        into.add(mine, histogram);
    }

    /** Marks this row folded without keeping its counts (the table was reset). */
    synchronized void drop() {
        folded = true;
    }

    private synchronized void add(DigestRow row, IntCountsHistogram histogram) {
        count += row.count();
        errors += row.errors();
        warnings += row.warnings();
        rowsSent += row.rowsSent();
        rowsAffected += row.rowsAffected();
        totalMicros += row.totalMicros();
        if (row.count() > 0) {
            minMicros = Math.min(minMicros, row.minMicros());
            maxMicros = Math.max(maxMicros, row.maxMicros());
        }
        if (latency.getTotalCount() + histogram.getTotalCount() >= histogramRestart) {
            latency.reset();
        }
        latency.add(histogram);
        lastSeenMillis = Math.max(lastSeenMillis, row.lastSeen().toEpochMilli());
    }

    /** A consistent copy of the counters. */
    public synchronized DigestRow row() {
        boolean any = count > 0;
        return new DigestRow(
                key.digest(),
                text,
                key.user(),
                key.schema(),
                group,
                count,
                errors,
                warnings,
                rowsSent,
                rowsAffected,
                totalMicros,
                any ? minMicros : 0,
                maxMicros,
                percentile(50),
                percentile(95),
                percentile(99),
                Instant.ofEpochMilli(firstSeenMillis),
                Instant.ofEpochMilli(lastSeenMillis));
    }

    /** A percentile, within [min, max] (a histogram bucket's value can be a little past the largest recorded). */
    private long percentile(double p) {
        if (count == 0) {
            return 0;
        }
        return Math.max(minMicros, Math.min(maxMicros, latency.getValueAtPercentile(p)));
    }

    /** The histogram's memory, for the documentation of digests.max. */
    static int footprintBytes() {
        return new IntCountsHistogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS).getEstimatedFootprintInBytes();
    }
}
