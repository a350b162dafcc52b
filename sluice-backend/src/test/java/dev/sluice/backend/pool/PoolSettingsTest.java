package dev.sluice.backend.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Building pool settings: the defaults, changing some of them, and the checks of the record. */
class PoolSettingsTest {
    @Test
    void theDefaultsAreTheDocumentedOnes() {
        PoolSettings d = PoolSettings.defaults();
        assertThat(d)
                .isEqualTo(new PoolSettings(
                        0,
                        0,
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(30),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        0,
                        2,
                        PoolMode.TRANSACTION));
    }

    @Test
    void aBuilderChangesOnlyWhatItIsTold() {
        PoolSettings s = PoolSettings.builder()
                .maxSize(8)
                .acquireTimeout(Duration.ofMillis(750))
                .mode(PoolMode.SESSION)
                .build();
        assertThat(s.maxSize()).isEqualTo(8);
        assertThat(s.acquireTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.mode()).isEqualTo(PoolMode.SESSION);
        assertThat(s.toBuilder()
                        .maxSize(0)
                        .acquireTimeout(Duration.ofSeconds(5))
                        .mode(PoolMode.TRANSACTION)
                        .build())
                .isEqualTo(PoolSettings.defaults());
        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.withMode(PoolMode.TRANSACTION).mode()).isEqualTo(PoolMode.TRANSACTION);
    }

    @Test
    void valuesOutOfRangeNameTheKey() {
        assertThatThrownBy(() -> PoolSettings.builder().maxSize(2).minIdle(3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool.min-idle");
        assertThatThrownBy(() -> PoolSettings.builder().maxSize(-1).build()).hasMessageContaining("pool.max-size");
        assertThatThrownBy(() -> PoolSettings.builder().idleTimeout(null).build())
                .isInstanceOf(NullPointerException.class);
    }
}
