package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code client-auth-plugin: client_ed25519} (issue 14 item 5, towards clients): Sluice switches each client to
 * client_ed25519 and verifies its signature against the public key of the configured password. The {@code mariadb}
 * CLI and MariaDB Connector/J log in and run statements; a wrong password is ERR 1045 as for the other plugins.
 * MySQL Connector/J has no client_ed25519 and says so.
 */
class Ed25519ClientLoginTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        ProxyConfig config = ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false);
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.withClientAuthPlugin(config, ProxyConfig.CLIENT_ED25519));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static ProgramRun cli(String password, String... options) {
        List<String> command = new ArrayList<>(List.of(
                "mariadb",
                "--no-defaults",
                "-h127.0.0.1",
                "-P" + fixture.port(),
                "-u" + ProxyFixture.USER,
                "-p" + password));
        command.addAll(List.of(options));
        return ProgramRun.run(command, Duration.ofSeconds(60));
    }

    @Test
    void theMariadbCliLogsInWithClientEd25519() {
        ProgramRun run = cli(ProxyFixture.PASSWORD, "--batch", "-N", "-e", "SELECT CURRENT_USER(), 6 * 7", "test");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).isEqualTo(ProxyFixture.USER + "@%\t42\n");
    }

    @Test
    void theMariadbCliWithAWrongPasswordGets1045() {
        ProgramRun run = cli("wrong", "-e", "SELECT 1");

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.stderr())
                .startsWith("ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)");
    }

    @Test
    void mariadbConnectorJLogsInWithClientEd25519() throws Exception {
        try (Connection c = fixture.mariadb("");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CURRENT_USER(), DATABASE()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(ProxyFixture.USER + "@%");
            assertThat(rs.getString(2)).isEqualTo("test");
        }
        assertThatThrownBy(() -> Driver.MARIADB.connect(fixture.port(), "", ProxyFixture.USER, "wrong"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
    }

    /** MySQL Connector/J implements no client_ed25519: it refuses the switch, naming the plugin. */
    @Test
    void mysqlConnectorJCannotFollowTheSwitch() {
        assertThatThrownBy(() -> fixture.mysql("").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("client_ed25519");
    }
}
