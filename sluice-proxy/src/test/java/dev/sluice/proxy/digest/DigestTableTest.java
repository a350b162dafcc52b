package dev.sluice.proxy.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DigestTableTest {
    private static final long MS = 1_000_000L;

    private static DigestEntry entry(DigestTable t, long digest, String user, String schema) {
        return t.entry(digest, user, schema, () -> "text " + digest);
    }

    private static DigestRow row(DigestTable t, String text) {
        return t.rows().stream().filter(r -> r.text().equals(text)).findFirst().orElseThrow();
    }

    @Test
    void oneRowPerDigestUserAndSchema() {
        DigestTable t = new DigestTable(10);
        DigestEntry a = entry(t, 1, "app", "test");
        assertThat(entry(t, 1, "app", "test")).isSameAs(a);
        assertThat(entry(t, 1, "other", "test")).isNotSameAs(a);
        assertThat(entry(t, 1, "app", null)).isNotSameAs(a);
        assertThat(t.size()).isEqualTo(3);
    }

    @Test
    void recordsCountsRowsErrorsAndLatencies() {
        DigestTable t = new DigestTable(10);
        DigestEntry a = entry(t, 1, "app", "test");
        for (int i = 1; i <= 100; i++) {
            t.record(a, i * MS, 2, 1, i % 10 == 0 ? 1 : 0, i % 25 == 0, "writer");
        }
        DigestRow r = row(t, "text 1");
        assertThat(r.count()).isEqualTo(100);
        assertThat(r.rowsSent()).isEqualTo(200);
        assertThat(r.rowsAffected()).isEqualTo(100);
        assertThat(r.warnings()).isEqualTo(10);
        assertThat(r.errors()).isEqualTo(4);
        assertThat(r.minMicros()).isEqualTo(1000);
        assertThat(r.maxMicros()).isEqualTo(100_000);
        assertThat(r.totalMicros()).isEqualTo(5050 * 1000L);
        // two significant digits: within 1% of the exact percentiles
        assertThat(r.p50Micros()).isBetween(49_500L, 50_500L);
        assertThat(r.p95Micros()).isBetween(94_000L, 96_000L);
        assertThat(r.p99Micros()).isBetween(98_000L, 100_000L);
        assertThat(r.group()).isEqualTo("writer");
        assertThat(r.hex()).isEqualTo("0000000000000001");
    }

    @Test
    void aLatencyBeyondAnHourCountsAsAnHour() {
        DigestTable t = new DigestTable(10);
        DigestEntry a = entry(t, 1, "app", "test");
        t.record(a, 7_200_000 * MS, 0, 0, 0, false, "writer");
        assertThat(row(t, "text 1").maxMicros()).isEqualTo(DigestEntry.HIGHEST_MICROS);
    }

    /**
     * At the bound, the least recently seen tenth is folded into "other": the table keeps its size, the totals stay
     * whole, and a run recorded on a folded row counts in "other".
     */
    @Test
    void theLeastRecentlySeenAreFoldedIntoOther() {
        DigestTable t = new DigestTable(20);
        DigestEntry first = entry(t, 0, "app", "test");
        t.record(first, MS, 1, 0, 0, false, "writer");
        first.lastSeenMillis = 0; // the oldest
        for (int i = 1; i < 20; i++) {
            DigestEntry e = entry(t, i, "app", "test");
            t.record(e, MS, 1, 0, 0, false, "writer");
            e.lastSeenMillis = 1000 + i;
        }
        assertThat(t.size()).isEqualTo(20);
        entry(t, 99, "app", "test");
        assertThat(t.size()).isEqualTo(19); // 20 - 2 folded + 1 new
        assertThat(first.folded()).isTrue();
        assertThat(t.rows())
                .extracting(DigestRow::text)
                .doesNotContain("text 0", "text 1")
                .contains("text 99");
        DigestRow other = row(t, DigestTable.OTHER);
        assertThat(other.count()).isEqualTo(2);
        assertThat(other.rowsSent()).isEqualTo(2);

        t.record(first, MS, 5, 0, 0, true, "writer");
        assertThat(row(t, DigestTable.OTHER).count()).isEqualTo(3);
        assertThat(row(t, DigestTable.OTHER).errors()).isEqualTo(1);
        long total = t.rows().stream().mapToLong(DigestRow::count).sum();
        assertThat(total).isEqualTo(21);
    }

    @Test
    void resetForgetsEverything() {
        DigestTable t = new DigestTable(10);
        DigestEntry a = entry(t, 1, "app", "test");
        t.record(a, MS, 1, 0, 0, false, "writer");
        t.reset();
        assertThat(t.rows()).isEmpty();
        t.record(a, MS, 1, 0, 0, false, "writer"); // a run in flight during the reset
        assertThat(t.rows()).extracting(DigestRow::text).containsExactly(DigestTable.OTHER);
        assertThat(entry(t, 1, "app", "test")).isNotSameAs(a);
    }

    @Test
    void concurrentRecordsAreAllCounted() throws Exception {
        DigestTable t = new DigestTable(5);
        int threads = 4;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        for (int n = 0; n < threads; n++) {
            int me = n;
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    // 12 digests over a bound of 5: rows are folded while others record
                    DigestEntry e = entry(t, (i + me) % 12, "app", "test");
                    t.record(e, 1000, 1, 0, 0, false, "writer");
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        List<DigestRow> rows = t.rows();
        assertThat(rows.stream().mapToLong(DigestRow::count).sum()).isEqualTo((long) threads * each);
        assertThat(t.size()).isLessThanOrEqualTo(5);
    }

    /** The int-counted histogram starts over before it could overflow; counts and sums go on. */
    @Test
    void theHistogramStartsOverBeforeItsCountsCouldOverflow() {
        DigestEntry e = new DigestEntry(new DigestTable.Key(1, "app", "test"), "t", 0, 100);
        for (int i = 0; i < 100; i++) {
            e.record(1000, 0, 0, 0, false, "writer", 0);
        }
        for (int i = 0; i < 10; i++) {
            e.record(50_000, 0, 0, 0, false, "writer", 0);
        }
        DigestRow r = e.row();
        assertThat(r.count()).isEqualTo(110);
        assertThat(r.minMicros()).isEqualTo(1000);
        assertThat(r.p50Micros())
                .as("percentiles of the runs since the start-over")
                .isBetween(49_500L, 50_500L);
    }

    @Test
    void aBoundBelowOneIsRefused() {
        assertThatThrownBy(() -> new DigestTable(0)).hasMessageContaining("digests.max");
    }

    @Test
    void aRowsHistogramIsSmall() {
        assertThat(DigestEntry.footprintBytes()).isLessThan(16 * 1024);
        System.out.println("digest row histogram footprint: " + DigestEntry.footprintBytes() + " bytes");
    }
}
