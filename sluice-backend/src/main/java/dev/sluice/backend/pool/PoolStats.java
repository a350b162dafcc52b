package dev.sluice.backend.pool;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one server's pools, readable at any time from any thread (the metrics endpoint reads these).
 */
public final class PoolStats {
    /** Why a server connection was closed instead of being used again. */
    public enum DiscardReason {
        /** closed by the server (wait_timeout, KILL, restart) while idle, seen before use */
        STALE,
        /** idle longer than idle-timeout or than the server's wait_timeout allows */
        IDLE_TIMEOUT,
        /** older than max-lifetime */
        EXPIRED,
        /** its client left or timed out mid-statement: state unknown */
        CANCELLED,
        /** the reset after use (or before a new lease) failed */
        RESET_FAILED,
        /** the reset did not answer within pool.reset-timeout */
        RESET_TIMEOUT,
        /** logged in, but the set-up query did not answer within connect-timeout */
        SETUP_TIMEOUT,
        /** idle, closed to make room on a server at its limit (or full) for another pool's client */
        GAVE_WAY,
        /** failed while leased (server closed it, protocol error) */
        BROKEN,
        /** its session changed the server user (COM_CHANGE_USER): it belongs to another pool now */
        USER_CHANGED,
        /** closed to open one on another event loop for a waiting client */
        REBALANCED,
        /** the pool was closed */
        SHUTDOWN
    }

    private final LongAdder created = new LongAdder();
    private final LongAdder createFailures = new LongAdder();
    private final LongAdder reused = new LongAdder();
    private final LongAdder reset = new LongAdder();
    private final LongAdder returnedAsIs = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder kills = new LongAdder();
    private final LongAdder acquireWaits = new LongAdder();
    private final LongAdder acquireWaitNanos = new LongAdder();
    private final LongAdder acquireTimeouts = new LongAdder();
    private final LongAdder fastFailures = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder refusedFull = new LongAdder();
    private final LongAdder killTimeouts = new LongAdder();
    private final Map<DiscardReason, LongAdder> discarded = new EnumMap<>(DiscardReason.class);

    public PoolStats() {
        for (DiscardReason r : DiscardReason.values()) {
            discarded.put(r, new LongAdder());
        }
    }

    void created() {
        created.increment();
    }

    void createFailed() {
        createFailures.increment();
    }

    void reused() {
        reused.increment();
    }

    /** Transaction mode: a connection came back without a reset, its state known to the proxy. */
    void returnedAsIs() {
        returnedAsIs.increment();
    }

    public long returnedAsIsCount() {
        return returnedAsIs.sum();
    }

    void reset() {
        reset.increment();
    }

    void waited() {
        acquireWaits.increment();
    }

    /** A lease that waited ended (served, timed out or cancelled) after {@code nanos}. */
    void waitedFor(long nanos) {
        acquireWaitNanos.add(nanos);
    }

    /** The time leases spent waiting for a connection, in all. */
    public long acquireWaitNanos() {
        return acquireWaitNanos.sum();
    }

    void timedOut() {
        acquireTimeouts.increment();
    }

    /** A client refused at once because the server is marked down (the pool's, or the proxy's greeting gate). */
    public void failedFast() {
        fastFailures.increment();
    }

    void refreshed() {
        refreshes.increment();
    }

    void refusedFull() {
        refusedFull.increment();
    }

    /** A KILL QUERY connection did not finish within its deadline (connect-timeout) and was closed. */
    public void killTimedOut() {
        killTimeouts.increment();
    }

    /** Leases of a connection that was reset first because it had idled or came back unused. */
    public long refreshCount() {
        return refreshes.sum();
    }

    /** Logins the server refused with ERR 1040 (too many connections). */
    public long refusedFullCount() {
        return refusedFull.sum();
    }

    public long killTimeoutCount() {
        return killTimeouts.sum();
    }

    void discarded(DiscardReason reason) {
        discarded.get(reason).increment();
    }

    /** A statement was sent again on another connection because provably nothing of it reached a server. */
    public void retried() {
        retries.increment();
    }

    /** A statement was killed on the server (KILL QUERY over a separate connection). */
    public void killed() {
        kills.increment();
    }

    public long createdCount() {
        return created.sum();
    }

    public long createFailureCount() {
        return createFailures.sum();
    }

    public long reusedCount() {
        return reused.sum();
    }

    public long resetCount() {
        return reset.sum();
    }

    public long retryCount() {
        return retries.sum();
    }

    public long killCount() {
        return kills.sum();
    }

    public long acquireWaitCount() {
        return acquireWaits.sum();
    }

    public long acquireTimeoutCount() {
        return acquireTimeouts.sum();
    }

    /** Acquisitions refused at once because the server was marked down. */
    public long fastFailureCount() {
        return fastFailures.sum();
    }

    public long discardedCount(DiscardReason reason) {
        return discarded.get(reason).sum();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("created=" + created.sum() + " reused=" + reused.sum() + " reset="
                + reset.sum() + " returned-as-is=" + returnedAsIs.sum()
                + " retries=" + retries.sum() + " kills=" + kills.sum() + " waits=" + acquireWaits.sum()
                + " timeouts=" + acquireTimeouts.sum() + " fast-failures=" + fastFailures.sum() + " refreshes="
                + refreshes.sum()
                + " refused-full=" + refusedFull.sum() + " kill-timeouts=" + killTimeouts.sum() + " discarded{");
        discarded.forEach((r, n) -> {
            if (n.sum() > 0) {
                s.append(' ').append(r.name().toLowerCase()).append('=').append(n.sum());
            }
        });
        return s.append(" }").toString();
    }
}
