package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.sluice.app.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LoggingTest {
    @Test
    void levelComesFromConfigurationThenEnvironmentThenInfo() {
        assertThat(Logging.resolve("debug", "error")).isEqualTo("debug");
        assertThat(Logging.resolve(null, "WARN")).isEqualTo("warn");
        assertThat(Logging.resolve(null, " ")).isEqualTo("info");
        assertThat(Logging.resolve(null, null)).isEqualTo("info");
    }

    @Test
    void unknownEnvironmentLevelIsRefused() {
        assertThatThrownBy(() -> Logging.resolve(null, "verbose"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("SLUICE_LOG_LEVEL=verbose: expected one of error, warn, info, debug, trace");
    }

    @Test
    void lineFormatWithAndWithoutSession() throws IOException {
        PatternLayout layout = new PatternLayout();
        layout.setContext(new LoggerContext());
        layout.setPattern(patternFromLogbackXml());
        layout.start();

        LoggingEvent event = new LoggingEvent();
        event.setLevel(Level.INFO);
        event.setMessage("client 127.0.0.1:51234 authenticated as app");
        event.setTimeStamp(1_795_255_200_123L); // 2026-11-21T10:00:00.123Z
        event.setMDCPropertyMap(Map.of("session", "12"));
        assertThat(layout.doLayout(event))
                .isEqualTo("2026-11-21T10:00:00.123Z INFO  [session 12] client 127.0.0.1:51234 authenticated as app"
                        + System.lineSeparator());

        LoggingEvent plain = new LoggingEvent();
        plain.setLevel(Level.WARN);
        plain.setMessage("sluice listening on 127.0.0.1:3307");
        plain.setTimeStamp(1_795_255_200_123L);
        plain.setMDCPropertyMap(Map.of());
        assertThat(layout.doLayout(plain))
                .isEqualTo(
                        "2026-11-21T10:00:00.123Z WARN  sluice listening on 127.0.0.1:3307" + System.lineSeparator());
    }

    private static String patternFromLogbackXml() throws IOException {
        try (InputStream in = LoggingTest.class.getResourceAsStream("/logback.xml")) {
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
            assertThat(m.find()).isTrue();
            return m.group(1);
        }
    }
}
