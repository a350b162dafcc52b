package dev.sluice.backend.pool;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The clients waiting for a connection of one pool, oldest first, each with its acquire-timeout timer. Not
 * thread-safe: the pool's monitor guards it (the timer's action takes the monitor itself).
 */
final class PoolWaiters {
    /** One waiting lease: the loop its connection must live on, and the future to complete. */
    static final class Waiter {
        final EventLoop loop;
        final CompletableFuture<PooledConnection> future;
        private ScheduledFuture<?> timeout;

        private Waiter(EventLoop loop, CompletableFuture<PooledConnection> future) {
            this.loop = loop;
            this.future = future;
        }

        /** It gets a connection (or an error) now: its acquire-timeout no longer applies. */
        void served() {
            timeout.cancel(false);
        }
    }

    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

    /** Queues a lease; {@code onTimeout} runs on its loop after {@code timeoutMillis} unless it was served. */
    Waiter add(
            EventLoop loop,
            CompletableFuture<PooledConnection> future,
            long timeoutMillis,
            Consumer<Waiter> onTimeout) {
        Waiter w = new Waiter(loop, future);
        queue.add(w);
        w.timeout = loop.schedule(() -> onTimeout.accept(w), timeoutMillis, TimeUnit.MILLISECONDS);
        return w;
    }

    /** False when it was no longer waiting (served meanwhile). */
    boolean remove(Waiter w) {
        return queue.remove(w);
    }

    /** The oldest lease still waiting, taken out of the queue; null if none. */
    Waiter next() {
        for (Waiter w; (w = queue.poll()) != null; ) {
            if (!w.future.isDone()) {
                return w;
            }
        }
        return null;
    }

    /**
     * Transaction mode: the lease a connection of {@code loop} that just came back should serve, taken out of the
     * queue; null if none waits. The oldest waiting on {@code loop} first (the connection serves its own loop and is
     * not closed and reopened elsewhere: under load every loop has waiters, and moving connections between them would
     * cost a login each time), unless a lease waits on a loop with no open connection of this pool at all (it would
     * otherwise wait for acquire-timeout); null when neither waits: the connection idles on its loop, and a client of
     * another loop that waits longer than the pool's patience while it idles takes its place (ServerPool's rebalance).
     */
    Waiter next(EventLoop loop, Map<EventLoop, Integer> openPerLoop) {
        Waiter own = null;
        Waiter starving = null;
        for (Waiter w : queue) {
            if (w.future.isDone()) {
                continue;
            }
            if (w.loop == loop) {
                own = own == null ? w : own;
            } else if (starving == null && openPerLoop.getOrDefault(w.loop, 0) == 0) {
                starving = w;
            }
            if (own != null && starving != null) {
                break;
            }
        }
        Waiter chosen = starving != null ? starving : own;
        if (chosen == null) {
            return null; // other loops' clients are served by their own connections (or, after a while, by a move)
        }
        queue.remove(chosen);
        return chosen;
    }

    /** The oldest lease still waiting, left in the queue; null if none. */
    Waiter oldest() {
        for (Waiter w : queue) {
            if (!w.future.isDone()) {
                return w;
            }
        }
        return null;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /** Every waiting lease, taken out of the queue (the pool closes). */
    List<Waiter> drain() {
        List<Waiter> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }
}
