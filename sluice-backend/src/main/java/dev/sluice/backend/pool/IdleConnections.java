package dev.sluice.backend.pool;

import dev.sluice.backend.pool.PoolStats.DiscardReason;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A pool's idle connections, the most recently returned first (handed out first: warm, and the longest idle
 * ones age out). Not thread-safe: the pool's monitor guards it.
 */
final class IdleConnections {
    private final ArrayDeque<PooledConnection> deque = new ArrayDeque<>();

    /** The most recently returned connection of {@code loop}, taken out; null if none. */
    PooledConnection takeOn(EventLoop loop) {
        for (Iterator<PooledConnection> it = deque.iterator(); it.hasNext(); ) {
            PooledConnection c = it.next();
            if (c.loop() == loop) {
                it.remove();
                return c;
            }
        }
        return null;
    }

    /**
     * The longest idle connection of {@code loop}, taken out; null if none. Transaction mode hands connections out
     * in this order, so the one a session has just given back is the last another session takes (the values of that
     * session's last statement, such as ROW_COUNT(), stay on it for the session to reclaim).
     */
    PooledConnection takeOldestOn(EventLoop loop) {
        PooledConnection oldest = deque.peekLast();
        if (oldest == null || oldest.loop() == loop) {
            return deque.pollLast(); // the common case under load: no iterator
        }
        for (Iterator<PooledConnection> it = deque.descendingIterator(); it.hasNext(); ) {
            PooledConnection c = it.next();
            if (c.loop() == loop) {
                it.remove();
                return c;
            }
        }
        return null;
    }

    /** The longest idle connection, taken out; null if none. */
    PooledConnection takeOldest() {
        return deque.pollLast();
    }

    /** The longest idle connection if it has idled at least {@code minIdleNanos}, taken out; null otherwise. */
    PooledConnection takeOldestIdleFor(long now, long minIdleNanos) {
        PooledConnection oldest = deque.peekLast();
        return oldest != null && oldest.idleNanos(now) >= minIdleNanos ? deque.pollLast() : null;
    }

    void add(PooledConnection c) {
        deque.addFirst(c);
    }

    boolean remove(PooledConnection c) {
        return deque.remove(c);
    }

    boolean isEmpty() {
        return deque.isEmpty();
    }

    int size() {
        return deque.size();
    }

    /** All of them, taken out (the pool closes). */
    List<PooledConnection> drain() {
        List<PooledConnection> all = new ArrayList<>(deque);
        deque.clear();
        return all;
    }

    /**
     * Takes out every connection that must not be handed out any more: closed by the server, older than
     * max-lifetime, or idle longer than idle-timeout or than the server's wait_timeout allows; each with its
     * {@link PooledConnection#discardReason} set.
     */
    List<PooledConnection> takeUnusable(long now, PoolSettings settings) {
        List<PooledConnection> out = new ArrayList<>();
        for (Iterator<PooledConnection> it = deque.iterator(); it.hasNext(); ) {
            PooledConnection c = it.next();
            DiscardReason why = unusable(c, now, settings);
            if (why != null) {
                it.remove();
                c.discardReason = why;
                out.add(c);
            }
        }
        return out;
    }

    private static DiscardReason unusable(PooledConnection c, long now, PoolSettings settings) {
        if (!c.isActive()) {
            return DiscardReason.STALE;
        }
        if (c.ageNanos(now) > settings.maxLifetime().toNanos()) {
            return DiscardReason.EXPIRED;
        }
        if (c.idleNanos(now) > Math.min(settings.idleTimeout().toNanos(), c.maxIdleNanos())) {
            return DiscardReason.IDLE_TIMEOUT;
        }
        return null;
    }
}
