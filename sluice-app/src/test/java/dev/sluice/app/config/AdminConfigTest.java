package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.UserConfig;
import org.junit.jupiter.api.Test;

/** {@code admin}: the operators' MySQL-protocol admin interface, off unless configured. */
class AdminConfigTest {
    /** Two lines: what follows starts at line 3. */
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void offByDefault() {
        assertThat(load(BASE).proxy().admin()).isNull();
        assertThat(load(BASE + yaml("admin:")).proxy().admin()).isNull();
        assertThat(load(BASE + yaml("admin: {listen: }")).proxy().admin()).isNull();
        assertThat(load(BASE).summary()).doesNotContain("admin");
    }

    @Test
    void listenUsersAndTheMainTls() {
        SluiceConfig c = load(
                BASE + yaml("admin:", "  listen: 127.0.0.1:6033", "  users:", "    - {name: ops, password: s3cret}"));
        AdminConfig admin = c.proxy().admin();
        assertThat(admin.listen()).isEqualTo(new ListenerConfig("127.0.0.1", 6033));
        assertThat(admin.users()).containsExactly(UserConfig.of("ops", "s3cret"));
        assertThat(admin.user("ops")).isNotNull();
        assertThat(admin.user("app")).as("client users are not admin users").isNull();
        assertThat(c.proxy().user("ops")).as("admin users are not client users").isNull();
        assertThat(admin.tls()).isEqualTo(c.proxy().clientTls());
        assertThat(c.summary()).endsWith("; admin 127.0.0.1:6033");
    }

    @Test
    void tlsOfItsOwn() {
        AdminConfig off = load(BASE + yaml("admin: {listen: \"h:0\", users: [{name: o, password: p}], tls: false}"))
                .proxy()
                .admin();
        assertThat(off.tls().enabled()).isFalse();
        AdminConfig required = load(BASE
                        + yaml("admin: {listen: \"h:0\", users: [{name: o, password: p}]," + " tls: {required: true}}"))
                .proxy()
                .admin();
        assertThat(required.tls()).isEqualTo(new ClientTlsConfig(true, null, null, true));
    }

    @Test
    void override() {
        AdminConfig admin = load(BASE + yaml("admin: {users: [{name: o, password: p}]}"), "admin.listen=0.0.0.0:7000")
                .proxy()
                .admin();
        assertThat(admin.listen()).isEqualTo(new ListenerConfig("0.0.0.0", 7000));
    }

    @Test
    void errors() {
        assertThat(problems(BASE + yaml("admin:", "  listen: 127.0.0.1:6033")))
                .containsExactly(
                        "sluice.yaml:4: admin.users: required with admin.listen (who may log in to the admin port)");
        assertThat(problems(BASE
                        + yaml(
                                "admin:",
                                "  listen: 6033",
                                "  lisen: x",
                                "  users:",
                                "    - {name: ops}",
                                "    - {name: ops, password: p, pasword: q}")))
                .containsExactly(
                        "sluice.yaml:5: admin: unknown key 'lisen' (did you mean 'listen'?)",
                        "sluice.yaml:7: admin.users[0]: 'password:' is required",
                        "sluice.yaml:8: admin.users[1]: unknown key 'pasword' (did you mean 'password'?)",
                        "sluice.yaml:8: admin.users[1].name: duplicate admin user 'ops' (also admin.users[0])",
                        "sluice.yaml:4: admin.listen: \"6033\" is not host:port (the port is missing)");
        assertThat(problems(BASE + yaml("admin: {listen: \"h:1\", users: []}")))
                .containsExactly("sluice.yaml:3: admin.users: at least one user is required");
        assertThat(
                        problems(
                                BASE
                                        + yaml(
                                                "admin: {listen: \"h:1\", users: [{name: o, password: p}], tls: {required: true, enabled: false}}")))
                .containsExactly("sluice.yaml:3: admin.tls.required: needs admin.tls.enabled: true");
        assertThat(problems(BASE + yaml("admin: 6033")))
                .containsExactly("sluice.yaml:3: admin: expected a mapping of keys, got \"6033\"");
    }
}
