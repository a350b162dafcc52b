package dev.sluice.proxy.routing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routing decisions counted by group, server and reason (for the metrics of issue 13 and for tests). The label sets are
 * bounded by the configuration (groups × servers × reasons). Lock-free on the counting path.
 */
public final class RoutingCounters {
    /** One label set. */
    public record Key(String group, String server, RouteReason reason) {
        @Override
        public String toString() {
            return group + "/" + server + "/" + reason.label();
        }
    }

    private final ConcurrentHashMap<Key, LongAdder> counts = new ConcurrentHashMap<>();

    void count(String group, String server, RouteReason reason) {
        counts.computeIfAbsent(new Key(group, server, reason), k -> new LongAdder())
                .increment();
    }

    /** How many decisions had these labels so far. */
    public long count(Key key) {
        LongAdder a = counts.get(key);
        return a == null ? 0 : a.sum();
    }

    /** Every label set seen, with its count, sorted by labels. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k.toString(), v.sum()));
        return out;
    }
}
