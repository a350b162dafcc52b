package dev.sluice.backend.pool;

import dev.sluice.backend.BenchServerConnections;
import dev.sluice.backend.ConnectOptions;
import io.netty.channel.Channel;

/**
 * For the JMH benchmarks of the pool: a {@link ServerPool} without a server, filled with connections over channels
 * the benchmark made ({@link ServerPool#adopt}). In sluice-backend's package for the same reason as {@link
 * BenchServerConnections}.
 */
public final class BenchPools {
    private BenchPools() {}

    /** A pool that opens nothing itself: leases are served by the connections {@link #add}ed. */
    public static ServerPool pool(PoolSettings settings) {
        return new ServerPool(
                "bench",
                ConnectOptions.builder("127.0.0.1", 9).user("bench", "bench").build(),
                null,
                settings,
                new PoolStats(),
                null,
                new ServerSlots("bench", settings),
                () -> null);
    }

    /** A connection over {@code channel} (on its event loop), idle in {@code pool}: what a lease on that loop gets. */
    public static PooledConnection add(ServerPool pool, Channel channel) {
        PooledConnection c = pool.adopt(BenchServerConnections.over(channel));
        pool.giveBackAsIs(c);
        return c;
    }
}
