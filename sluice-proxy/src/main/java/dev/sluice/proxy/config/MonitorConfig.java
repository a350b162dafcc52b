package dev.sluice.proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How Sluice learns the servers' roles: the account its topology monitor logs in with (it needs {@code SLAVE
 * MONITOR} or {@code REPLICATION CLIENT} for {@code SHOW SLAVE STATUS}, nothing else), how often each server is
 * polled, and the deadline of one poll (connect, login and the queries together). Required whenever more than one
 * server can take statements: reader groups, or a writer group of several servers.
 */
public record MonitorConfig(String user, String password, Duration interval, Duration timeout) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public MonitorConfig {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("monitor: interval and timeout must be more than 0");
        }
    }

    public static MonitorConfig of(String user, String password) {
        return new MonitorConfig(user, password, DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
    }
}
