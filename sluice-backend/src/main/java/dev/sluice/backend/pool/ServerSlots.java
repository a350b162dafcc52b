package dev.sluice.backend.pool;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections Sluice may hold to one server, across all the pools of that server: at most {@code
 * pool.max-server-connections}, or by default the server's own {@code @@max_connections} (learned at each
 * connection's set-up) minus {@code pool.reserved-connections}, so that Sluice's own control connections (KILL
 * QUERY, health checks) still get in. Unknown until the first connection is set up: until then only the server
 * limits.
 *
 * <p>Idle connections give way: a pool that needs a connection while the server is at its limit has one idle
 * connection of another pool closed to make room; a connection coming back while another pool of the server
 * has a waiting client is closed instead of idling, and its slot goes to that client; and when the server says
 * it is full (ERR 1040 to a login or to a health check), every idle connection of the server is closed, since
 * they hold slots others need (the server's own administrators included).
 *
 * <p>Thread-safe without locks of its own: counters are atomic and the pools it calls take their own monitors,
 * never while a caller holds one (callers call in from outside their monitors).
 */
public final class ServerSlots {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSlots.class);

    private final String server;
    private final java.util.function.Supplier<PoolSettings> settings;
    private final AtomicInteger open = new AtomicInteger();
    private volatile int learnedMaxConnections = -1;
    private volatile long learnedMaxPreparedStatements = -1;
    private final List<ServerPool> pools = new CopyOnWriteArrayList<>();

    public ServerSlots(String server, PoolSettings settings) {
        this(server, () -> settings);
    }

    /** With settings read at each use ({@link Pools#reconfigure}). */
    public ServerSlots(String server, java.util.function.Supplier<PoolSettings> settings) {
        this.server = server;
        this.settings = settings;
    }

    void register(ServerPool pool) {
        pools.add(pool);
    }

    void unregister(ServerPool pool) {
        pools.remove(pool);
    }

    List<ServerPool> pools() {
        return pools;
    }

    /** The server's {@code @@max_connections}, as a set-up query read it. */
    void learnMaxConnections(int maxConnections) {
        if (maxConnections > 0 && maxConnections != learnedMaxConnections) {
            learnedMaxConnections = maxConnections;
            LOG.info(
                    "server {}: max_connections {}; Sluice opens at most {} connections to it",
                    server,
                    maxConnections,
                    limit());
        }
    }

    /** The server's {@code @@max_prepared_stmt_count}, as a set-up query read it. */
    void learnMaxPreparedStatements(long maxPreparedStatements) {
        if (maxPreparedStatements > 0) {
            learnedMaxPreparedStatements = maxPreparedStatements;
        }
    }

    /** The server's {@code @@max_prepared_stmt_count}, or -1 before a connection learned it. */
    public long learnedMaxPreparedStatements() {
        return learnedMaxPreparedStatements;
    }

    /** The server's {@code @@max_connections}, or -1 before a connection learned it. */
    public int learnedMaxConnections() {
        return learnedMaxConnections;
    }

    /** Connections Sluice may hold to this server (Integer.MAX_VALUE while unknown and not configured). */
    public int limit() {
        if (settings.get().maxServerConnections() > 0) {
            return settings.get().maxServerConnections();
        }
        int learned = learnedMaxConnections;
        return learned > 0 ? Math.max(1, learned - settings.get().reservedConnections()) : Integer.MAX_VALUE;
    }

    /** Connections open or being opened to this server, all pools. */
    public int open() {
        return open.get();
    }

    /** Takes a slot for a connection about to be opened; false at the limit. */
    boolean tryTake() {
        int limit = limit();
        for (int n = open.get(); n < limit; n = open.get()) {
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives a slot back without handing it on (the caller uses it itself or has no one to give it to). */
    void untake() {
        open.decrementAndGet();
    }

    /** A connection closed: its slot goes to a waiting client, {@code first}'s before other pools'. */
    void give(ServerPool first) {
        open.decrementAndGet();
        if (first != null && first.serveWaiters()) {
            return;
        }
        for (ServerPool p : pools) {
            if (p != first && p.serveWaiters()) {
                return;
            }
        }
    }

    /** Closes one idle connection of another pool of this server; true when one was closed. */
    boolean makeRoom(ServerPool requester) {
        for (ServerPool p : pools) {
            if (p != requester && p.yieldIdle(1) > 0) {
                return true;
            }
        }
        return false;
    }

    /** A client of another pool of this server waits for a slot. */
    boolean othersWaiting(ServerPool except) {
        for (ServerPool p : pools) {
            if (p != except && p.waitingCount() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The server refused a connection as full (ERR 1040): every idle connection of it gives way. Returns how
     * many were closed.
     */
    public int serverFull(String source) {
        int closed = 0;
        for (ServerPool p : pools) {
            closed += p.yieldIdle(Integer.MAX_VALUE);
        }
        if (closed > 0) {
            LOG.warn(
                    "server {} is full (too many connections, seen by {}); closed {} idle pooled connections to make"
                            + " room; Sluice holds {} connections to it",
                    server,
                    source,
                    closed,
                    open());
        }
        return closed;
    }
}
