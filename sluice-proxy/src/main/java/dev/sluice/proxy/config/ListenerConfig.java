package dev.sluice.proxy.config;

import java.util.Objects;

/** An address clients connect to; port 0 picks a free one (tests). */
public record ListenerConfig(String host, int port) {
    public ListenerConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }
}
