package dev.sluice.proxy.digest;

import java.time.Instant;

/**
 * One row of the digest table as read at one moment: a statement's normalised text (its digest), who ran it where,
 * and what it cost. Latencies in microseconds, from the command's start to the last byte of its answer; the
 * percentiles are HdrHistogram's, to two significant digits.
 *
 * @param digest the 64-bit digest ({@link QueryDigest}); 0 for the "other" row
 * @param group the server group that served its latest run ("" when Sluice answered it)
 */
public record DigestRow(
        long digest,
        String text,
        String user,
        String schema,
        String group,
        long count,
        long errors,
        long warnings,
        long rowsSent,
        long rowsAffected,
        long totalMicros,
        long minMicros,
        long maxMicros,
        long p50Micros,
        long p95Micros,
        long p99Micros,
        Instant firstSeen,
        Instant lastSeen) {

    /** The digest as 16 hex digits, as logs and the admin interface show it. */
    public String hex() {
        return String.format("%016x", digest);
    }

    public long averageMicros() {
        return count == 0 ? 0 : totalMicros / count;
    }
}
