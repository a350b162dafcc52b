package dev.sluice.proxy.routing;

import dev.sluice.backend.topology.ServerState;
import dev.sluice.backend.topology.Topology;
import io.netty.channel.EventLoop;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The failover buffer: sessions whose next statement needs the writer while there is none (or while the one they
 * tried could not be reached) wait here for the monitor to find one, at most {@code routing.failover-buffer-timeout},
 * and at most {@code routing.failover-buffer-statements} of them at once. Nothing was sent for a waiting statement, so
 * sending it to the new writer runs it once. Each waiter is completed on its session's event loop, exactly once:
 * writer found, timed out, or refused at once.
 */
final class WriterWait {
    private final Router router;
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Statements that waited, by how their wait ended. */
    private final LongAdder buffered = new LongAdder();

    private final LongAdder refused = new LongAdder();
    private final LongAdder timedOutCount = new LongAdder();

    WriterWait(Router router) {
        this.router = router;
    }

    /** One session waiting. */
    private final class Waiter {
        final EventLoop loop;
        final String unreachable;
        final Instant since;
        final Runnable found;
        final Runnable timedOut;
        final AtomicBoolean done = new AtomicBoolean();
        ScheduledFuture<?> timer;

        Waiter(EventLoop loop, String unreachable, Instant since, Runnable found, Runnable timedOut) {
            this.loop = loop;
            this.unreachable = unreachable;
            this.since = since;
            this.found = found;
            this.timedOut = timedOut;
        }

        boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            waiting.decrementAndGet();
            waiters.remove(this);
            if (timer != null) {
                timer.cancel(false);
            }
            return true;
        }

        boolean accepts(Topology topology) {
            Router r = router;
            var writer = topology.writer();
            if (writer.isEmpty() || r.writer() == null) {
                return false;
            }
            ServerState w = writer.get();
            // the server a lease just failed on counts again only once a poll after that failure reached it
            return unreachable == null
                    || !unreachable.equals(w.name())
                    || w.polledAt().isAfter(since);
        }
    }

    /**
     * Waits for a writer: {@code found} runs on {@code loop} once there is one (other than {@code unreachable}, unless
     * that one answered a poll again), {@code timedOut} after {@code timeoutNanos} without. Returns false, running
     * neither, when the buffer is full or disabled (the caller answers with an ERR at once).
     */
    boolean await(EventLoop loop, long timeoutNanos, int max, String unreachable, Runnable found, Runnable timedOut) {
        if (timeoutNanos <= 0 || waiting.incrementAndGet() > max) {
            if (timeoutNanos > 0) {
                waiting.decrementAndGet();
            }
            refused.increment();
            return false;
        }
        buffered.increment();
        Waiter w = new Waiter(loop, unreachable, Instant.now(), found, timedOut);
        waiters.add(w);
        w.timer = loop.schedule(
                () -> {
                    if (w.finish()) {
                        timedOutCount.increment();
                        timedOut.run();
                    }
                },
                timeoutNanos,
                TimeUnit.NANOSECONDS);
        Topology now = router.topology();
        if (now != null && w.accepts(now) && w.finish()) {
            loop.execute(found); // a writer appeared between the caller's look and this registration
        }
        return true;
    }

    /** A topology with a writer was published: every waiter it satisfies goes on. */
    void writerKnown(Topology topology) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.accepts(topology) && w.finish()) {
                w.loop.execute(w.found);
            }
        }
    }

    /** Statements that waited for a writer (entered the failover buffer) so far. */
    long buffered() {
        return buffered.sum();
    }

    /** Statements refused a wait (the buffer full, or off) so far. */
    long refused() {
        return refused.sum();
    }

    /** Statements whose wait ended without a writer so far. */
    long timedOut() {
        return timedOutCount.sum();
    }

    /** How many statements wait for a writer now. */
    int waiting() {
        return Math.max(0, waiting.get());
    }

    void close() {
        for (Waiter w : waiters) {
            if (w.finish()) {
                w.loop.execute(w.timedOut);
            }
        }
    }
}
