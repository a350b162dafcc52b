package dev.sluice.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.pool.PoolSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolConfigTest {
    private static SluiceConfig load(String yaml, String... set) {
        return new ConfigLoader().yaml("sluice.yaml", yaml).set(List.of(set)).load();
    }

    @Test
    void defaultsWithoutAPoolSection() {
        PoolSettings pool =
                load("servers: [{address: 127.0.0.1:3306}]\n").proxy().pool();
        assertThat(pool).isEqualTo(PoolSettings.defaults());
    }

    @Test
    void everyKeyFromTheFileAndFromSet() {
        PoolSettings pool =
                load("""
                servers: [{address: 127.0.0.1:3306}]
                pool:
                  max-size: 2
                  min-idle: 1
                  idle-timeout: 30s
                  max-lifetime: 5m
                  acquire-timeout: 750ms
                  reset-timeout: 2s
                  max-server-connections: 40
                  reserved-connections: 3
                """, "pool.health-check-interval=500ms").proxy().pool();
        assertThat(pool)
                .isEqualTo(PoolSettings.builder()
                        .maxSize(2)
                        .minIdle(1)
                        .idleTimeout(Duration.ofSeconds(30))
                        .maxLifetime(Duration.ofMinutes(5))
                        .acquireTimeout(Duration.ofMillis(750))
                        .healthCheckInterval(Duration.ofMillis(500))
                        .resetTimeout(Duration.ofSeconds(2))
                        .maxServerConnections(40)
                        .reservedConnections(3)
                        .build());
    }

    @Test
    void errorsNameTheKeyAndTheLine() {
        assertThatThrownBy(() -> load("""
                servers: [{address: 127.0.0.1:3306}]
                pool:
                  max-size: 0
                  acquire-timeout: soon
                  max-sise: 3
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sluice.yaml:3: pool.max-size")
                .hasMessageContaining("sluice.yaml:4: pool.acquire-timeout")
                .hasMessageContaining("unknown key 'max-sise' (did you mean 'max-size'?)");
        assertThatThrownBy(() -> load("servers: [{address: 127.0.0.1:3306}]\npool: {max-size: 2, min-idle: 3}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pool.min-idle: 3 is more than pool.max-size 2");
    }
}
