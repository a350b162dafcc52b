package dev.sluice.proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Accounts loaded from the servers ({@code users-from-server}, see docs/USERS.md): clients may log in as any
 * mysql_native_password account of the servers that Sluice's {@code users} do not name.
 *
 * @param user the service account that reads the accounts (SELECT on mysql.global_priv, or mysql.user)
 * @param password its password; never logged nor printed
 * @param refreshInterval how often the accounts are read again
 * @param minRefreshInterval the least time between two loads, whatever asked for them (a login as an unknown
 *     user asks for one)
 */
public record UsersFromServerConfig(
        String user, String password, Duration refreshInterval, Duration minRefreshInterval) {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(1);

    public UsersFromServerConfig {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("users-from-server.refresh-interval: must be more than 0");
        }
        if (minRefreshInterval.isNegative() || minRefreshInterval.compareTo(refreshInterval) > 0) {
            throw new IllegalArgumentException(
                    "users-from-server.min-refresh-interval: must be 0 or more and at most refresh-interval");
        }
    }

    public static UsersFromServerConfig of(String user, String password) {
        return new UsersFromServerConfig(user, password, DEFAULT_REFRESH_INTERVAL, DEFAULT_MIN_REFRESH_INTERVAL);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "UsersFromServerConfig[user=" + user + ", refreshInterval=" + refreshInterval + ", minRefreshInterval="
                + minRefreshInterval + "]";
    }
}
