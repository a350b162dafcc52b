package dev.sluice.proxy.config;

import dev.sluice.backend.TlsMode;
import java.util.Objects;

/** A MySQL or MariaDB server behind the proxy. */
public record ServerConfig(String name, String host, int port, TlsMode tls) {
    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    public String address() {
        return host + ":" + port;
    }
}
