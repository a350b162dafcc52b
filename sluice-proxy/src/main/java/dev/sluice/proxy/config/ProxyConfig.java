package dev.sluice.proxy.config;

import dev.sluice.backend.pool.PoolSettings;
import java.util.List;
import java.util.Objects;

/**
 * Everything the proxy runs with, already validated: where it listens, which servers are behind it, which
 * users may log in, TLS towards clients, deadlines and limits. Built by the application from the YAML file,
 * command-line flags and {@code --set} overrides (see docs/CONFIGURATION.md); the proxy never reads files.
 *
 * @param localInfile whether LOAD DATA LOCAL INFILE is relayed (off by default: a client then gets an ERR)
 * @param pool server connection pools and health checks
 */
public record ProxyConfig(
        List<ListenerConfig> listeners,
        List<ServerConfig> servers,
        List<UserConfig> users,
        ClientTlsConfig clientTls,
        Timeouts timeouts,
        Limits limits,
        boolean localInfile,
        PoolSettings pool) {

    /** With the default pool settings. */
    public ProxyConfig(List<ListenerConfig> listeners, List<ServerConfig> servers, List<UserConfig> users,
            ClientTlsConfig clientTls, Timeouts timeouts, Limits limits, boolean localInfile) {
        this(listeners, servers, users, clientTls, timeouts, limits, localInfile, PoolSettings.defaults());
    }

    public ProxyConfig {
        Objects.requireNonNull(pool, "pool");
        listeners = List.copyOf(listeners);
        servers = List.copyOf(servers);
        users = List.copyOf(users);
        Objects.requireNonNull(clientTls, "clientTls");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("listeners: at least one is required");
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("servers: at least one is required");
        }
    }

    /** The user configured under this name, or null. */
    public UserConfig user(String name) {
        for (UserConfig u : users) {
            if (u.name().equals(name)) {
                return u;
            }
        }
        return null;
    }
}
