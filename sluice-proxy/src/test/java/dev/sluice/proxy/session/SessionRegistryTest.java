package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Sluice ids: clear of server thread ids, positive as signed 32-bit numbers, distinct per instance-id. */
class SessionRegistryTest {
    @Test
    void idsCarryTheInstanceAndStayInTheirRange() {
        for (int instance : new int[] {0, 1, 200, 255}) {
            SessionRegistry registry = new SessionRegistry(instance);
            long first = registry.allocateId();
            long second = registry.allocateId();
            assertThat(first).isEqualTo((1L << 30) + ((long) instance << 22) + 1);
            assertThat(second).isEqualTo(first + 1);
            assertThat(SessionRegistry.isSluiceId(first)).isTrue();
            assertThat(second).isLessThanOrEqualTo(Integer.MAX_VALUE);
        }
        assertThat(SessionRegistry.isSluiceId((1L << 30) - 1))
                .as("a server thread id")
                .isFalse();
        assertThat(SessionRegistry.isSluiceId(1L << 31)).isFalse();
    }

    @Test
    void theCounterWrapsWithinTheInstancesIdsAndSkipsZero() {
        SessionRegistry registry = new SessionRegistry(3);
        long prefix = (1L << 30) + (3L << 22);
        long last = 0;
        for (int i = 0; i < (1 << 22); i++) {
            last = registry.allocateId();
        }
        assertThat(last).isEqualTo(prefix + 1); // counter 2^22 is 0 again: skipped, then 1
    }

    @Test
    void anInstanceIdOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new SessionRegistry(256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instance-id");
    }
}
