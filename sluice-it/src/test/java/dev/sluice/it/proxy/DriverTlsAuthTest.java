package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TLS on and off between the drivers and Sluice (Sluice's self-signed certificate, trusted without
 * verification), both authentication plugins a driver may start with, and a wrong password. TLS is checked on
 * both ends: the driver's own state and Sluice's log line for that session (its id is the connection id the
 * driver learnt from the greeting).
 */
class DriverTlsAuthTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static ProxyFixture fixture;
    private static ProxyLog log;

    @BeforeAll
    static void start() {
        log = new ProxyLog();
        fixture = new ProxyFixture(db.sandbox(), false, 0); // TLS with a self-signed certificate
    }

    @AfterAll
    static void stop() {
        fixture.close();
        log.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, sslMode=REQUIRED, true",
        "CONNECTOR_J, sslMode=DISABLED, false",
        "MARIADB, sslMode=trust, true",
        "MARIADB, sslMode=disable, false",
    })
    void tlsBetweenDriverAndSluiceIsWhatTheDriverAskedFor(Driver driver, String params, boolean tls) throws Exception {
        try (Connection c = driver.viaSluice(fixture, params)) {
            assertThat(driver.usesTls(c)).as("driver's socket is TLS").isEqualTo(tls);
            assertThat(scalar(c, "SELECT CONCAT('tls ', 'works')")).isEqualTo("tls works");
            long id = driver.connectionId(c);
            assertThat(log.awaitLine("session " + id + ": authenticated user app"))
                    .contains("(tls=" + (tls ? "yes" : "no") + ",");
        }
    }

    /**
     * Sluice announces mysql_native_password. A driver starting with it is verified at once; Connector/J told to
     * start with caching_sha2_password answers with that plugin, and Sluice switches it (AuthSwitchRequest) to
     * the announced one, as a server does for an account's plugin. Either way the session is native-authenticated.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, sslMode=DISABLED",
        "CONNECTOR_J, sslMode=REQUIRED",
        "CONNECTOR_J, sslMode=DISABLED&defaultAuthenticationPlugin=caching_sha2_password",
        "CONNECTOR_J, sslMode=REQUIRED&defaultAuthenticationPlugin=caching_sha2_password",
        "CONNECTOR_J, sslMode=DISABLED&defaultAuthenticationPlugin=mysql_native_password",
        "MARIADB, sslMode=disable",
        "MARIADB, sslMode=trust",
    })
    void authPluginsTheDriversStartWith(Driver driver, String params) throws Exception {
        try (Connection c = driver.viaSluice(fixture, params)) {
            assertThat(scalar(c, "SELECT CURRENT_USER()")).startsWith(ProxyFixture.USER + "@");
            long id = driver.connectionId(c);
            assertThat(log.awaitLine("session " + id + ": authenticated user app"))
                    .endsWith("plugin=mysql_native_password, compression=off)");
        }
    }

    /**
     * Proof that Sluice switches a client starting with caching_sha2_password to mysql_native_password: a
     * Connector/J with native disabled cannot follow the AuthSwitchRequest and says so.
     */
    @org.junit.jupiter.api.Test
    void aClientStartingWithCachingSha2IsSwitchedToNative() {
        String params = "defaultAuthenticationPlugin=caching_sha2_password"
                + "&disabledAuthenticationPlugins=mysql_native_password";
        assertThatThrownBy(() -> Driver.CONNECTOR_J.viaSluice(fixture, params).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("mysql_native_password");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, sslMode=DISABLED",
        "CONNECTOR_J, sslMode=REQUIRED&defaultAuthenticationPlugin=caching_sha2_password",
        "MARIADB, sslMode=disable",
        "MARIADB, sslMode=trust",
    })
    void aWrongPasswordIsAccessDenied(Driver driver, String params) {
        int sessions = fixture.proxy.sessionCount();
        for (int port : new int[] {fixture.sandbox.port(), fixture.port()}) {
            String where = port == fixture.port() ? "through Sluice" : "direct";
            boolean viaSluice = port == fixture.port();
            // the sandbox has no TLS
            String p = viaSluice
                    ? params
                    : params.replaceAll(
                            "sslMode=\\w+", driver == Driver.MARIADB ? "sslMode=disable" : "sslMode=DISABLED");
            assertThatThrownBy(() -> driver.connect(port, p, ProxyFixture.USER, "not-" + ProxyFixture.PASSWORD)
                            .close())
                    .as(where)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> {
                        SQLException se = (SQLException) e;
                        assertThat(se.getErrorCode())
                                .as(where + ": %s", se.getMessage())
                                .isEqualTo(1045);
                        assertThat(se.getSQLState())
                                .as(where + ": %s", se.getMessage())
                                .isEqualTo("28000");
                    });
        }
        assertThat(fixture.proxy.sessionCount()).isEqualTo(sessions);
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
