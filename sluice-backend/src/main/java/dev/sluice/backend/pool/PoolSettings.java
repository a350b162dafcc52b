package dev.sluice.backend.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the pools of server connections. Build them with {@link #builder()} (or {@link #toBuilder()} from
 * other settings); the record's canonical constructor takes every component, in the order below.
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

    /** The defaults (what an empty {@code pool:} section means), to change with {@link #toBuilder()}. */
    public static PoolSettings defaults() {
        return builder().build();
    }

    /**
     * Settings built from the defaults: max-size none, min-idle 0, idle-timeout 10 min, max-lifetime 30 min,
     * acquire-timeout 5 s, health-check-interval 2 s, reset-timeout 5 s, the server's limit learned, 2 reserved,
     * transaction mode.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .maxSize(maxSize)
                .minIdle(minIdle)
                .idleTimeout(idleTimeout)
                .maxLifetime(maxLifetime)
                .acquireTimeout(acquireTimeout)
                .healthCheckInterval(healthCheckInterval)
                .resetTimeout(resetTimeout)
                .maxServerConnections(maxServerConnections)
                .reservedConnections(reservedConnections)
                .mode(mode);
    }

    /** The same limits in another mode. */
    public PoolSettings withMode(PoolMode newMode) {
        return toBuilder().mode(newMode).build();
    }

    /** Builds {@link PoolSettings}; each setter is named after the record component it sets (see there). */
    public static final class Builder {
        private int maxSize;
        private int minIdle;
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration maxLifetime = Duration.ofMinutes(30);
        private Duration acquireTimeout = Duration.ofSeconds(5);
        private Duration healthCheckInterval = Duration.ofSeconds(2);
        private Duration resetTimeout = DEFAULT_RESET_TIMEOUT;
        private int maxServerConnections;
        private int reservedConnections = DEFAULT_RESERVED;
        private PoolMode mode = PoolMode.TRANSACTION;

        private Builder() {}

        public Builder maxSize(int value) {
            maxSize = value;
            return this;
        }

        public Builder minIdle(int value) {
            minIdle = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder maxLifetime(Duration value) {
            maxLifetime = value;
            return this;
        }

        public Builder acquireTimeout(Duration value) {
            acquireTimeout = value;
            return this;
        }

        public Builder healthCheckInterval(Duration value) {
            healthCheckInterval = value;
            return this;
        }

        public Builder resetTimeout(Duration value) {
            resetTimeout = value;
            return this;
        }

        public Builder maxServerConnections(int value) {
            maxServerConnections = value;
            return this;
        }

        public Builder reservedConnections(int value) {
            reservedConnections = value;
            return this;
        }

        public Builder mode(PoolMode value) {
            mode = value;
            return this;
        }

        /** The settings; throws IllegalArgumentException (naming the key) for a value out of range. */
        public PoolSettings build() {
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
                    mode);
        }
    }

    /** Whether one pool may open one more connection, {@code open} being its count (the server's limit aside). */
    boolean poolAllows(int open) {
        return maxSize == 0 || open < maxSize;
    }
}
