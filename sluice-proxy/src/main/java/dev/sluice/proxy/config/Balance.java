package dev.sluice.proxy.config;

import java.util.Locale;

/** How a reader group spreads reads over its servers. */
public enum Balance {
    /** To the server with the fewest connections in use (Sluice's own count). */
    LEAST_CONNECTIONS,
    /** In proportion to each server's {@link ServerConfig#weight()}. */
    WEIGHTED;

    /** {@code least-connections} or {@code weighted}, as the configuration spells it. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
