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

    /** group → server → one adder per reason: counting allocates nothing once a label set was seen. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder[]>> counts = new ConcurrentHashMap<>();

    void count(String group, String server, RouteReason reason) {
        adder(group, server, reason).increment();
    }

    /** The adder of one label set (created when first asked for). */
    LongAdder adder(String group, String server, RouteReason reason) {
        ConcurrentHashMap<String, LongAdder[]> byServer = counts.get(group);
        if (byServer == null) {
            byServer = counts.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        }
        LongAdder[] adders = byServer.get(server);
        if (adders == null) {
            adders = byServer.computeIfAbsent(server, s -> newAdders());
        }
        return adders[reason.ordinal()];
    }

    private static LongAdder[] newAdders() {
        LongAdder[] a = new LongAdder[RouteReason.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** How many decisions had these labels so far. */
    public long count(Key key) {
        ConcurrentHashMap<String, LongAdder[]> byServer = counts.get(key.group());
        LongAdder[] adders = byServer == null ? null : byServer.get(key.server());
        return adders == null ? 0 : adders[key.reason().ordinal()].sum();
    }

    /** What {@link #forEach} passes each label set to. */
    @FunctionalInterface
    public interface CountConsumer {
        void accept(String group, String server, RouteReason reason, long count);
    }

    /**
     * Every label set seen so far with its count (0 for reasons of a seen group and server not counted yet), in no
     * particular order; for the metrics endpoint, from any thread.
     */
    public void forEach(CountConsumer consumer) {
        counts.forEach((group, byServer) -> byServer.forEach((server, adders) -> {
            for (RouteReason r : RouteReason.values()) {
                consumer.accept(group, server, r, adders[r.ordinal()].sum());
            }
        }));
    }

    /** Every label set counted at least once, with its count, sorted by labels. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((group, byServer) -> byServer.forEach((server, adders) -> {
            for (RouteReason r : RouteReason.values()) {
                long n = adders[r.ordinal()].sum();
                if (n > 0) {
                    out.put(new Key(group, server, r).toString(), n);
                }
            }
        }));
        return out;
    }
}
