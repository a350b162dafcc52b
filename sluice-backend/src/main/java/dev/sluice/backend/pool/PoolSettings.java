package dev.sluice.backend.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the pools of server connections.
 *
 * @param maxSize connections open at most in one pool (leased + idle + being set up or reset); 0: no limit of
 *     its own, only the server's ({@code maxServerConnections})
 * @param minIdle idle connections kept ready; 0 opens connections only on demand
 * @param idleTimeout an idle connection older than this is closed (also capped below the server's wait_timeout)
 * @param maxLifetime a connection older than this is retired when it comes back or while idle
 * @param acquireTimeout how long a client waits for a connection when the pool or the server is at its limit
 * @param healthCheckInterval how often each server is checked (TCP connect and greeting)
 * @param resetTimeout the deadline of a pooled connection's reset (when it comes back, and when it is leased
 *     again after idling); a connection that misses it is discarded
 * @param maxServerConnections connections open at most to one server across all its pools; 0: the server's
 *     own {@code @@max_connections} (learned at set-up) minus {@code reservedConnections}
 * @param mode how long a client session holds a server connection: per transaction (the default) or for its life
 * @param reservedConnections server connections left free for Sluice's own control connections (KILL QUERY,
 *     health checks) when the limit is learned from the server
 */
public record PoolSettings(
        int maxSize,
        int minIdle,
        Duration idleTimeout,
        Duration maxLifetime,
        Duration acquireTimeout,
        Duration healthCheckInterval,
        Duration resetTimeout,
        int maxServerConnections,
        int reservedConnections,
        PoolMode mode) {
    public static final Duration DEFAULT_RESET_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_RESERVED = 2;

    public PoolSettings {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
        Objects.requireNonNull(resetTimeout, "resetTimeout");
        Objects.requireNonNull(mode, "mode");
        if (maxSize < 0) {
            throw new IllegalArgumentException("pool.max-size: " + maxSize + " (expected: >= 1, or 0 for none)");
        }
        if (minIdle < 0 || (maxSize > 0 && minIdle > maxSize)) {
            throw new IllegalArgumentException("pool.min-idle: " + minIdle + " (expected: 0.." + maxSize + ")");
        }
        if (maxServerConnections < 0 || reservedConnections < 0) {
            throw new IllegalArgumentException(
                    "pool.max-server-connections and pool.reserved-connections must be >= 0");
        }
    }

    /** In transaction mode (the default). */
    public PoolSettings(
            int maxSize,
            int minIdle,
            Duration idleTimeout,
            Duration maxLifetime,
            Duration acquireTimeout,
            Duration healthCheckInterval,
            Duration resetTimeout,
            int maxServerConnections,
            int reservedConnections) {
        this(
                maxSize,
                minIdle,
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                healthCheckInterval,
                resetTimeout,
                maxServerConnections,
                reservedConnections,
                PoolMode.TRANSACTION);
    }

    /** The same limits in another mode. */
    public PoolSettings withMode(PoolMode newMode) {
        return new PoolSettings(
                maxSize,
                minIdle,
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                healthCheckInterval,
                resetTimeout,
                maxServerConnections,
                reservedConnections,
                newMode);
    }

    /** The limits of before the server-wide ones: reset-timeout 5 s, the server's limit learned, reserve 2. */
    public PoolSettings(
            int maxSize,
            int minIdle,
            Duration idleTimeout,
            Duration maxLifetime,
            Duration acquireTimeout,
            Duration healthCheckInterval) {
        this(
                maxSize,
                minIdle,
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                healthCheckInterval,
                DEFAULT_RESET_TIMEOUT,
                0,
                DEFAULT_RESERVED);
    }

    public static PoolSettings defaults() {
        return new PoolSettings(
                0, 0, Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    /** Whether one pool may open one more connection, {@code open} being its count (the server's limit aside). */
    boolean poolAllows(int open) {
        return maxSize == 0 || open < maxSize;
    }
}
