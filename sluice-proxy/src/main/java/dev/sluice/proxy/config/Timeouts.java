package dev.sluice.proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Deadlines. {@code null} for an optional one means "none".
 *
 * @param connect over TCP connect, TLS, greeting, authentication and session set-up towards a server
 * @param clientHandshake from a client's TCP accept to the end of its authentication (slowloris guard)
 * @param clientWrite a write to a client that does not complete in time closes that client
 * @param serverRead optional: a server silent this long in the middle of a response fails the statement
 * @param clientIdle optional: a client idle this long between commands is disconnected
 */
public record Timeouts(
        Duration connect, Duration clientHandshake, Duration clientWrite, Duration serverRead, Duration clientIdle) {
    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(clientHandshake, "clientHandshake");
        Objects.requireNonNull(clientWrite, "clientWrite");
    }

    public static Timeouts defaults() {
        return new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60), null, null);
    }
}
