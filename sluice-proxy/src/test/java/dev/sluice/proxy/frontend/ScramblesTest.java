package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ScramblesTest {
    @RepeatedTest(5)
    void bytesAreInOneTo127WithoutDollarAndAllValuesOccur() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int[] seen = new int[256];
        for (int i = 0; i < 2000; i++) {
            byte[] s = Scrambles.next(random);
            assertThat(s).as("seed %d", seed).hasSize(20);
            for (byte b : s) {
                seen[b & 0xFF]++;
            }
        }
        assertThat(seen[0]).as("NUL, seed %d", seed).isZero();
        assertThat(seen['$']).as("'$', seed %d", seed).isZero();
        for (int v = 128; v < 256; v++) {
            assertThat(seen[v]).as("byte 0x%x, seed %d", v, seed).isZero();
        }
        for (int v = 1; v < 128; v++) {
            if (v != '$') {
                // 40000 draws over 126 values: ~317 each; 150 is far in the tail for a uniform draw.
                assertThat(seen[v]).as("byte 0x%x occurs, seed %d", v, seed).isGreaterThan(150);
            }
        }
    }

    @Test
    void secureScramblesDiffer() {
        assertThat(Scrambles.next()).isNotEqualTo(Scrambles.next());
        assertThat(Scrambles.withNul(new byte[] {1, 2})).containsExactly(1, 2, 0);
    }
}
