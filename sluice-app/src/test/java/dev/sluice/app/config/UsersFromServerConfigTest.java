package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.UsersFromServerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code users-from-server}: accounts loaded from the servers, off unless enabled. */
class UsersFromServerConfigTest {
    /** Two lines: what follows starts at line 3. */
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void offByDefault() {
        assertThat(load(BASE).proxy().usersFromServer()).isNull();
        assertThat(load(BASE + yaml("users-from-server:")).proxy().usersFromServer())
                .isNull();
        assertThat(load(BASE + yaml("users-from-server: {enabled: false, user: u}"))
                        .proxy()
                        .usersFromServer())
                .isNull();
        assertThat(load(BASE).summary()).doesNotContain("users-from-server");
    }

    @Test
    void enabledWithDefaults() {
        SluiceConfig c = load(BASE + yaml("users-from-server:", "  enabled: true", "  user: svc", "  password: pw"));
        assertThat(c.proxy().usersFromServer()).isEqualTo(UsersFromServerConfig.of("svc", "pw"));
        assertThat(c.summary()).contains("; users-from-server as svc every 5m").doesNotContain("pw;");
    }

    @Test
    void intervals() {
        UsersFromServerConfig u = load(BASE
                        + yaml(
                                "users-from-server:",
                                "  enabled: true",
                                "  user: svc",
                                "  password: \"\"",
                                "  refresh-interval: 30s",
                                "  min-refresh-interval: 250ms"))
                .proxy()
                .usersFromServer();
        assertThat(u).isEqualTo(new UsersFromServerConfig("svc", "", Duration.ofSeconds(30), Duration.ofMillis(250)));
        assertThat(u.toString()).doesNotContain("password=");
    }

    @Test
    void override() {
        assertThat(load(
                                BASE,
                                "users-from-server.enabled=true",
                                "users-from-server.user=svc",
                                "users-from-server.password=pw")
                        .proxy()
                        .usersFromServer())
                .isEqualTo(UsersFromServerConfig.of("svc", "pw"));
    }

    @Test
    void errors() {
        assertThat(problems(BASE + yaml("users-from-server:", "  enabled: true", "  pasword: x")))
                .containsExactly(
                        "sluice.yaml:5: users-from-server: unknown key 'pasword' (did you mean 'password'?)",
                        "sluice.yaml:4: users-from-server: 'user:' is required (an account that may read"
                                + " mysql.global_priv or mysql.user)",
                        "sluice.yaml:4: users-from-server: 'password:' is required (password: \"\" for an account"
                                + " without one)");
        assertThat(problems(BASE
                        + yaml(
                                "users-from-server:",
                                "  enabled: true",
                                "  user: svc",
                                "  password: pw",
                                "  refresh-interval: 1s",
                                "  min-refresh-interval: 5s")))
                .containsExactly(
                        "sluice.yaml:8: users-from-server.min-refresh-interval: 5s is more than refresh-interval (1s)");
        assertThat(problems(BASE + yaml("users-from-server: yes")))
                .containsExactly("sluice.yaml:3: users-from-server: expected a mapping of keys, got \"yes\"");
    }
}
