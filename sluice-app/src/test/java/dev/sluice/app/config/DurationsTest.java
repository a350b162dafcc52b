package dev.sluice.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "0s, 0",
        "1ms, 1",
        "500ms, 500",
        "999ms, 999",
        "1s, 1000",
        "2s, 2000",
        "1m, 60000",
        "1h, 3600000",
        "1d, 86400000",
        "1m30s, 90000",
        "1h1ms, 3600001",
        "' 2S ', 2000",
        "365d, 31536000000",
        "8760h, 31536000000",
        "31535999999ms, 31535999999",
    })
    void parses(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", " ", "s", "ms", "1", "10", "1.5s", "-1s", "1x", "1 s", "1s2", "s1", "1sec", "1m 30s", "0x10s"
            })
    void refuses(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"366d", "8761h", "31536000001ms", "365d1ms", "999999999999d", "9999999999999999s"})
    void refusesMoreThanAYear(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"366d", "8761h", "365d1ms"})
    void tooLongSaysSo(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessage("\"" + text + "\" is too long (at most 365d)");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1ms", "1500, 1500ms", "2000, 2s", "90000, 90s", "120000, 2m", "7200000, 2h", "86400000, 1d"
    })
    void formatsShortestExactForm(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @org.junit.jupiter.api.Test
    void nullIsOff() {
        assertThat(Durations.format(null)).isEqualTo("off");
    }
}
