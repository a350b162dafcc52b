package dev.sluice.backend.pool;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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
        private final long sinceNanos = System.nanoTime();
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
     * The oldest lease waiting on {@code loop}, taken out of the queue, unless the oldest of all has waited longer
     * than {@code patienceNanos} (then that one): a returned connection serves its own loop without being closed
     * and reopened elsewhere, and no loop's clients starve. Null if none waits.
     */
    Waiter next(EventLoop loop, long patienceNanos) {
        Waiter oldest = null;
        for (Waiter w; (w = queue.peek()) != null && w.future.isDone(); ) {
            queue.poll();
        }
        oldest = queue.peek();
        if (oldest == null || oldest.loop == loop || System.nanoTime() - oldest.sinceNanos > patienceNanos) {
            return next();
        }
        for (java.util.Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.loop == loop && !w.future.isDone()) {
                it.remove();
                return w;
            }
        }
        return next();
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
