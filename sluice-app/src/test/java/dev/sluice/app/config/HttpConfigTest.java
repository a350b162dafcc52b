package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.HttpConfig;
import org.junit.jupiter.api.Test;

/** {@code http}: the operators' HTTP listener, off unless configured. */
class HttpConfigTest {
    /** Two lines: what follows starts at line 3. */
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void offByDefault() {
        assertThat(load(BASE).proxy().http()).isNull();
        assertThat(load(BASE + yaml("http:")).proxy().http()).isNull();
        assertThat(load(BASE + yaml("http: {listen: }")).proxy().http()).isNull();
        assertThat(load(BASE).summary()).doesNotContain("http");
    }

    @Test
    void listen() {
        SluiceConfig c = load(BASE + yaml("http:", "  listen: 127.0.0.1:9104"));
        assertThat(c.proxy().http()).isEqualTo(HttpConfig.of("127.0.0.1", 9104));
        assertThat(c.summary()).endsWith("; http 127.0.0.1:9104");
        assertThat(load(BASE + yaml("http: {listen: \"[::1]:0\"}")).proxy().http())
                .isEqualTo(HttpConfig.of("::1", 0));
    }

    @Test
    void override() {
        assertThat(load(BASE, "http.listen=0.0.0.0:9200").proxy().http()).isEqualTo(HttpConfig.of("0.0.0.0", 9200));
    }

    @Test
    void errors() {
        assertThat(problems(BASE + yaml("http:", "  listen: 9104", "  lisen: x")))
                .containsExactly(
                        "sluice.yaml:5: http: unknown key 'lisen' (did you mean 'listen'?)",
                        "sluice.yaml:4: http.listen: \"9104\" is not host:port (the port is missing)");
        assertThat(problems(BASE + yaml("http: 127.0.0.1:9104")))
                .containsExactly("sluice.yaml:3: http: expected a mapping of keys, got \"127.0.0.1:9104\"");
        assertThat(problems(BASE + yaml("http: {listen: \"h:70000\"}")))
                .containsExactly(
                        "sluice.yaml:3: http.listen: \"h:70000\": port 70000 is out of range (expected 0..65535)");
    }
}
