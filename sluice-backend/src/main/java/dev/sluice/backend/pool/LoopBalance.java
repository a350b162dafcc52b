package dev.sluice.backend.pool;

import io.netty.channel.EventLoop;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which idle connection a lease takes and which waiting client a returned connection serves, across the event loops
 * of one pool: the balancing policy, where {@link ServerPool} keeps the lifecycle (open, hand out, give back,
 * discard, retire, close).
 *
 * <p>A session relays on its server channel without locks only if both share an event loop, so a lease takes an
 * idle connection of its own loop. In transaction mode connections come back after every transaction: a lease takes
 * its loop's longest idle one (the one a session just gave back is the last another takes, so its values such as
 * ROW_COUNT() stay for the session to reclaim); a returned connection serves a waiter of its own loop, or one of a
 * loop with no open connection of the pool at all; and a connection of another loop is closed to open one on a
 * waiter's loop only after it has idled for the waiters' patience (one idle for a moment is about to serve its own
 * loop again: closing it would cost a login each time). In session mode a lease takes its loop's most recently
 * returned connection, a returned one serves the oldest waiter, and any idle connection may make room.
 *
 * <p>Not thread-safe: the pool's monitor guards it, like the idle connections and waiters it looks at; the patience
 * check it schedules runs {@code patienceOver} on the waiter's loop, which takes the monitor itself.
 */
final class LoopBalance {
    /** Transaction mode: how long a connection must have idled on its loop before a client of another loop may take its place. */
    static final long WAITER_PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final boolean transaction;
    private final IdleConnections idle;
    private final PoolWaiters waiters;
    private final Consumer<PoolWaiters.Waiter> patienceOver;
    /** Open connections (not closed) per event loop. */
    private final Map<EventLoop, Integer> perLoop = new IdentityHashMap<>();

    /**
     * @param patienceOver what runs on a waiter's loop once the patience passed (the pool takes its monitor and
     *     calls {@link #afterPatience})
     */
    LoopBalance(PoolMode mode, IdleConnections idle, PoolWaiters waiters, Consumer<PoolWaiters.Waiter> patienceOver) {
        this.transaction = mode == PoolMode.TRANSACTION;
        this.idle = idle;
        this.waiters = waiters;
        this.patienceOver = patienceOver;
    }

    /** A connection of {@code loop} was opened (or is being: it has its state now). */
    void opened(EventLoop loop) {
        perLoop.merge(loop, 1, Integer::sum);
    }

    /** A connection of {@code loop} was closed (or is about to be). */
    void closed(EventLoop loop) {
        perLoop.merge(loop, -1, Integer::sum);
    }

    /** The idle connection a lease on {@code loop} takes, taken out of the idle ones; null if none. */
    PooledConnection idleFor(EventLoop loop) {
        return transaction ? idle.takeOldestOn(loop) : idle.takeOn(loop);
    }

    /**
     * An idle connection of another loop that may be closed so a lease can open one on its own loop, taken out;
     * null if none may. In transaction mode only one that has idled longer than the waiters' patience.
     */
    PooledConnection idleToReplace() {
        if (idle.isEmpty()) {
            return null;
        }
        return transaction ? idle.takeOldestIdleFor(System.nanoTime(), WAITER_PATIENCE_NANOS) : idle.takeOldest();
    }

    /** The waiter a connection of {@code loop} that came back serves, taken out of the queue; null to let it idle. */
    PoolWaiters.Waiter waiterFor(EventLoop loop) {
        if (waiters.isEmpty()) {
            return null; // the common case: no look at the queues
        }
        return transaction ? waiters.next(loop, perLoop) : waiters.next();
    }

    /**
     * After a connection went idle: a client of another loop that waits meanwhile (transaction mode), whose patience
     * check the caller starts with {@link #checkLater} outside the monitor; null if none.
     */
    PoolWaiters.Waiter waiterElsewhere() {
        return transaction && !waiters.isEmpty() ? waiters.oldest() : null;
    }

    /** A client was queued: in transaction mode, while a connection idles on another loop, its patience runs. */
    boolean mayTakeIdleElsewhere() {
        return transaction && !idle.isEmpty();
    }

    /** Runs the patience check of {@code waiter} on its loop once the patience passed. */
    void checkLater(PoolWaiters.Waiter waiter) {
        waiter.loop.schedule(() -> patienceOver.accept(waiter), WAITER_PATIENCE_NANOS, TimeUnit.NANOSECONDS);
    }

    /**
     * The patience check of {@code waiter}, which still waits (under the monitor): an idle connection of its loop (to
     * hand out), else one of another loop idle past the patience (to close, opening one on the waiter's loop in its
     * place), taken out of the idle ones with the waiter out of the queue; null when neither, checking again later
     * while connections idle.
     */
    PooledConnection afterPatience(PoolWaiters.Waiter waiter) {
        PooledConnection c = idle.takeOn(waiter.loop);
        if (c == null) {
            c = idle.takeOldestIdleFor(System.nanoTime(), WAITER_PATIENCE_NANOS);
            if (c == null) {
                if (!idle.isEmpty()) {
                    checkLater(waiter);
                }
                return null;
            }
        }
        if (!waiters.remove(waiter)) {
            idle.add(c); // served meanwhile
            return null;
        }
        return c;
    }
}
