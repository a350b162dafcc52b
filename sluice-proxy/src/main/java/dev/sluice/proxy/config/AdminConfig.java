package dev.sluice.proxy.config;

import java.util.List;
import java.util.Objects;

/**
 * The admin interface: a MySQL-protocol listener of its own for operators ({@code SHOW SERVERS}, {@code KILL},
 * {@code SET SERVER ... OFFLINE}, see docs/ADMIN.md). Off unless configured ({@code admin.listen}).
 *
 * @param listen where it binds; port 0 picks a free port (tests)
 * @param users who may log in to it: separate from the proxy's client users, and never used towards a server
 * @param tls TLS offered to admin clients; by default the main listener's ({@code tls})
 */
public record AdminConfig(ListenerConfig listen, List<UserConfig> users, ClientTlsConfig tls) {
    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        users = List.copyOf(users);
        if (users.isEmpty()) {
            throw new IllegalArgumentException("admin.users: at least one user is required with admin.listen");
        }
    }

    /** The admin user of that name, or null. */
    public UserConfig user(String name) {
        for (UserConfig u : users) {
            if (u.name().equals(name)) {
                return u;
            }
        }
        return null;
    }
}
