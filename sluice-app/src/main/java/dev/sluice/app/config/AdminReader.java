package dev.sluice.app.config;

import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.UserConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The {@code admin} mapping: the operators' MySQL-protocol admin interface; off unless {@code admin.listen} is set.
 * Its users are its own (never the proxy's client users), and its TLS is the main listener's unless {@code admin.tls}
 * says otherwise.
 */
final class AdminReader {
    static final List<String> KEYS = List.of("listen", "users", "tls");
    static final List<String> USER_KEYS = List.of("name", "password");

    private final ValueReader values;
    private final BiFunction<ConfigNode, String, ClientTlsConfig> tlsReader;

    AdminReader(ValueReader values, BiFunction<ConfigNode, String, ClientTlsConfig> tlsReader) {
        this.values = values;
        this.tlsReader = tlsReader;
    }

    /**
     * The admin interface; null when {@code admin} or {@code admin.listen} is not set, or has a problem.
     *
     * @param mainTls the main listener's TLS, which the admin port offers unless {@code admin.tls} is given
     */
    AdminConfig read(ConfigNode node, ClientTlsConfig mainTls) {
        if (unset(node)) {
            return null;
        }
        ConfigNode.Mapping m = values.mapping(node, "admin");
        if (m == null) {
            return null;
        }
        values.checkKeys(m, "admin", KEYS);
        ClientTlsConfig tls = unset(m.get("tls")) ? mainTls : tlsReader.apply(m.get("tls"), "admin.tls");
        List<UserConfig> users = unset(m.get("users")) ? List.of() : users(m.get("users"));
        if (unset(m.get("listen"))) {
            return null;
        }
        ListenerConfig listen = listen(m.get("listen"));
        if (unset(m.get("users"))) {
            values.problem(m.origin(), "admin.users", "required with admin.listen (who may log in to the admin port)");
            return null;
        }
        if (listen == null || users == null) {
            return null;
        }
        return new AdminConfig(listen, users, tls);
    }

    private ListenerConfig listen(ConfigNode node) {
        HostPort address = values.hostPort(node, "admin.listen", 0);
        return address == null ? null : new ListenerConfig(address.host(), address.port());
    }

    /** The admin users; null when one has a problem. */
    private List<UserConfig> users(ConfigNode node) {
        List<ConfigNode> items = values.sequence(node, "admin.users");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            values.problem(node.origin(), "admin.users", "at least one user is required");
            return null;
        }
        List<UserConfig> result = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String path = "admin.users[" + i + "]";
            ConfigNode.Mapping m = values.mapping(items.get(i), path);
            if (m == null) {
                ok = false;
                continue;
            }
            values.checkKeys(m, path, USER_KEYS);
            String name = values.nonEmptyString(m, "name", path, null);
            String password = values.string(m.get("password"), path + ".password");
            if (name == null) {
                if (m.get("name") == null) {
                    values.problem(m.origin(), path, "'name:' is required");
                }
                ok = false;
            } else if (seen.putIfAbsent(name, path) != null) {
                values.problem(
                        ValueReader.originOf(m, "name"),
                        path + ".name",
                        "duplicate admin user '" + name + "' (also " + seen.get(name) + ")");
                ok = false;
            }
            if (password == null) {
                values.problem(m.origin(), path, "'password:' is required");
                ok = false;
            }
            if (ok) {
                result.add(UserConfig.of(name, password));
            }
        }
        return ok ? result : null;
    }

    /** Absent, or YAML's null: the default (off) applies. */
    private static boolean unset(ConfigNode node) {
        return node == null || node instanceof ConfigNode.Scalar s && s.text() == null;
    }
}
