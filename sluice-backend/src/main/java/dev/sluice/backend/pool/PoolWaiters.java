package dev.sluice.backend.pool;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The clients waiting for a connection of one pool, oldest first, each with its acquire-timeout timer, kept in one
 * queue per event loop (a returned connection looks at its own loop's first: a few loops, not every waiter). Not
 * thread-safe: the pool's monitor guards it (the timer's action takes the monitor itself).
 */
final class PoolWaiters {
    /** One waiting lease: the loop its connection must live on, and the future to complete. */
    static final class Waiter {
        final EventLoop loop;
        final CompletableFuture<PooledConnection> future;
        private final long order;
        private ScheduledFuture<?> timeout;

        private Waiter(EventLoop loop, CompletableFuture<PooledConnection> future, long order) {
            this.loop = loop;
            this.future = future;
            this.order = order;
        }

        /** It gets a connection (or an error) now: its acquire-timeout no longer applies. */
        void served() {
            timeout.cancel(false);
        }
    }

    private final Map<EventLoop, ArrayDeque<Waiter>> byLoop = new IdentityHashMap<>();
    private long added;
    /** Changed under the pool's monitor; volatile for {@link ServerPool#waitingCount}, which reads it without. */
    private volatile int size;

    /** Queues a lease; {@code onTimeout} runs on its loop after {@code timeoutMillis} unless it was served. */
    Waiter add(
            EventLoop loop,
            CompletableFuture<PooledConnection> future,
            long timeoutMillis,
            Consumer<Waiter> onTimeout) {
        Waiter w = new Waiter(loop, future, added++);
        byLoop.computeIfAbsent(loop, l -> new ArrayDeque<>()).add(w);
        size++;
        w.timeout = loop.schedule(() -> onTimeout.accept(w), timeoutMillis, TimeUnit.MILLISECONDS);
        return w;
    }

    /** False when it was no longer waiting (served meanwhile). */
    boolean remove(Waiter w) {
        ArrayDeque<Waiter> q = byLoop.get(w.loop);
        if (q != null && q.remove(w)) {
            size--;
            return true;
        }
        return false;
    }

    /** The first lease of {@code loop}'s queue still waiting (done ones dropped); left in the queue; null if none. */
    private Waiter head(ArrayDeque<Waiter> q) {
        if (q == null) {
            return null;
        }
        for (Waiter w; (w = q.peek()) != null; ) {
            if (!w.future.isDone()) {
                return w;
            }
            q.poll();
            size--;
        }
        return null;
    }

    /** The oldest lease still waiting, left in the queue; null if none. */
    Waiter oldest() {
        Waiter oldest = null;
        for (ArrayDeque<Waiter> q : byLoop.values()) {
            Waiter w = head(q);
            if (w != null && (oldest == null || w.order < oldest.order)) {
                oldest = w;
            }
        }
        return oldest;
    }

    /** The oldest lease still waiting, taken out of the queue; null if none. */
    Waiter next() {
        Waiter w = oldest();
        if (w != null) {
            take(w);
        }
        return w;
    }

    private void take(Waiter w) {
        byLoop.get(w.loop).poll(); // w is its queue's head
        size--;
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
        Waiter chosen = null;
        for (Map.Entry<EventLoop, ArrayDeque<Waiter>> e : byLoop.entrySet()) {
            if (e.getKey() != loop && openPerLoop.getOrDefault(e.getKey(), 0) == 0) {
                Waiter w = head(e.getValue());
                if (w != null && (chosen == null || w.order < chosen.order)) {
                    chosen = w; // a loop with no connection at all
                }
            }
        }
        if (chosen == null) {
            chosen = head(byLoop.get(loop));
        }
        if (chosen != null) {
            take(chosen);
        }
        return chosen;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Every waiting lease, taken out of the queue (the pool closes). */
    List<Waiter> drain() {
        List<Waiter> all = new ArrayList<>(size);
        for (ArrayDeque<Waiter> q : byLoop.values()) {
            all.addAll(q);
            q.clear();
        }
        all.sort(java.util.Comparator.comparingLong(w -> w.order));
        size = 0;
        return all;
    }
}
