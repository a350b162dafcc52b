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
 * @param clientAuthPlugin the authentication plugin the greeting announces to clients; clients answering with
 *     the other one are switched (both are accepted either way)
 * @param instanceId this instance's number (0..255) in its connection ids, so that several Sluice instances in
 *     front of the same servers never hand out the same id
 */
public record ProxyConfig(
        List<ListenerConfig> listeners,
        List<ServerConfig> servers,
        List<UserConfig> users,
        ClientTlsConfig clientTls,
        Timeouts timeouts,
        Limits limits,
        boolean localInfile,
        PoolSettings pool,
        String clientAuthPlugin,
        int instanceId) {

    public static final String NATIVE_PASSWORD = "mysql_native_password";
    public static final String CACHING_SHA2_PASSWORD = "caching_sha2_password";

    /** With the default pool settings and mysql_native_password announced to clients. */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile) {
        this(listeners, servers, users, clientTls, timeouts, limits, localInfile, PoolSettings.defaults());
    }

    /** With mysql_native_password announced to clients. */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile,
            PoolSettings pool) {
        this(listeners, servers, users, clientTls, timeouts, limits, localInfile, pool, NATIVE_PASSWORD);
    }

    /** As instance 0. */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile,
            PoolSettings pool,
            String clientAuthPlugin) {
        this(listeners, servers, users, clientTls, timeouts, limits, localInfile, pool, clientAuthPlugin, 0);
    }

    public ProxyConfig {
        Objects.requireNonNull(pool, "pool");
        if (!NATIVE_PASSWORD.equals(clientAuthPlugin) && !CACHING_SHA2_PASSWORD.equals(clientAuthPlugin)) {
            throw new IllegalArgumentException("client-auth-plugin: '" + clientAuthPlugin + "' (expected: "
                    + NATIVE_PASSWORD + " or " + CACHING_SHA2_PASSWORD + ")");
        }
        if (instanceId < 0 || instanceId > 255) {
            throw new IllegalArgumentException("instance-id: " + instanceId + " (expected: 0..255)");
        }
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
