package dev.sluice.proxy.config;

import dev.sluice.backend.pool.PoolSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the proxy runs with, already validated: where it listens, which servers are behind it, which
 * users may log in, TLS towards clients, deadlines and limits. Built by the application from the YAML file,
 * command-line flags and {@code --set} overrides (see docs/CONFIGURATION.md); the proxy never reads files.
 *
 * @param localInfile whether LOAD DATA LOCAL INFILE is relayed (off by default: a client then gets an ERR)
 * @param pool server connection pools and health checks
 * @param clientAuthPlugin the authentication plugin clients log in with: mysql_native_password or
 *     caching_sha2_password, announced in the greeting (clients answering with the other one are switched; both are
 *     accepted either way), or client_ed25519 (the greeting names mysql_native_password, clients are switched)
 * @param instanceId this instance's number (0..255) in its connection ids, so that several Sluice instances in
 *     front of the same servers never hand out the same id
 * @param groups the server groups; null for the {@linkplain ServerGroups#implicit implicit} ones (a writer group
 *     with the first server). Every server a group names and every group a user names exists.
 * @param monitor the topology monitor's account and pace; null for none (then the writer group's first server is
 *     the writer and nothing else takes statements). Required with reader groups or a writer group of several
 *     servers: roles and lag come from the servers themselves.
 * @param routing the read/write split, causal reads, the failover buffer and routing rules
 * @param http the HTTP listener for metrics and health checks; null for none (the default)
 * @param stats statement statistics: digests and the slow query log (null: the defaults)
 * @param admin the admin interface (MySQL protocol, for operators); null for none (the default)
 * @param usersFromServer accounts loaded from the servers for clients not among {@code users}; null for none (the
 *     default)
 * @param capture session captures (docs/CAPTURES.md); null for none (the default)
 * @param hostile a listener that plays the adversary for driver authors (docs/HOSTILE.md); null for none (the
 *     default)
 * @param validate the strict protocol validator's mode (null: the default, observe)
 * @param compression the compressed protocol towards clients and towards servers (null: the defaults)
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
        int instanceId,
        ServerGroups groups,
        MonitorConfig monitor,
        RoutingConfig routing,
        HttpConfig http,
        StatsConfig stats,
        AdminConfig admin,
        UsersFromServerConfig usersFromServer,
        CaptureConfig capture,
        HostileConfig hostile,
        ValidateConfig validate,
        CompressionConfig compression) {

    public static final String NATIVE_PASSWORD = "mysql_native_password";
    public static final String CACHING_SHA2_PASSWORD = "caching_sha2_password";
    /** MariaDB's ed25519 (clients are switched to it; the greeting names mysql_native_password). */
    public static final String CLIENT_ED25519 = "client_ed25519";

    /** The problem of groups that {@linkplain #needsMonitor need a monitor} without one (the YAML reader's too). */
    public static final String MONITOR_REQUIRED = "monitor: required with reader groups or a writer group of several"
            + " servers (give monitor.user and monitor.password: an account with SLAVE MONITOR)";

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

    /** With the implicit server groups (every session uses the first server). */
    public ProxyConfig(
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
        this(
                listeners,
                servers,
                users,
                clientTls,
                timeouts,
                limits,
                localInfile,
                pool,
                clientAuthPlugin,
                instanceId,
                null);
    }

    /** Without a topology monitor and with the default routing. */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile,
            PoolSettings pool,
            String clientAuthPlugin,
            int instanceId,
            ServerGroups groups) {
        this(
                listeners,
                servers,
                users,
                clientTls,
                timeouts,
                limits,
                localInfile,
                pool,
                clientAuthPlugin,
                instanceId,
                groups,
                null,
                RoutingConfig.defaults());
    }

    /** Without the HTTP listener. */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile,
            PoolSettings pool,
            String clientAuthPlugin,
            int instanceId,
            ServerGroups groups,
            MonitorConfig monitor,
            RoutingConfig routing) {
        this(
                listeners,
                servers,
                users,
                clientTls,
                timeouts,
                limits,
                localInfile,
                pool,
                clientAuthPlugin,
                instanceId,
                groups,
                monitor,
                routing,
                null);
    }

    /** With the default statement statistics, no admin interface and no accounts from the servers. */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile,
            PoolSettings pool,
            String clientAuthPlugin,
            int instanceId,
            ServerGroups groups,
            MonitorConfig monitor,
            RoutingConfig routing,
            HttpConfig http) {
        this(
                listeners,
                servers,
                users,
                clientTls,
                timeouts,
                limits,
                localInfile,
                pool,
                clientAuthPlugin,
                instanceId,
                groups,
                monitor,
                routing,
                http,
                StatsConfig.defaults(),
                null,
                null);
    }

    /**
     * Without session captures or a hostile listener, with the protocol validator observing and compression as by
     * default.
     */
    public ProxyConfig(
            List<ListenerConfig> listeners,
            List<ServerConfig> servers,
            List<UserConfig> users,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile,
            PoolSettings pool,
            String clientAuthPlugin,
            int instanceId,
            ServerGroups groups,
            MonitorConfig monitor,
            RoutingConfig routing,
            HttpConfig http,
            StatsConfig stats,
            AdminConfig admin,
            UsersFromServerConfig usersFromServer) {
        this(
                listeners,
                servers,
                users,
                clientTls,
                timeouts,
                limits,
                localInfile,
                pool,
                clientAuthPlugin,
                instanceId,
                groups,
                monitor,
                routing,
                http,
                stats,
                admin,
                usersFromServer,
                null,
                null,
                ValidateConfig.defaults(),
                CompressionConfig.defaults());
    }

    /** This configuration with this validator mode. */
    public ProxyConfig withValidate(ValidateConfig newValidate) {
        return new Copy(this).validate(newValidate).build();
    }

    /** This configuration with these compression settings (null: the defaults). */
    public ProxyConfig withCompression(CompressionConfig newCompression) {
        return new Copy(this).compression(newCompression).build();
    }

    /** This configuration with other server groups, monitor and routing (tests build it this way). */
    public ProxyConfig withRouting(ServerGroups newGroups, MonitorConfig newMonitor, RoutingConfig newRouting) {
        return new Copy(this)
                .groups(newGroups)
                .monitor(newMonitor)
                .routing(newRouting)
                .build();
    }

    /** This configuration with this HTTP listener (null: none). */
    public ProxyConfig withHttp(HttpConfig newHttp) {
        return new Copy(this).http(newHttp).build();
    }

    /** This configuration with these statement statistics settings. */
    public ProxyConfig withStats(StatsConfig newStats) {
        return new Copy(this).stats(newStats).build();
    }

    /** This configuration with this admin interface (null: none). */
    public ProxyConfig withAdmin(AdminConfig newAdmin) {
        return new Copy(this).admin(newAdmin).build();
    }

    /** This configuration with accounts loaded from the servers (null: none). */
    public ProxyConfig withUsersFromServer(UsersFromServerConfig newUsersFromServer) {
        return new Copy(this).usersFromServer(newUsersFromServer).build();
    }

    /** This configuration with these session captures (null: none). */
    public ProxyConfig withCapture(CaptureConfig newCapture) {
        return new Copy(this).capture(newCapture).build();
    }

    /** This configuration with this hostile listener (null: none; docs/HOSTILE.md). */
    public ProxyConfig withHostile(HostileConfig newHostile) {
        return new Copy(this).hostile(newHostile).build();
    }

    /** A configuration like another with some parts replaced: what the {@code with...} methods build. */
    private static final class Copy {
        private final ProxyConfig from;
        private ServerGroups groups;
        private MonitorConfig monitor;
        private RoutingConfig routing;
        private HttpConfig http;
        private StatsConfig stats;
        private AdminConfig admin;
        private UsersFromServerConfig usersFromServer;
        private CaptureConfig capture;
        private HostileConfig hostile;
        private ValidateConfig validate;
        private CompressionConfig compression;

        Copy(ProxyConfig from) {
            this.from = from;
            this.groups = from.groups;
            this.monitor = from.monitor;
            this.routing = from.routing;
            this.http = from.http;
            this.stats = from.stats;
            this.admin = from.admin;
            this.usersFromServer = from.usersFromServer;
            this.capture = from.capture;
            this.hostile = from.hostile;
            this.validate = from.validate;
            this.compression = from.compression;
        }

        Copy validate(ValidateConfig value) {
            validate = value;
            return this;
        }

        Copy compression(CompressionConfig value) {
            compression = value;
            return this;
        }

        Copy groups(ServerGroups value) {
            groups = value;
            return this;
        }

        Copy monitor(MonitorConfig value) {
            monitor = value;
            return this;
        }

        Copy routing(RoutingConfig value) {
            routing = value;
            return this;
        }

        Copy http(HttpConfig value) {
            http = value;
            return this;
        }

        Copy stats(StatsConfig value) {
            stats = value;
            return this;
        }

        Copy admin(AdminConfig value) {
            admin = value;
            return this;
        }

        Copy usersFromServer(UsersFromServerConfig value) {
            usersFromServer = value;
            return this;
        }

        Copy capture(CaptureConfig value) {
            capture = value;
            return this;
        }

        Copy hostile(HostileConfig value) {
            hostile = value;
            return this;
        }

        ProxyConfig build() {
            return new ProxyConfig(
                    from.listeners,
                    from.servers,
                    from.users,
                    from.clientTls,
                    from.timeouts,
                    from.limits,
                    from.localInfile,
                    from.pool,
                    from.clientAuthPlugin,
                    from.instanceId,
                    groups,
                    monitor,
                    routing,
                    http,
                    stats,
                    admin,
                    usersFromServer,
                    capture,
                    hostile,
                    validate,
                    compression);
        }
    }

    /**
     * Whether these groups need a {@link MonitorConfig}: with reader groups, or a writer group of several
     * servers, more than one server may take statements.
     */
    public static boolean needsMonitor(ServerGroups groups) {
        return !groups.readers().isEmpty() || groups.writer().servers().size() > 1;
    }

    /** True when the servers' roles come from a topology monitor (more than one server may take statements). */
    public boolean monitored() {
        return monitor != null;
    }

    public ProxyConfig {
        Objects.requireNonNull(pool, "pool");
        if (!NATIVE_PASSWORD.equals(clientAuthPlugin)
                && !CACHING_SHA2_PASSWORD.equals(clientAuthPlugin)
                && !CLIENT_ED25519.equals(clientAuthPlugin)) {
            throw new IllegalArgumentException("client-auth-plugin: '" + clientAuthPlugin + "' (expected: "
                    + NATIVE_PASSWORD + ", " + CACHING_SHA2_PASSWORD + " or " + CLIENT_ED25519 + ")");
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
        if (groups == null) {
            groups = ServerGroups.implicit(servers.get(0));
        }
        Objects.requireNonNull(routing, "routing");
        if (stats == null) {
            stats = StatsConfig.defaults();
        }
        if (validate == null) {
            validate = ValidateConfig.defaults();
        }
        if (compression == null) {
            compression = CompressionConfig.defaults();
        }
        checkGroups(servers, users, groups);
        checkRouting(groups, monitor, routing);
    }

    /**
     * Roles and lag must come from the servers as soon as more than one server may take statements: a guessed
     * writer could take writes a replica then overwrites, and a replica of unknown lag could serve stale reads.
     */
    private static void checkRouting(ServerGroups groups, MonitorConfig monitor, RoutingConfig routing) {
        if (monitor == null && needsMonitor(groups)) {
            throw new IllegalArgumentException(MONITOR_REQUIRED);
        }
        for (RoutingRule rule : routing.rules()) {
            if (groups.named(rule.group()) == null) {
                throw new IllegalArgumentException("routing.rules: no group named '" + rule.group() + "'");
            }
        }
    }

    private static void checkGroups(List<ServerConfig> servers, List<UserConfig> users, ServerGroups groups) {
        Set<String> serverNames = new HashSet<>();
        servers.forEach(s -> serverNames.add(s.name()));
        for (ServerGroup g : groups.groups()) {
            for (String s : g.servers()) {
                if (!serverNames.contains(s)) {
                    throw new IllegalArgumentException("group '" + g.name() + "': no server named '" + s + "'");
                }
            }
        }
        for (UserConfig u : users) {
            List<String> named = new ArrayList<>(u.schemaGroups().values());
            if (u.defaultGroup() != null) {
                named.add(u.defaultGroup());
            }
            for (String g : named) {
                if (groups.named(g) == null) {
                    throw new IllegalArgumentException("user '" + u.name() + "': no group named '" + g + "'");
                }
            }
        }
    }

    /** The server configured under this name, or null. */
    public ServerConfig server(String name) {
        for (ServerConfig s : servers) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The first server of the writer group: the writer when there is no monitor (without configured groups, the
     * first server), and the greeting probe's target before the monitor found a writer.
     */
    public ServerConfig writerServer() {
        return server(groups.writer().servers().get(0));
    }

    /** The group a user's statements go to: its {@code default-group}, else the writer group. */
    public ServerGroup defaultGroup(UserConfig user) {
        return user.defaultGroup() == null ? groups.writer() : groups.named(user.defaultGroup());
    }

    /**
     * The group for a user in a default schema (null for none): the user's group for that schema, else its
     * {@linkplain #defaultGroup default group}.
     */
    public ServerGroup group(UserConfig user, String schema) {
        String bySchema = schema == null ? null : user.schemaGroups().get(schema);
        return bySchema == null ? defaultGroup(user) : groups.named(bySchema);
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
