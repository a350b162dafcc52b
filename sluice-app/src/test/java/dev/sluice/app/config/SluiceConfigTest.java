package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SluiceConfigTest {
    @Test
    void summaryShowsTheEffectiveConfigurationWithoutSecrets() {
        SluiceConfig config = load(yaml(
                "listen: [\"127.0.0.1:3307\", \"[::1]:3307\"]",
                "servers:",
                "  - {name: primary, address: 127.0.0.1:3306, tls: disabled}",
                "users:",
                "  - {name: app, password: hunter2, server-user: app_rw, server-password: hunter3}",
                "  - {name: ro, password-hash: \"*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29\",",
                "     server-password: hunter4}",
                "server-read-timeout: 90s",
                "max-packet-size: 16MiB",
                "instance-id: 7"));

        assertThat(config.summary())
                .isEqualTo("listen 127.0.0.1:3307, [::1]:3307; servers primary=127.0.0.1:3306 (tls disabled); users"
                        + " app->app_rw, ro [hash]; tls self-signed (optional); connect-timeout 10s,"
                        + " client-handshake-timeout 10s, client-write-timeout 1m, server-read-timeout 90s,"
                        + " client-idle-timeout off, shutdown-timeout 30s; max-packet-size 16MiB, max-client-connections 10000; local-infile"
                        + " off; client-auth-plugin mysql_native_password; pool max-size none, min-idle 0, idle-timeout 10m, max-lifetime 30m, acquire-timeout 5s,"
                        + " health-check-interval 2s, reset-timeout 5s, max-server-connections server's max_connections - 2;"
                        + " instance-id 7")
                .doesNotContain("hunter", "94BDCEBE");
    }

    @Test
    void summarySaysWhenNobodyCanLogIn() {
        assertThat(load("servers: [{address: h:1}]\ntls: false\n").summary())
                .contains("users none (every login is refused)")
                .contains("tls off");
    }
}
