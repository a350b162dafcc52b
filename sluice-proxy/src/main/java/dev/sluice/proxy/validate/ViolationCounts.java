package dev.sluice.proxy.validate;

import dev.sluice.protocol.validate.Direction;
import dev.sluice.protocol.validate.Rule;
import dev.sluice.protocol.validate.Violation;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Protocol violations reported, by direction and rule: what {@code sluice_protocol_violations_total} shows (both label
 * sets are fixed enums, so the series are bounded: 3 × 10).
 */
public final class ViolationCounts {
    private static final int RULES = Rule.values().length;
    private final AtomicLongArray counts = new AtomicLongArray(Direction.values().length * RULES);
    private final AtomicLong faults = new AtomicLong();

    void add(Violation v) {
        counts.incrementAndGet(v.direction().ordinal() * RULES + v.rule().ordinal());
    }

    public long count(Direction direction, Rule rule) {
        return counts.get(direction.ordinal() * RULES + rule.ordinal());
    }

    void fault() {
        faults.incrementAndGet();
    }

    /** Links on which the validator stopped on a fault of its own (a bug of the validator, never the peer's). */
    public long faults() {
        return faults.get();
    }

    /** Every violation reported since the proxy started. */
    public long total() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }
}
