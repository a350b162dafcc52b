package dev.sluice.app.config;

import dev.sluice.proxy.config.UsersFromServerConfig;
import java.time.Duration;
import java.util.List;

/**
 * The {@code users-from-server} mapping: accounts loaded from the servers (docs/USERS.md); off unless
 * {@code enabled: true}.
 */
final class UsersFromServerReader {
    static final List<String> KEYS = List.of("enabled", "user", "password", "refresh-interval", "min-refresh-interval");
    private static final String PATH = "users-from-server";

    private final ValueReader values;

    UsersFromServerReader(ValueReader values) {
        this.values = values;
    }

    /** The settings; null when off, absent, or with a problem (reported). */
    UsersFromServerConfig read(ConfigNode node) {
        if (unset(node)) {
            return null;
        }
        ConfigNode.Mapping m = values.mapping(node, PATH);
        if (m == null) {
            return null;
        }
        int before = values.problems().size();
        values.checkKeys(m, PATH, KEYS);
        if (!values.bool(m, "enabled", PATH + ".enabled", false)) {
            return null;
        }
        String user = values.nonEmptyString(m, "user", PATH, null);
        if (unset(m.get("user"))) {
            values.problem(
                    ValueReader.originOf(m, "user"),
                    PATH,
                    "'user:' is required (an account that may read mysql.global_priv or mysql.user)");
        }
        String password = values.string(m.get("password"), PATH + ".password");
        if (unset(m.get("password"))) {
            values.problem(
                    ValueReader.originOf(m, "password"),
                    PATH,
                    "'password:' is required (password: \"\" for an account without one)");
        }
        Duration every = values.duration(
                m,
                "refresh-interval",
                PATH + ".refresh-interval",
                UsersFromServerConfig.DEFAULT_REFRESH_INTERVAL,
                false);
        Duration least = values.duration(
                m,
                "min-refresh-interval",
                PATH + ".min-refresh-interval",
                UsersFromServerConfig.DEFAULT_MIN_REFRESH_INTERVAL,
                false);
        if (values.problems().size() > before) {
            return null;
        }
        if (least.compareTo(every) > 0) {
            values.problem(
                    ValueReader.originOf(m, "min-refresh-interval"),
                    PATH + ".min-refresh-interval",
                    Durations.format(least) + " is more than refresh-interval (" + Durations.format(every) + ")");
            return null;
        }
        return new UsersFromServerConfig(user, password, every, least);
    }

    /** Absent, or YAML's null: the default (off) applies. */
    private static boolean unset(ConfigNode node) {
        return node == null || node instanceof ConfigNode.Scalar s && s.text() == null;
    }
}
