package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code client-auth-plugin: caching_sha2_password}, clients log in to Sluice with MySQL's default
 * plugin (full authentication over TLS or with the RSA key, then the fast path), while Sluice logs in to
 * MariaDB (which has no caching_sha2_password) with mysql_native_password.
 *
 * <p>MySQL Connector/J 9.7 is not used here: in front of MariaDB the greeting carries MariaDB's version, and
 * that driver then fails caching_sha2_password with "Unknown server response after fast auth" (observed);
 * with MariaDB behind Sluice keep the default, mysql_native_password.
 */
class CachingSha2ThroughProxyTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    static ProxyFixture fixture;
    static ProxyLog log;

    @BeforeAll
    static void start() {
        log = new ProxyLog();
        ProxyConfig base = ProxyFixture.config(db.sandbox(), ClientTlsConfig.selfSigned(), false);
        ProxyConfig sha2 = new ProxyConfig(
                base.listeners(),
                base.servers(),
                base.users(),
                base.clientTls(),
                base.timeouts(),
                base.limits(),
                base.localInfile(),
                base.pool(),
                ProxyConfig.CACHING_SHA2_PASSWORD);
        fixture = new ProxyFixture(db.sandbox(), sha2, 0);
    }

    @AfterAll
    static void stop() {
        fixture.close();
        log.close();
    }

    private static Connection mariadb(String options, String password) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + fixture.port() + "/test?" + options, ProxyFixture.USER, password);
    }

    private static long connectionId(Connection c) throws SQLException {
        return c.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
    }

    private static void assertWorks(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith(ProxyFixture.USER + "@");
        }
    }

    @Test
    void fullAuthenticationOverTlsThenTheFastPathWithoutTls() throws Exception {
        long tlsId;
        try (Connection c = mariadb("sslMode=trust", ProxyFixture.PASSWORD)) {
            assertWorks(c);
            tlsId = connectionId(c);
        }
        long plainId;
        try (Connection c = mariadb("sslMode=disable", ProxyFixture.PASSWORD)) {
            // the password is cached from the full authentication: no RSA key needed (none allowed here)
            assertWorks(c);
            plainId = connectionId(c);
        }
        assertThat(log.awaitLine("session " + tlsId + ": authenticated"))
                .contains("plugin=caching_sha2_password")
                .contains("tls=yes");
        assertThat(log.awaitLine("session " + plainId + ": authenticated"))
                .contains("plugin=caching_sha2_password")
                .contains("tls=no");
    }

    @Test
    void wrongPasswordIs1045() {
        assertThatThrownBy(() -> mariadb("sslMode=disable&allowPublicKeyRetrieval=true", "wrong"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1045);
                    assertThat(e.getSQLState()).isEqualTo("28000");
                });
    }

    @Test
    void codecClientWithTheRsaKeyThenFastPath() {
        io.netty.channel.EventLoopGroup group =
                dev.sluice.backend.Transport.best().newGroup(1);
        try {
            dev.sluice.backend.ServerConnector connector =
                    new dev.sluice.backend.ServerConnector(group, dev.sluice.backend.Transport.best());
            for (int i = 0; i < 2; i++) {
                dev.sluice.backend.ConnectOptions options = dev.sluice.backend.ConnectOptions.builder(
                                "127.0.0.1", fixture.port())
                        .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
                        .allowPublicKeyRetrieval(true)
                        .build();
                try (dev.sluice.backend.ServerConnection c =
                        dev.sluice.backend.ServerConnection.await(connector.connect(options))) {
                    assertThat(c.authPlugin()).isEqualTo(ProxyConfig.CACHING_SHA2_PASSWORD);
                    assertThat(c.querySync("SELECT 41 + 1")
                                    .resultSet()
                                    .rows()
                                    .get(0)
                                    .get(0))
                            .isEqualTo(42L);
                }
            }
        } finally {
            group.shutdownGracefully();
        }
    }
}
