package dev.sluice.backend.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of one pool of server connections (per server and user).
 *
 * @param maxSize connections open at most (leased + idle + being set up or reset)
 * @param minIdle idle connections kept ready; 0 opens connections only on demand
 * @param idleTimeout an idle connection older than this is closed (also capped below the server's wait_timeout)
 * @param maxLifetime a connection older than this is retired when it comes back or while idle
 * @param acquireTimeout how long a client waits for a connection when the pool is at maxSize
 * @param healthCheckInterval how often each server is checked (TCP connect and greeting)
 */
public record PoolSettings(int maxSize, int minIdle, Duration idleTimeout, Duration maxLifetime, Duration acquireTimeout,
        Duration healthCheckInterval) {
    public PoolSettings {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
        if (maxSize < 1) {
            throw new IllegalArgumentException("pool.max-size: " + maxSize + " (expected: >= 1)");
        }
        if (minIdle < 0 || minIdle > maxSize) {
            throw new IllegalArgumentException("pool.min-idle: " + minIdle + " (expected: 0.." + maxSize + ")");
        }
    }

    public static PoolSettings defaults() {
        return new PoolSettings(100, 0, Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofSeconds(5),
                Duration.ofSeconds(2));
    }
}
