package dev.sluice.proxy.ops;

import dev.sluice.proxy.digest.DigestRow;
import dev.sluice.proxy.digest.DigestTable;
import dev.sluice.proxy.stats.Json;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The digest table as JSON for {@code /api/digests}: an array of objects, one per row, ordered by {@code order} (one of
 * {@link #ORDERS}, descending; {@code total_us} by default) and cut at {@code limit}. Latencies in microseconds.
 */
final class DigestJson {
    static final Map<String, Comparator<DigestRow>> ORDERS = Map.of(
            "total_us", Comparator.comparingLong(DigestRow::totalMicros),
            "count", Comparator.comparingLong(DigestRow::count),
            "errors", Comparator.comparingLong(DigestRow::errors),
            "p99_us", Comparator.comparingLong(DigestRow::p99Micros),
            "avg_us", Comparator.comparingLong(DigestRow::averageMicros),
            "max_us", Comparator.comparingLong(DigestRow::maxMicros),
            "rows_sent", Comparator.comparingLong(DigestRow::rowsSent),
            "last_seen", Comparator.comparing(DigestRow::lastSeen));
    static final String DEFAULT_ORDER = "total_us";

    private DigestJson() {}

    /** The rows of {@code table} (null: digests are off, an empty array) as JSON. */
    static String json(DigestTable table, String order, int limit) {
        if (table == null) {
            return "[]";
        }
        Comparator<DigestRow> by = ORDERS.getOrDefault(order, ORDERS.get(DEFAULT_ORDER));
        List<DigestRow> rows = table.rows().stream()
                .sorted(by.reversed())
                .limit(Math.max(0, limit))
                .toList();
        StringBuilder b = new StringBuilder(256 * rows.size() + 2).append('[');
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            row(b, rows.get(i));
        }
        return b.append(']').toString();
    }

    private static void row(StringBuilder b, DigestRow r) {
        b.append("{\"digest\":");
        Json.quote(b, r.hex());
        b.append(",\"text\":");
        Json.quote(b, r.text());
        b.append(",\"user\":");
        Json.quote(b, r.user());
        b.append(",\"schema\":");
        Json.quote(b, r.schema());
        b.append(",\"group\":");
        Json.quote(b, r.group());
        b.append(",\"count\":").append(r.count());
        b.append(",\"errors\":").append(r.errors());
        b.append(",\"warnings\":").append(r.warnings());
        b.append(",\"rows_sent\":").append(r.rowsSent());
        b.append(",\"rows_affected\":").append(r.rowsAffected());
        b.append(",\"total_us\":").append(r.totalMicros());
        b.append(",\"avg_us\":").append(r.averageMicros());
        b.append(",\"min_us\":").append(r.minMicros());
        b.append(",\"max_us\":").append(r.maxMicros());
        b.append(",\"p50_us\":").append(r.p50Micros());
        b.append(",\"p95_us\":").append(r.p95Micros());
        b.append(",\"p99_us\":").append(r.p99Micros());
        b.append(",\"first_seen\":");
        Json.quote(b, r.firstSeen().toString());
        b.append(",\"last_seen\":");
        Json.quote(b, r.lastSeen().toString());
        b.append('}');
    }
}
