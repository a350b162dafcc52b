package dev.sluice.app.config;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.config.CaptureConfig;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.CompressionConfig;
import dev.sluice.proxy.config.HostileConfig;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroups;
import dev.sluice.proxy.config.StatsConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.config.UsersFromServerConfig;
import dev.sluice.proxy.config.ValidateConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@link ConfigNode} tree to a validated {@link SluiceConfig}. Keeps going after a problem (using the default
 * in its place) so that one run reports every problem, each as {@code <where>: <key path>: <what>}, where
 * {@code <where>} is {@code file:line} or the command-line argument the value came from.
 */
final class ConfigBinder {
    static final List<String> TOP_KEYS = List.of(
            "listen",
            "servers",
            "groups",
            "users",
            "tls",
            "connect-timeout",
            "client-handshake-timeout",
            "client-write-timeout",
            "server-read-timeout",
            "client-idle-timeout",
            "shutdown-timeout",
            "max-packet-size",
            "max-client-connections",
            "local-infile",
            "pool",
            "client-auth-plugin",
            "instance-id",
            "monitor",
            "routing",
            "http",
            "digests",
            "slow-query-log",
            "admin",
            "users-from-server",
            "log-level",
            "capture",
            "hostile",
            "validate",
            "compression");
    static final List<String> SERVER_KEYS = Stream.concat(
                    Stream.of("name", "address", "weight"), ServerSecurityReader.KEYS.stream())
            .toList();
    static final List<String> USER_KEYS = List.of(
            "name", "password", "password-hash", "server-user", "server-password", "default-group", "schema-groups");
    static final List<String> TLS_KEYS = List.of("enabled", "certificate", "key", "required");
    static final List<String> POOL_KEYS = List.of(
            "mode",
            "max-size",
            "min-idle",
            "idle-timeout",
            "max-lifetime",
            "acquire-timeout",
            "health-check-interval",
            "reset-timeout",
            "max-server-connections",
            "reserved-connections");
    static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");
    static final long MAX_PACKET_SIZE_LIMIT = 1L << 30;

    private static final Pattern NATIVE_HASH = Pattern.compile("\\*[0-9A-Fa-f]{40}");

    private final ValueReader values = new ValueReader();
    private final GroupsReader groupsReader = new GroupsReader(values);
    private final RoutingReader routingReader = new RoutingReader(values);
    private final HttpReader httpReader = new HttpReader(values);
    private final StatsReader statsReader = new StatsReader(values);
    private final AdminReader adminReader = new AdminReader(values, this::tls);
    private final UsersFromServerReader usersFromServerReader = new UsersFromServerReader(values);
    private final CaptureReader captureReader = new CaptureReader(values);
    private final HostileReader hostileReader = new HostileReader(values);
    private final CompressionReader compressionReader = new CompressionReader(values);
    private final Origin nowhere;
    /** Every entry of servers by name, also those with a problem: what groups may name. */
    private final List<String> serverNames = new ArrayList<>();

    private final List<GroupsReader.WeightKey> weights = new ArrayList<>();
    private final List<GroupsReader.GroupReference> groupReferences = new ArrayList<>();

    private ConfigBinder(Origin rootOrigin) {
        // a missing key has no line: name the file (or "command line") only
        this.nowhere = new Origin(rootOrigin.source(), 0, rootOrigin.baseDir());
    }

    /** {@code argumentProblems}: malformed command-line arguments, reported after the tree's own problems. */
    static SluiceConfig bind(ConfigNode.Mapping root, List<String> argumentProblems) {
        SluiceConfig config;
        try {
            config = new ConfigBinder(root.origin()).bindRoot(root);
        } catch (ConfigException e) {
            List<String> all = new ArrayList<>(e.problems());
            all.addAll(argumentProblems);
            throw new ConfigException(all);
        }
        if (!argumentProblems.isEmpty()) {
            throw new ConfigException(argumentProblems);
        }
        return config;
    }

    private SluiceConfig bindRoot(ConfigNode.Mapping root) {
        values.checkKeys(root, "", TOP_KEYS);
        List<ListenerConfig> listeners = listeners(root.get("listen"));
        List<ServerConfig> servers = servers(root.get("servers"));
        List<UserConfig> users = users(root.get("users"));
        ServerGroups groups = groupsReader.read(root, serverNames);
        MonitorConfig monitor = routingReader.monitor(root.get("monitor"));
        RoutingConfig routing = routingReader.routing(root.get("routing"), groupReferences);
        routingReader.checkMonitor(root, groups, monitor);
        groupsReader.checkReferences(groups, groupReferences);
        groupsReader.checkWeights(groups, weights);
        ClientTlsConfig tls = tls(root.get("tls"), "tls");
        Duration connect = values.duration(root, "connect-timeout", Duration.ofSeconds(10), false);
        Duration handshake = values.duration(root, "client-handshake-timeout", Duration.ofSeconds(10), false);
        Duration write = values.duration(root, "client-write-timeout", Duration.ofSeconds(60), false);
        Duration serverRead = values.duration(root, "server-read-timeout", null, true);
        Duration idle = values.duration(root, "client-idle-timeout", null, true);
        Duration shutdown = values.duration(root, "shutdown-timeout", SluiceConfig.DEFAULT_SHUTDOWN_TIMEOUT, false);
        long maxPacket =
                values.size(root, "max-packet-size", Limits.DEFAULT_MAX_PACKET_SIZE, 1024, MAX_PACKET_SIZE_LIMIT);
        long maxClients = values.integer(root, "max-client-connections", 10_000, 1, Integer.MAX_VALUE);
        boolean localInfile = values.bool(root, "local-infile", "local-infile", false);
        PoolSettings pool = pool(root.get("pool"));
        String authPlugin = values.choice(
                root.get("client-auth-plugin"),
                "client-auth-plugin",
                List.of(ProxyConfig.NATIVE_PASSWORD, ProxyConfig.CACHING_SHA2_PASSWORD, ProxyConfig.CLIENT_ED25519),
                ProxyConfig.NATIVE_PASSWORD);
        long instanceId = values.integer(root, "instance-id", 0, 0, 255);
        HttpConfig http = httpReader.read(root.get("http"));
        StatsConfig stats = statsReader.read(root.get("digests"), root.get("slow-query-log"));
        AdminConfig admin = adminReader.read(root.get("admin"), tls);
        UsersFromServerConfig usersFromServer = usersFromServerReader.read(root.get("users-from-server"));
        HostileConfig hostile = hostileReader.read(root.get("hostile"), listeners);
        String logLevel = values.choice(root.get("log-level"), "log-level", LOG_LEVELS, null);
        CaptureConfig capture = captureReader.read(root.get("capture"));
        ValidateConfig validate = new ValidateConfig(ValidateConfig.Mode.of(
                values.choice(root.get("validate"), "validate", List.of("off", "observe", "enforce"), "observe")));
        CompressionConfig compression = compressionReader.read(root.get("compression"));
        if (!values.problems().isEmpty()) {
            throw new ConfigException(values.problems());
        }
        try {
            ProxyConfig proxy = new ProxyConfig(
                    listeners,
                    servers,
                    users,
                    tls,
                    new Timeouts(connect, handshake, write, serverRead, idle),
                    new Limits((int) maxPacket, (int) maxClients),
                    localInfile,
                    pool,
                    authPlugin,
                    (int) instanceId,
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
            return new SluiceConfig(proxy, logLevel, shutdown);
        } catch (IllegalArgumentException | NullPointerException e) {
            // the checks above should have caught it; still report it the same way
            throw new ConfigException(nowhere.describe() + ": " + e.getMessage());
        }
    }

    private List<ListenerConfig> listeners(ConfigNode node) {
        if (node == null) {
            HostPort d = HostPort.parse(SluiceConfig.DEFAULT_LISTEN, 0);
            return List.of(new ListenerConfig(d.host(), d.port()));
        }
        List<ListenerConfig> result = new ArrayList<>();
        List<ConfigNode> items = node instanceof ConfigNode.Sequence seq ? seq.items() : List.of(node);
        for (int i = 0; i < items.size(); i++) {
            String path = node instanceof ConfigNode.Sequence ? "listen[" + i + "]" : "listen";
            HostPort address = values.hostPort(items.get(i), path, 0);
            if (address != null) {
                result.add(new ListenerConfig(address.host(), address.port()));
            }
        }
        if (items.isEmpty()) {
            values.problem(node.origin(), "listen", "at least one host:port is required");
        }
        return result;
    }

    private List<ServerConfig> servers(ConfigNode node) {
        List<ServerConfig> result = new ArrayList<>();
        if (node == null) {
            values.problem(
                    nowhere, "servers", "at least one server is required (add 'servers:' or --backend HOST:PORT)");
            return result;
        }
        List<ConfigNode> items = values.sequence(node, "servers");
        if (items != null && items.isEmpty()) {
            values.problem(node.origin(), "servers", "at least one server is required");
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String path = "servers[" + i + "]";
            ConfigNode.Mapping m = values.mapping(items.get(i), path);
            if (m == null) {
                continue;
            }
            values.checkKeys(m, path, SERVER_KEYS);
            String name = values.nonEmptyString(m, "name", path, "server" + (i + 1));
            HostPort address = null;
            if (m.get("address") == null) {
                values.problem(m.origin(), path, "'address: HOST:PORT' is required");
            } else {
                address = values.hostPort(m.get("address"), path + ".address", 1);
            }
            int before = values.problems().size();
            long weight = values.integer(
                    m, "weight", path + ".weight", ServerConfig.DEFAULT_WEIGHT, 1, ServerConfig.MAX_WEIGHT);
            if (name != null && m.get("weight") != null && values.problems().size() == before) {
                weights.add(new GroupsReader.WeightKey(m.get("weight").origin(), path + ".weight", name));
            }
            ServerConfig server = new ServerSecurityReader(values).read(m, path, name, address, (int) weight);
            if (name != null) {
                serverNames.add(name);
                String previous = seen.putIfAbsent(name, path);
                if (previous != null) {
                    values.problem(
                            ValueReader.originOf(m, "name"),
                            path + ".name",
                            "duplicate server name '" + name + "' (also " + previous + ")");
                }
            }
            if (server != null) {
                result.add(server);
            }
        }
        return result;
    }

    private List<UserConfig> users(ConfigNode node) {
        List<UserConfig> result = new ArrayList<>();
        List<ConfigNode> items = node == null ? List.of() : values.sequence(node, "users");
        Map<String, String> seen = new HashMap<>();
        Map<String, Map.Entry<String, String>> serverAccounts = new HashMap<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String path = "users[" + i + "]";
            ConfigNode.Mapping m = values.mapping(items.get(i), path);
            if (m == null) {
                continue;
            }
            values.checkKeys(m, path, USER_KEYS);
            String name = values.nonEmptyString(m, "name", path, null);
            String password = values.string(m.get("password"), path + ".password");
            String hash = values.string(m.get("password-hash"), path + ".password-hash");
            String serverUser = values.nonEmptyString(m, "server-user", path, null);
            String serverPassword = values.string(m.get("server-password"), path + ".server-password");
            String defaultGroup = values.nonEmptyString(m, "default-group", path, null);
            if (defaultGroup != null) {
                groupReferences.add(new GroupsReader.GroupReference(
                        m.get("default-group").origin(), path + ".default-group", defaultGroup));
            }
            Map<String, String> schemaGroups = schemaGroups(m.get("schema-groups"), path + ".schema-groups");
            boolean ok = name != null;
            if (name == null && m.get("name") == null) {
                values.problem(m.origin(), path, "'name:' is required");
            }
            if (password != null && hash != null) {
                values.problem(
                        ValueReader.originOf(m, "password-hash"), path, "give password or password-hash, not both");
                ok = false;
            } else if (password == null && hash == null) {
                values.problem(m.origin(), path, "'password:' or 'password-hash:' is required");
                ok = false;
            }
            if (hash != null && !NATIVE_HASH.matcher(hash).matches()) {
                values.problem(
                        ValueReader.originOf(m, "password-hash"),
                        path + ".password-hash",
                        "not a mysql_native_password hash (expected '*' and 40 hex digits, as SELECT PASSWORD('...')"
                                + " prints)");
                ok = false;
            }
            if (hash != null && password == null && serverPassword == null) {
                values.problem(
                        ValueReader.originOf(m, "password-hash"),
                        path,
                        "server-password is required with a password-hash (Sluice cannot log in to the servers with"
                                + " a hash)");
                ok = false;
            }
            if (name != null) {
                String previous = seen.putIfAbsent(name, path);
                if (previous != null) {
                    values.problem(
                            ValueReader.originOf(m, "name"),
                            path + ".name",
                            "duplicate user '" + name + "' (also " + previous + ")");
                    ok = false;
                }
            }
            if (ok) {
                String normalHash = hash == null ? null : hash.toUpperCase(Locale.ROOT);
                UserConfig user = new UserConfig(
                        name, password, normalHash, serverUser, serverPassword, defaultGroup, schemaGroups);
                // a server account has one password: users sharing one would share its pools (keyed by server user),
                // and connections opened with one user's password would serve the other
                Map.Entry<String, String> other =
                        serverAccounts.putIfAbsent(user.serverUser(), Map.entry(path, user.serverPassword()));
                if (other != null && !other.getValue().equals(user.serverPassword())) {
                    values.problem(
                            m.origin(),
                            path,
                            "logs in to the servers as '" + user.serverUser() + "', as " + other.getKey()
                                    + " does, with another password (give both the same server-password)");
                } else {
                    result.add(user);
                }
            }
        }
        return result;
    }

    /** {@code {schema: group}}; each group is checked once the groups are known. */
    private Map<String, String> schemaGroups(ConfigNode node, String path) {
        Map<String, String> result = new LinkedHashMap<>();
        if (node == null || node instanceof ConfigNode.Scalar s && s.text() == null) {
            return result;
        }
        ConfigNode.Mapping m = values.mapping(node, path);
        for (ConfigNode.Entry e :
                m == null ? List.<ConfigNode.Entry>of() : m.entries().values()) {
            String group = values.nonEmptyString(m, e.key(), path, null);
            if (group != null) {
                result.put(e.key(), group);
                groupReferences.add(new GroupsReader.GroupReference(e.value().origin(), path + "." + e.key(), group));
            } else if (e.value() instanceof ConfigNode.Scalar s && s.text() == null) {
                values.problem(e.keyOrigin(), path + "." + e.key(), "a group name is required");
            }
        }
        return result;
    }

    private PoolSettings pool(ConfigNode node) {
        PoolSettings d = PoolSettings.defaults();
        if (node == null) {
            return d;
        }
        ConfigNode.Mapping m = values.mapping(node, "pool");
        if (m == null) {
            return d;
        }
        values.checkKeys(m, "pool", POOL_KEYS);
        long maxSize = values.integer(m, "max-size", "pool.max-size", d.maxSize(), 1, 100_000);
        long minIdle = values.integer(m, "min-idle", "pool.min-idle", d.minIdle(), 0, 100_000);
        Duration idle = values.duration(m, "idle-timeout", "pool.idle-timeout", d.idleTimeout(), false);
        Duration lifetime = values.duration(m, "max-lifetime", "pool.max-lifetime", d.maxLifetime(), false);
        Duration acquire = values.duration(m, "acquire-timeout", "pool.acquire-timeout", d.acquireTimeout(), false);
        Duration health = values.duration(
                m, "health-check-interval", "pool.health-check-interval", d.healthCheckInterval(), false);
        Duration reset = values.duration(m, "reset-timeout", "pool.reset-timeout", d.resetTimeout(), false);
        long maxServer = values.integer(
                m, "max-server-connections", "pool.max-server-connections", d.maxServerConnections(), 1, 1_000_000);
        long reserved = values.integer(
                m, "reserved-connections", "pool.reserved-connections", d.reservedConnections(), 0, 1_000);
        if (maxSize > 0 && minIdle > maxSize) {
            values.problem(
                    ValueReader.originOf(m, "min-idle"),
                    "pool.min-idle",
                    minIdle + " is more than pool.max-size " + maxSize);
            minIdle = 0;
        }
        String mode = values.choice(
                m.get("mode"),
                "pool.mode",
                List.of("transaction", "session"),
                d.mode().key());
        return PoolSettings.builder()
                .maxSize((int) maxSize)
                .minIdle((int) minIdle)
                .idleTimeout(idle)
                .maxLifetime(lifetime)
                .acquireTimeout(acquire)
                .healthCheckInterval(health)
                .resetTimeout(reset)
                .maxServerConnections((int) maxServer)
                .reservedConnections((int) reserved)
                .mode(PoolMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)))
                .build();
    }

    /** The client TLS settings at {@code path} ({@code tls}, {@code admin.tls}). */
    ClientTlsConfig tls(ConfigNode node, String path) {
        if (node == null) {
            return ClientTlsConfig.selfSigned();
        }
        if (node instanceof ConfigNode.Scalar) {
            // shorthand: "tls: false" is "tls: {enabled: false}"
            boolean enabled = values.parseBool(node, path, true);
            return new ClientTlsConfig(enabled, null, null, false);
        }
        ConfigNode.Mapping m = values.mapping(node, path);
        if (m == null) {
            return ClientTlsConfig.selfSigned();
        }
        values.checkKeys(m, path, TLS_KEYS);
        boolean enabled = values.bool(m, "enabled", path + ".enabled", true);
        boolean required = values.bool(m, "required", path + ".required", false);
        Path certificate = values.file(m.get("certificate"), path + ".certificate");
        Path key = values.file(m.get("key"), path + ".key");
        boolean ok = true;
        if ((m.get("certificate") == null) != (m.get("key") == null)) {
            values.problem(
                    m.origin(),
                    path,
                    "certificate and key go together (got only " + (m.get("key") == null ? "certificate" : "key")
                            + ")");
            ok = false;
        }
        if (required && !enabled) {
            values.problem(ValueReader.originOf(m, "required"), path + ".required", "needs " + path + ".enabled: true");
            ok = false;
        }
        if (!ok || (certificate == null) != (key == null)) {
            return ClientTlsConfig.selfSigned();
        }
        return new ClientTlsConfig(enabled, certificate, key, required);
    }
}
