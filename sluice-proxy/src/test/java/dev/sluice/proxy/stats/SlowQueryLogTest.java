package dev.sluice.proxy.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowQueryLogTest {
    private static SlowQueryLog.Entry entry(String text, int error) {
        return new SlowQueryLog.Entry(
                1073741825L,
                "00000000000000ff",
                text,
                "app",
                "shop",
                "db1",
                "writer",
                "COM_QUERY",
                1_234_567_000L,
                3,
                0,
                error);
    }

    @Test
    void aLineIsOneJsonObjectWithEveryField() {
        String line =
                SlowQueryLog.line(entry("select * from t where a = ?", 0), Instant.parse("2026-12-07T10:00:00Z"), 0);
        assertThat(line)
                .isEqualTo("{\"time\":\"2026-12-07T10:00:00Z\",\"session\":1073741825,\"digest\":\"00000000000000ff\","
                        + "\"text\":\"select * from t where a = ?\",\"user\":\"app\",\"schema\":\"shop\","
                        + "\"server\":\"db1\",\"group\":\"writer\",\"command\":\"COM_QUERY\","
                        + "\"latency_ms\":1234.567,\"rows\":3,\"affected\":0,\"error\":null}");
    }

    @Test
    void quotesAndControlCharactersAreEscaped() {
        String line = SlowQueryLog.line(entry("select \"x\\y\"\n\t\u0001", 1146), Instant.EPOCH, 7);
        assertThat(line)
                .contains("\"text\":\"select \\\"x\\\\y\\\"\\n\\t\\u0001\"")
                .contains("\"error\":1146")
                .endsWith(",\"suppressed_before\":7}");
    }

    @Test
    void thresholdDecidesWhatIsSlow() {
        SlowQueryLog log = new SlowQueryLog(Duration.ofMillis(100), 10, line -> {});
        assertThat(log.isSlow(99_999_999)).isFalse();
        assertThat(log.isSlow(100_000_000)).isTrue();
    }

    /** At most max-per-second lines in one second; the first line of a later second says how many were left out. */
    @Test
    void linesAreRateLimitedAndTheGapIsReported() throws Exception {
        List<String> lines = new ArrayList<>();
        SlowQueryLog log = new SlowQueryLog(Duration.ZERO, 3, lines::add);
        long second = Instant.now().getEpochSecond();
        while (Instant.now().getEpochSecond() == second) {
            Thread.onSpinWait(); // start at the beginning of a second so all 10 writes fall in one
        }
        for (int i = 0; i < 10; i++) {
            log.write(entry("q", 0));
        }
        assertThat(lines).hasSize(3);
        long now = Instant.now().getEpochSecond();
        while (Instant.now().getEpochSecond() == now) {
            Thread.onSpinWait();
        }
        log.write(entry("q", 0));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3)).endsWith(",\"suppressed_before\":7}");
    }
}
