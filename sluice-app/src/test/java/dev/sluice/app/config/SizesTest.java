package dev.sluice.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1, 1",
        "1024, 1024",
        "1B, 1",
        "1K, 1024",
        "1k, 1024",
        "1KiB, 1024",
        "1kib, 1024",
        "64M, 67108864",
        "64MiB, 67108864",
        "'64 MiB', 67108864",
        "1G, 1073741824",
        "1GiB, 1073741824",
        "8589934591GiB, 9223372035781033984",
        "9223372036854775807, 9223372036854775807",
    })
    void parses(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "K", "-1", "1.5M", "1TiB", "1 M B", "0x10", "abc", "1e6"})
    void refuses(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "8589934592GiB", "9999999999999999999"})
    void refusesWhatDoesNotFitALong(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessage("\"" + text + "\" is too large");
    }

    @ParameterizedTest
    @CsvSource({"1KB, KiB", "64MB, MiB", "1gb, GiB"})
    void decimalUnitsAreRefusedWithAHint(String text, String hint) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .hasMessage("\"" + text + "\": write " + hint + " (1024-based) or a number of bytes");
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1000, 1000",
        "1024, 1KiB",
        "1536, 1536",
        "1572864, 1536KiB",
        "67108864, 64MiB",
        "1073741824, 1GiB"
    })
    void formatsShortestExactForm(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }
}
