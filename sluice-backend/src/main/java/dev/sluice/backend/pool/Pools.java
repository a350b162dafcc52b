package dev.sluice.backend.pool;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnector;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every pool of the process, keyed by what makes server connections interchangeable: the server, the user
 * Sluice logs in as, the capabilities negotiated (they change the shape of responses, e.g. FOUND_ROWS or
 * DEPRECATE_EOF), the character set and the default database. Holds one {@link HealthMonitor} and one
 * {@link PoolStats} per server, and runs the pools' maintenance.
 */
public final class Pools implements AutoCloseable {
    /** What makes two server connections interchangeable. */
    public record Key(String server, String user, long capabilities, int collationId, String database) {}

    /** How long a pool stays in the map with no connection and no waiting client. */
    private static final long EMPTY_POOL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerConnector connector;
    private volatile PoolSettings settings;
    private final Map<Key, ServerPool> pools = new ConcurrentHashMap<>();
    private final Map<String, PoolStats> stats = new ConcurrentHashMap<>();
    private final Map<String, HealthMonitor> health = new ConcurrentHashMap<>();
    private final Map<String, ServerSlots> slots = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> maintenance;

    public Pools(ServerConnector connector, PoolSettings settings) {
        this.connector = connector;
        this.settings = settings;
        this.maintenance = connector.group().next().scheduleWithFixedDelay(this::maintain, 1, 1, TimeUnit.SECONDS);
    }

    /** Registers a server's health check (started at once) before any pool for it is used. */
    public HealthMonitor monitor(String server, String host, int port, Duration connectTimeout) {
        return health.computeIfAbsent(server, s -> {
            HealthMonitor m =
                    new HealthMonitor(s, host, port, connector, settings.healthCheckInterval(), connectTimeout);
            ServerSlots serverSlots = slots(s);
            m.onFull(() -> serverSlots.serverFull("the health check"));
            m.start();
            return m;
        });
    }

    /** A server removed by a reload: its health check stops (its pools stay until their connections are gone). */
    public void stopMonitoring(String server) {
        HealthMonitor m = health.remove(server);
        if (m != null) {
            m.close();
        }
    }

    /** The pool for {@code key}; a new one when there is none, or when the one there was just retired. */
    public ServerPool pool(Key key, Supplier<ConnectOptions> options) {
        ServerPool pool = pools.get(key);
        if (pool != null && !pool.isRetired()) {
            return pool;
        }
        return pools.compute(
                key,
                (k, existing) -> existing != null && !existing.isRetired()
                        ? existing
                        : new ServerPool(
                                k.server() + " as " + k.user(),
                                options.get(),
                                connector,
                                this::settings,
                                stats(k.server()),
                                health.get(k.server()),
                                slots(k.server()),
                                () -> pool(key, options)));
    }

    /**
     * Pool maintenance, every second: each pool closes what idled too long and warms up to min-idle; a pool
     * with no connection and no waiting client for a whole period is removed (pools are keyed by what clients
     * asked for, database included, so a client choosing random databases must not grow the map for ever).
     */
    private void maintain() {
        long now = System.nanoTime();
        pools.forEach((key, pool) -> {
            pool.maintain();
            if (pool.retireIfEmpty(now, EMPTY_POOL_GRACE_NANOS)) {
                pools.remove(key, pool);
            }
        });
    }

    /** Every pool in the map now, with its key (for the admin interface). */
    public void forEach(java.util.function.BiConsumer<Key, ServerPool> action) {
        pools.forEach(action);
    }

    /** Pools in the map (for tests and metrics). */
    public int poolCount(String server) {
        return (int)
                pools.keySet().stream().filter(k -> k.server().equals(server)).count();
    }

    /** Server connections open (leased, idle, being opened or reset) across this server's pools. */
    public int openCount(String server) {
        return slots(server).open();
    }

    /** Idle server connections across this server's pools. */
    public int idleCount(String server) {
        return sum(server, ServerPool::idleCount);
    }

    /** Server connections leased to sessions across this server's pools. */
    public int leasedCount(String server) {
        return sum(server, ServerPool::leasedCount);
    }

    /** Clients waiting for a connection across this server's pools. */
    public int waitingCount(String server) {
        return sum(server, ServerPool::waitingCount);
    }

    private int sum(String server, java.util.function.ToIntFunction<ServerPool> count) {
        int n = 0;
        for (Map.Entry<Key, ServerPool> e : pools.entrySet()) {
            if (e.getKey().server().equals(server)) {
                n += count.applyAsInt(e.getValue());
            }
        }
        return n;
    }

    /** The connections Sluice may hold to one server, across its pools. */
    public ServerSlots slots(String server) {
        return slots.computeIfAbsent(server, s -> new ServerSlots(s, this::settings));
    }

    public PoolStats stats(String server) {
        return stats.computeIfAbsent(server, s -> new PoolStats());
    }

    public HealthMonitor health(String server) {
        return health.get(server);
    }

    public PoolSettings settings() {
        return settings;
    }

    /**
     * A configuration reload: sizes, timeouts and limits from now on, for every pool (read at each use). The mode and
     * the health-check interval stay as they were (they change only on restart); connections over a smaller max-size
     * are not closed, they go as they idle out.
     */
    public void reconfigure(PoolSettings next) {
        if (next.mode() != settings.mode()) {
            throw new IllegalArgumentException("pool.mode changes only on restart");
        }
        settings = next;
    }

    @Override
    public void close() {
        maintenance.cancel(false);
        pools.values().forEach(ServerPool::close);
        health.values().forEach(HealthMonitor::close);
    }
}
