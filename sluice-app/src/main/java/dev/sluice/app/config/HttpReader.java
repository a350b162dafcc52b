package dev.sluice.app.config;

import dev.sluice.proxy.config.HttpConfig;
import java.util.List;

/** The {@code http} mapping: the operators' HTTP listener (metrics, health checks); off when not set. */
final class HttpReader {
    static final List<String> KEYS = List.of("listen");

    private final ValueReader values;

    HttpReader(ValueReader values) {
        this.values = values;
    }

    /** The listener; null when {@code http} or {@code http.listen} is not set, or has a problem. */
    HttpConfig read(ConfigNode node) {
        if (unset(node)) {
            return null;
        }
        ConfigNode.Mapping m = values.mapping(node, "http");
        if (m == null) {
            return null;
        }
        values.checkKeys(m, "http", KEYS);
        if (unset(m.get("listen"))) {
            return null;
        }
        HostPort address = values.hostPort(m.get("listen"), "http.listen", 0);
        return address == null ? null : HttpConfig.of(address.host(), address.port());
    }

    /** Absent, or YAML's null: the default (off) applies. */
    private static boolean unset(ConfigNode node) {
        return node == null || node instanceof ConfigNode.Scalar s && s.text() == null;
    }
}
