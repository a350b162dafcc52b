package dev.sluice.proxy.session;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters of pins by reason, for the metrics endpoint and the admin interface: how many pins each
 * reason started since the process began (a counter), how many sessions it holds now (a gauge), and how many sessions
 * are pinned by anything now. Lock-free: {@link SessionPins} updates them from event loops, readers read from any
 * thread.
 */
public final class PinCounters {
    private static final PinCounters GLOBAL = new PinCounters();

    private final LongAdder[] started = new LongAdder[PinReason.values().length];
    private final AtomicLongArray current = new AtomicLongArray(PinReason.values().length);
    private final LongAdder pinnedSessions = new LongAdder();

    public PinCounters() {
        for (int i = 0; i < started.length; i++) {
            started[i] = new LongAdder();
        }
    }

    /** The counters of this process (sessions use these unless given others, as tests do). */
    public static PinCounters global() {
        return GLOBAL;
    }

    /** Pins of this reason started since the process began (a session going from not held to held). */
    public long started(PinReason reason) {
        return started[reason.ordinal()].sum();
    }

    /** Sessions this reason holds now. */
    public long current(PinReason reason) {
        return current.get(reason.ordinal());
    }

    /** Sessions pinned by at least one reason now. */
    public long pinnedSessions() {
        return pinnedSessions.sum();
    }

    void pinStarted(PinReason reason) {
        started[reason.ordinal()].increment();
        current.incrementAndGet(reason.ordinal());
    }

    void pinEnded(PinReason reason) {
        current.decrementAndGet(reason.ordinal());
    }

    void sessionPinned() {
        pinnedSessions.increment();
    }

    void sessionUnpinned() {
        pinnedSessions.decrement();
    }
}
