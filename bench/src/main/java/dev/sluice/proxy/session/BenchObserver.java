package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.ByteBuf;

/** The benchmarks' door to a session's {@link StatementObserver} (package-private in the proxy). */
public final class BenchObserver {
    private final StatementObserver observer;

    public BenchObserver(StatementStats stats) {
        this.observer = new StatementObserver(stats, 1);
    }

    /** What a session does for one COM_QUERY ({@code payload}) answered by one row and its end. */
    public void query(ByteBuf payload) {
        observer.begin(Command.COM_QUERY, payload, "app", "shop", null, false);
        observer.ok(0, 0);
        observer.end(1, "db1", "writer");
    }
}
