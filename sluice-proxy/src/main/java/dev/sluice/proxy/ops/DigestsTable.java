package dev.sluice.proxy.ops;

import dev.sluice.proxy.digest.DigestRow;
import dev.sluice.proxy.digest.DigestTable;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The digest table as an {@link OpsTable}: the admin interface's {@code SHOW DIGESTS}, {@code /api/digests} and the
 * status page's top statements. Rows ordered by one of {@link #ORDERS} (descending unless asked otherwise) and cut at a
 * limit. Latencies in microseconds.
 */
public final class DigestsTable {
    /** The columns a table may be ordered by. */
    public static final Map<String, Comparator<DigestRow>> ORDERS = orders();

    public static final String DEFAULT_ORDER = "total_us";

    private DigestsTable() {}

    private static Map<String, Comparator<DigestRow>> orders() {
        Map<String, Comparator<DigestRow>> m = new LinkedHashMap<>();
        m.put("total_us", Comparator.comparingLong(DigestRow::totalMicros));
        m.put("count", Comparator.comparingLong(DigestRow::count));
        m.put("errors", Comparator.comparingLong(DigestRow::errors));
        m.put("warnings", Comparator.comparingLong(DigestRow::warnings));
        m.put("rows_sent", Comparator.comparingLong(DigestRow::rowsSent));
        m.put("rows_affected", Comparator.comparingLong(DigestRow::rowsAffected));
        m.put("avg_us", Comparator.comparingLong(DigestRow::averageMicros));
        m.put("max_us", Comparator.comparingLong(DigestRow::maxMicros));
        m.put("p50_us", Comparator.comparingLong(DigestRow::p50Micros));
        m.put("p95_us", Comparator.comparingLong(DigestRow::p95Micros));
        m.put("p99_us", Comparator.comparingLong(DigestRow::p99Micros));
        m.put("first_seen", Comparator.comparing(DigestRow::firstSeen));
        m.put("last_seen", Comparator.comparing(DigestRow::lastSeen));
        return Map.copyOf(m);
    }

    /**
     * @param order one of {@link #ORDERS}' keys
     * @param descending largest first
     * @param limit rows at most
     */
    public static OpsTable build(DigestTable table, String order, boolean descending, int limit) {
        Comparator<DigestRow> by = ORDERS.get(order);
        if (by == null) {
            throw new IllegalArgumentException("no column " + order + " to order by");
        }
        List<DigestRow> rows = table.rows().stream()
                .sorted(descending ? by.reversed() : by)
                .limit(Math.max(0, limit))
                .toList();
        OpsTable.Builder t = OpsTable.builder()
                .text("digest", "text", "user", "schema", "group")
                .integer(
                        "count",
                        "errors",
                        "warnings",
                        "rows_sent",
                        "rows_affected",
                        "total_us",
                        "avg_us",
                        "min_us",
                        "max_us",
                        "p50_us",
                        "p95_us",
                        "p99_us")
                .text("first_seen", "last_seen");
        for (DigestRow r : rows) {
            t.row(
                    r.hex(),
                    r.text(),
                    r.user(),
                    r.schema(),
                    r.group(),
                    r.count(),
                    r.errors(),
                    r.warnings(),
                    r.rowsSent(),
                    r.rowsAffected(),
                    r.totalMicros(),
                    r.averageMicros(),
                    r.minMicros(),
                    r.maxMicros(),
                    r.p50Micros(),
                    r.p95Micros(),
                    r.p99Micros(),
                    r.firstSeen().toString(),
                    r.lastSeen().toString());
        }
        return t.build();
    }
}
