package dev.sluice.backend;

import io.netty.channel.Channel;

/**
 * For the JMH benchmarks of the pool: a {@link ServerConnection} over a channel that never logged in (an
 * EmbeddedChannel), which the pool can hold, hand out and take back but which cannot run commands. It sits in
 * sluice-backend's package (a split package inside the benchmark jar, one class loader) to reach the
 * package-private constructor without widening sluice-backend's API for benchmarks.
 */
public final class BenchServerConnections {
    private BenchServerConnections() {}

    public static ServerConnection over(Channel channel) {
        return new ServerConnection(channel, new CommandHandler(null, null));
    }
}
