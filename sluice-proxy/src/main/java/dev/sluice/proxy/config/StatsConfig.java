package dev.sluice.proxy.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Statement statistics (see docs/OPERATIONS.md and docs/DIGESTS.md).
 *
 * @param digests whether statements are counted per digest, user and schema ({@code digests.enabled}, on)
 * @param digestsMax the digest table's rows at most ({@code digests.max}, 1000); the least recently seen are folded
 *     into one "other" row
 * @param slowQueryThreshold statements at least this slow are written to the slow query log ({@code
 *     slow-query-log.threshold}); null: no slow query log (the default)
 * @param slowQueriesPerSecond the slow query log's lines per second at most ({@code slow-query-log.max-per-second},
 *     10)
 * @param slowQueryLogFile where the application writes the slow query log ({@code slow-query-log.file}); null: the
 *     main log
 */
public record StatsConfig(
        boolean digests, int digestsMax, Duration slowQueryThreshold, int slowQueriesPerSecond, Path slowQueryLogFile) {
    public static final int DEFAULT_DIGESTS_MAX = 1000;
    public static final int DEFAULT_SLOW_PER_SECOND = 10;

    public StatsConfig {
        if (digestsMax < 1) {
            throw new IllegalArgumentException("digests.max: " + digestsMax + " (at least 1)");
        }
        if (slowQueriesPerSecond < 1) {
            throw new IllegalArgumentException(
                    "slow-query-log.max-per-second: " + slowQueriesPerSecond + " (at least 1)");
        }
        if (slowQueryThreshold != null && slowQueryThreshold.isNegative()) {
            throw new IllegalArgumentException("slow-query-log.threshold: " + slowQueryThreshold + " (negative)");
        }
    }

    public static StatsConfig defaults() {
        return new StatsConfig(true, DEFAULT_DIGESTS_MAX, null, DEFAULT_SLOW_PER_SECOND, null);
    }
}
