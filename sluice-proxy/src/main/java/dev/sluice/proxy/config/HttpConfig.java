package dev.sluice.proxy.config;

import java.util.Objects;

/**
 * The HTTP listener for operators: {@code /metrics} (Prometheus) and {@code /health/live}, {@code /health/ready}.
 * Off unless configured ({@code http.listen}); port 0 picks a free port (tests).
 *
 * @param listen where the listener binds
 */
public record HttpConfig(ListenerConfig listen) {
    public HttpConfig {
        Objects.requireNonNull(listen, "listen");
    }

    public static HttpConfig of(String host, int port) {
        return new HttpConfig(new ListenerConfig(host, port));
    }
}
