package dev.sluice.app.config;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@link ConfigNode} tree to a validated {@link SluiceConfig}. Keeps going after a problem (using the default
 * in its place) so that one run reports every problem, each as {@code <where>: <key path>: <what>}, where
 * {@code <where>} is {@code file:line} or the command-line argument the value came from.
 */
final class ConfigBinder {
    static final List<String> TOP_KEYS = List.of(
            "listen",
            "servers",
            "users",
            "tls",
            "connect-timeout",
            "client-handshake-timeout",
            "client-write-timeout",
            "server-read-timeout",
            "client-idle-timeout",
            "max-packet-size",
            "max-client-connections",
            "local-infile",
            "log-level");
    static final List<String> SERVER_KEYS = List.of("name", "address", "tls");
    static final List<String> USER_KEYS =
            List.of("name", "password", "password-hash", "server-user", "server-password");
    static final List<String> TLS_KEYS = List.of("enabled", "certificate", "key", "required");
    static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");
    static final long MAX_PACKET_SIZE_LIMIT = 1L << 30;

    private static final Pattern NATIVE_HASH = Pattern.compile("\\*[0-9A-Fa-f]{40}");

    private final List<String> problems = new ArrayList<>();
    private final Origin nowhere;

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
        checkKeys(root, "", TOP_KEYS);
        List<ListenerConfig> listeners = listeners(root.get("listen"));
        List<ServerConfig> servers = servers(root.get("servers"));
        List<UserConfig> users = users(root.get("users"));
        ClientTlsConfig tls = tls(root.get("tls"));
        Duration connect = duration(root, "connect-timeout", Duration.ofSeconds(10), false);
        Duration handshake = duration(root, "client-handshake-timeout", Duration.ofSeconds(10), false);
        Duration write = duration(root, "client-write-timeout", Duration.ofSeconds(60), false);
        Duration serverRead = duration(root, "server-read-timeout", null, true);
        Duration idle = duration(root, "client-idle-timeout", null, true);
        long maxPacket = size(root, "max-packet-size", Limits.DEFAULT_MAX_PACKET_SIZE, 1024, MAX_PACKET_SIZE_LIMIT);
        long maxClients = integer(root, "max-client-connections", 10_000, 1, Integer.MAX_VALUE);
        boolean localInfile = bool(root, "local-infile", "local-infile", false);
        String logLevel = choice(root.get("log-level"), "log-level", LOG_LEVELS, null);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        try {
            ProxyConfig proxy = new ProxyConfig(
                    listeners,
                    servers,
                    users,
                    tls,
                    new Timeouts(connect, handshake, write, serverRead, idle),
                    new Limits((int) maxPacket, (int) maxClients),
                    localInfile);
            return new SluiceConfig(proxy, logLevel);
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
            HostPort address = hostPort(items.get(i), path, 0);
            if (address != null) {
                result.add(new ListenerConfig(address.host(), address.port()));
            }
        }
        if (items.isEmpty()) {
            problem(node.origin(), "listen", "at least one host:port is required");
        }
        return result;
    }

    private List<ServerConfig> servers(ConfigNode node) {
        List<ServerConfig> result = new ArrayList<>();
        if (node == null) {
            problem(nowhere, "servers", "at least one server is required (add 'servers:' or --backend HOST:PORT)");
            return result;
        }
        List<ConfigNode> items = sequence(node, "servers");
        if (items != null && items.isEmpty()) {
            problem(node.origin(), "servers", "at least one server is required");
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String path = "servers[" + i + "]";
            ConfigNode.Mapping m = mapping(items.get(i), path);
            if (m == null) {
                continue;
            }
            checkKeys(m, path, SERVER_KEYS);
            String name = nonEmptyString(m, "name", path, "server" + (i + 1));
            HostPort address = null;
            if (m.get("address") == null) {
                problem(m.origin(), path, "'address: HOST:PORT' is required");
            } else {
                address = hostPort(m.get("address"), path + ".address", 1);
            }
            String tlsText =
                    choice(m.get("tls"), path + ".tls", List.of("disabled", "preferred", "required"), "preferred");
            if (name != null) {
                String previous = seen.putIfAbsent(name, path);
                if (previous != null) {
                    problem(originOf(m, "name"), path + ".name",
                            "duplicate server name '" + name + "' (also " + previous + ")");
                }
            }
            if (name != null && address != null) {
                result.add(new ServerConfig(
                        name, address.host(), address.port(), TlsMode.valueOf(tlsText.toUpperCase(Locale.ROOT))));
            }
        }
        return result;
    }

    private List<UserConfig> users(ConfigNode node) {
        List<UserConfig> result = new ArrayList<>();
        List<ConfigNode> items = node == null ? List.of() : sequence(node, "users");
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String path = "users[" + i + "]";
            ConfigNode.Mapping m = mapping(items.get(i), path);
            if (m == null) {
                continue;
            }
            checkKeys(m, path, USER_KEYS);
            String name = nonEmptyString(m, "name", path, null);
            String password = string(m.get("password"), path + ".password");
            String hash = string(m.get("password-hash"), path + ".password-hash");
            String serverUser = nonEmptyString(m, "server-user", path, null);
            String serverPassword = string(m.get("server-password"), path + ".server-password");
            boolean ok = name != null;
            if (name == null && m.get("name") == null) {
                problem(m.origin(), path, "'name:' is required");
            }
            if (password != null && hash != null) {
                problem(originOf(m, "password-hash"), path, "give password or password-hash, not both");
                ok = false;
            } else if (password == null && hash == null) {
                problem(m.origin(), path, "'password:' or 'password-hash:' is required");
                ok = false;
            }
            if (hash != null && !NATIVE_HASH.matcher(hash).matches()) {
                problem(originOf(m, "password-hash"), path + ".password-hash", "not a mysql_native_password hash"
                        + " (expected '*' and 40 hex digits, as SELECT PASSWORD('...') prints)");
                ok = false;
            }
            if (hash != null && password == null && serverPassword == null) {
                problem(originOf(m, "password-hash"), path, "server-password is required with a password-hash"
                        + " (Sluice cannot log in to the servers with a hash)");
                ok = false;
            }
            if (name != null) {
                String previous = seen.putIfAbsent(name, path);
                if (previous != null) {
                    problem(originOf(m, "name"), path + ".name",
                            "duplicate user '" + name + "' (also " + previous + ")");
                    ok = false;
                }
            }
            if (ok) {
                String normalHash = hash == null ? null : hash.toUpperCase(Locale.ROOT);
                result.add(new UserConfig(name, password, normalHash, serverUser, serverPassword));
            }
        }
        return result;
    }

    private ClientTlsConfig tls(ConfigNode node) {
        if (node == null) {
            return ClientTlsConfig.selfSigned();
        }
        if (node instanceof ConfigNode.Scalar) {
            // shorthand: "tls: false" is "tls: {enabled: false}"
            boolean enabled = parseBool(node, "tls", true);
            return new ClientTlsConfig(enabled, null, null, false);
        }
        ConfigNode.Mapping m = mapping(node, "tls");
        if (m == null) {
            return ClientTlsConfig.selfSigned();
        }
        checkKeys(m, "tls", TLS_KEYS);
        boolean enabled = bool(m, "enabled", "tls.enabled", true);
        boolean required = bool(m, "required", "tls.required", false);
        Path certificate = file(m.get("certificate"), "tls.certificate");
        Path key = file(m.get("key"), "tls.key");
        boolean ok = true;
        if ((m.get("certificate") == null) != (m.get("key") == null)) {
            problem(m.origin(), "tls", "certificate and key go together (got only "
                    + (m.get("key") == null ? "certificate" : "key") + ")");
            ok = false;
        }
        if (required && !enabled) {
            problem(originOf(m, "required"), "tls.required", "needs tls.enabled: true");
            ok = false;
        }
        if (!ok || (certificate == null) != (key == null)) {
            return ClientTlsConfig.selfSigned();
        }
        return new ClientTlsConfig(enabled, certificate, key, required);
    }

    private Path file(ConfigNode node, String path) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        try {
            Path p = Path.of(text);
            Path resolved = node.origin().baseDir() == null || p.isAbsolute() ? p : node.origin().baseDir().resolve(p);
            if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
                problem(node.origin(), path, resolved + ": no such readable file");
                return null;
            }
            return resolved;
        } catch (InvalidPathException e) {
            problem(node.origin(), path, "\"" + text + "\" is not a file name: " + e.getReason());
            return null;
        }
    }

    private Duration duration(ConfigNode.Mapping m, String key, Duration defaultValue, boolean canBeOff) {
        String text = string(m.get(key), key);
        if (text == null) {
            return defaultValue;
        }
        Origin origin = m.get(key).origin();
        if (text.strip().equalsIgnoreCase("off")) {
            if (!canBeOff) {
                problem(origin, key, "cannot be off (expected a duration such as 10s)");
            }
            return defaultValue;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.isZero()) {
                if (!canBeOff) {
                    problem(origin, key, "must be more than 0 (this deadline cannot be turned off)");
                    return defaultValue;
                }
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problem(origin, key, e.getMessage());
            return defaultValue;
        }
    }

    private long size(ConfigNode.Mapping m, String key, long defaultValue, long min, long max) {
        String text = string(m.get(key), key);
        if (text == null) {
            return defaultValue;
        }
        try {
            long n = Sizes.parse(text);
            if (n < min || n > max) {
                problem(m.get(key).origin(), key, "\"" + text + "\" is out of range (expected " + Sizes.format(min)
                        + ".." + Sizes.format(max) + ")");
                return defaultValue;
            }
            return n;
        } catch (IllegalArgumentException e) {
            problem(m.get(key).origin(), key, e.getMessage());
            return defaultValue;
        }
    }

    private long integer(ConfigNode.Mapping m, String key, long defaultValue, long min, long max) {
        String text = string(m.get(key), key);
        if (text == null) {
            return defaultValue;
        }
        String s = text.strip();
        if (!s.matches("-?\\d{1,18}") || Long.parseLong(s) < min || Long.parseLong(s) > max) {
            problem(m.get(key).origin(), key, "\"" + text + "\" is not a whole number in " + min + ".." + max);
            return defaultValue;
        }
        return Long.parseLong(s);
    }

    private boolean bool(ConfigNode.Mapping m, String key, String path, boolean defaultValue) {
        ConfigNode node = m.get(key);
        return node == null ? defaultValue : parseBool(node, path, defaultValue);
    }

    private boolean parseBool(ConfigNode node, String path, boolean defaultValue) {
        String text = string(node, path);
        if (text == null) {
            return defaultValue;
        }
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on":
                return true;
            case "false", "no", "off":
                return false;
            default:
                problem(node.origin(), path, "\"" + text + "\" is not a boolean (expected true or false)");
                return defaultValue;
        }
    }

    private String choice(ConfigNode node, String path, List<String> choices, String defaultValue) {
        String text = string(node, path);
        if (text == null) {
            return defaultValue;
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (!choices.contains(lower)) {
            problem(node.origin(), path, "\"" + text + "\" is not one of " + String.join(", ", choices));
            return defaultValue;
        }
        return lower;
    }

    private HostPort hostPort(ConfigNode node, String path, int minPort) {
        String text = string(node, path);
        if (text == null) {
            if (node instanceof ConfigNode.Scalar) {
                problem(node.origin(), path, "expected host:port, got nothing");
            }
            return null;
        }
        try {
            return HostPort.parse(text, minPort);
        } catch (IllegalArgumentException e) {
            problem(node.origin(), path, e.getMessage());
            return null;
        }
    }

    private String nonEmptyString(ConfigNode.Mapping m, String key, String path, String defaultValue) {
        ConfigNode node = m.get(key);
        String text = string(node, path + "." + key);
        if (text == null) {
            return node == null || node instanceof ConfigNode.Scalar ? defaultValue : null;
        }
        if (text.isBlank()) {
            problem(node.origin(), path + "." + key, "must not be empty");
            return null;
        }
        return text;
    }

    /** A scalar's text; null when absent or YAML null; a list or mapping is a problem (and null). */
    private String string(ConfigNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node instanceof ConfigNode.Scalar scalar) {
            return scalar.text();
        }
        problem(node.origin(), path, "expected a single value, got " + node.describe());
        return null;
    }

    private List<ConfigNode> sequence(ConfigNode node, String path) {
        if (node instanceof ConfigNode.Sequence seq) {
            return seq.items();
        }
        if (node instanceof ConfigNode.Scalar s && s.text() == null) {
            return List.of();
        }
        problem(node.origin(), path, "expected a list (entries starting with '- '), got " + node.describe());
        return null;
    }

    private ConfigNode.Mapping mapping(ConfigNode node, String path) {
        if (node instanceof ConfigNode.Mapping m) {
            return m;
        }
        problem(node.origin(), path, "expected a mapping of keys, got " + node.describe());
        return null;
    }

    private void checkKeys(ConfigNode.Mapping m, String path, List<String> allowed) {
        for (ConfigNode.Entry entry : m.entries().values()) {
            if (!allowed.contains(entry.key())) {
                String prefix = entry.keyOrigin().describe() + ": " + (path.isEmpty() ? "" : path + ": ");
                problems.add(prefix + "unknown key '" + entry.key() + "' " + Suggestions.hint(entry.key(), allowed));
            }
        }
    }

    private static Origin originOf(ConfigNode.Mapping m, String key) {
        ConfigNode node = m.get(key);
        return node == null ? m.origin() : node.origin();
    }

    private void problem(Origin origin, String path, String message) {
        problems.add(origin.describe() + ": " + path + ": " + message);
    }
}
