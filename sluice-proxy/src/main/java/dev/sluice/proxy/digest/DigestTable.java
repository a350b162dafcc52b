package dev.sluice.proxy.digest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Statement statistics per (digest, user, schema), process-wide and bounded: at most {@code max} rows besides the
 * "other" row. When a new row would pass the bound, the least recently seen tenth of the rows is folded into
 * "other" (their counts and latencies added to it), so the totals stay whole while the table holds what runs now.
 * The normalised text is made only when a row is created; a statement that finds its row costs a hash lookup.
 */
public final class DigestTable {
    /** What a row is kept for. */
    public record Key(long digest, String user, String schema) {}

    /** The text of the row that collects what was folded out of the table. */
    public static final String OTHER = "(other)";

    private final int max;
    private final ConcurrentHashMap<Key, DigestEntry> entries = new ConcurrentHashMap<>();
    private final Object evictions = new Object();
    private volatile DigestEntry other;

    public DigestTable(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("digests.max: " + max + " (at least 1)");
        }
        this.max = max;
        this.other = newOther();
    }

    private static DigestEntry newOther() {
        return new DigestEntry(new Key(0, "", ""), OTHER, System.currentTimeMillis());
    }

    /**
     * The row of {@code digest} for {@code user} in {@code schema} (null: none), created with the text {@code text}
     * gives when there is none.
     */
    public DigestEntry entry(long digest, String user, String schema, Supplier<String> text) {
        Key key = new Key(digest, user, schema == null ? "" : schema);
        DigestEntry found = entries.get(key);
        if (found != null) {
            return found;
        }
        synchronized (evictions) { // rows are created one at a time, so the bound holds exactly
            found = entries.get(key);
            if (found != null) {
                return found;
            }
            if (entries.size() >= max) {
                evict();
            }
            DigestEntry created = new DigestEntry(key, text.get(), System.currentTimeMillis());
            entries.put(key, created);
            return created;
        }
    }

    /** Records one run of a statement on its row, or on "other" when its row was folded meanwhile. */
    public void record(
            DigestEntry entry, long nanos, long rows, long affected, int warnings, boolean failed, String group) {
        long micros = nanos / 1000;
        long now = System.currentTimeMillis();
        if (!entry.recordUnlessFolded(micros, rows, affected, warnings, failed, group, now)) {
            other.record(micros, rows, affected, warnings, failed, group, now);
        }
    }

    /** Folds the least recently seen tenth into "other"; the caller holds {@link #evictions}. */
    private void evict() {
        List<DigestEntry> oldest = new ArrayList<>(entries.values());
        oldest.sort(Comparator.comparingLong(e -> e.lastSeenMillis));
        int n = Math.max(1, oldest.size() / 10);
        DigestEntry into = other;
        for (DigestEntry e : oldest.subList(0, n)) {
            if (entries.remove(e.key, e)) {
                e.foldInto(into);
            }
        }
    }

    /** Every row, "other" last when anything was folded into it. */
    public List<DigestRow> rows() {
        List<DigestRow> rows = new ArrayList<>(entries.size() + 1);
        for (DigestEntry e : entries.values()) {
            rows.add(e.row());
        }
        DigestRow folded = other.row();
        if (folded.count() > 0) {
            rows.add(folded);
        }
        return rows;
    }

    public int size() {
        return entries.size();
    }

    public int max() {
        return max;
    }

    /** Forgets every row (RESET DIGESTS); runs in flight then count in "other". */
    public void reset() {
        synchronized (evictions) {
            for (DigestEntry e : entries.values()) {
                e.drop();
            }
            entries.clear();
            other = newOther();
        }
    }
}
