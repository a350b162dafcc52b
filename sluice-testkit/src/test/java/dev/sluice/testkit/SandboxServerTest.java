package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One shared TLS sandbox: per-test server options, TLS, created users and init SQL as seen by a real client. */
class SandboxServerTest {
    @RegisterExtension
    static final MariaDbSandboxExtension DB = MariaDbSandboxExtension.builder()
            .name("server-test")
            .option("wait_timeout", "7")
            .option("max_allowed_packet", "64M")
            .requireSecureTransport()
            .user("app", "secret")
            .user("edu", "s3cret'\\x", "ed25519")
            .initSql(
                    "CREATE DATABASE shop",
                    "CREATE TABLE shop.item (id INT PRIMARY KEY)",
                    "INSERT INTO shop.item VALUES (42)")
            .build();

    private static final String TLS = "sslMode=trust";

    @Test
    void perTestOptionsAreApplied() throws SQLException {
        try (Connection c = Jdbc.root(DB.sandbox(), TLS)) {
            assertThat(Jdbc.scalar(c, "SELECT @@GLOBAL.wait_timeout")).isEqualTo("7");
            assertThat(Jdbc.scalar(c, "SELECT @@GLOBAL.max_allowed_packet")).isEqualTo(Long.toString(64L << 20));
        }
    }

    @Test
    void tlsIsNegotiated() throws SQLException {
        try (Connection c = Jdbc.root(DB.sandbox(), TLS)) {
            assertThat(Jdbc.scalar(
                            c,
                            "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
                                    + " WHERE VARIABLE_NAME = 'Ssl_cipher'"))
                    .isNotBlank();
        }
    }

    @Test
    void serverCertificateVerifiesAgainstTheGeneratedCa() throws SQLException {
        TlsFiles tls = DB.sandbox().tlsFiles().orElseThrow();
        try (Connection c = Jdbc.root(DB.sandbox(), "sslMode=verify-full&serverSslCert=" + tls.caCert())) {
            assertThat(Jdbc.scalar(c, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void clientAndServerCertificatesChainToTheCa() throws Exception {
        TlsFiles tls = DB.sandbox().tlsFiles().orElseThrow();
        Process verify = new ProcessBuilder(
                        "openssl",
                        "verify",
                        "-CAfile",
                        tls.caCert().toString(),
                        tls.serverCert().toString(),
                        tls.clientCert().toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(verify.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(verify.waitFor()).as(output).isZero();
        assertThat(output).contains(tls.serverCert() + ": OK").contains(tls.clientCert() + ": OK");
        assertThat(Files.readString(tls.serverKey())).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void plainTcpIsRefusedWhenSecureTransportIsRequired() throws SQLException {
        // MariaDB 10.11 answers an insecure login with plain "Access denied" (1045), so the same credentials
        // must work over TLS for the refusal to be about transport
        assertThatThrownBy(() -> Jdbc.root(DB.sandbox(), "sslMode=disable").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access denied");
        try (Connection c = Jdbc.root(DB.sandbox(), TLS)) {
            assertThat(Jdbc.scalar(c, "SELECT @@require_secure_transport")).isEqualTo("1");
        }
    }

    @Test
    void createdUsersLogInWithTheirPlugin() throws SQLException {
        try (Connection c = Jdbc.connect(DB.sandbox(), "app", "secret", TLS)) {
            assertThat(Jdbc.scalar(c, "SELECT CURRENT_USER()")).isEqualTo("app@%");
        }
        try (Connection c = Jdbc.connect(DB.sandbox(), "edu", "s3cret'\\x", TLS)) {
            assertThat(Jdbc.scalar(c, "SELECT CURRENT_USER()")).isEqualTo("edu@%");
        }
        assertThat(DB.sandbox()
                        .execute("SELECT user, plugin FROM mysql.user WHERE user IN ('app', 'edu') ORDER BY user"))
                .isEqualTo("app\tmysql_native_password\nedu\ted25519\n");
    }

    @Test
    void wrongPasswordIsDenied() {
        assertThatThrownBy(() -> Jdbc.connect(DB.sandbox(), "app", "wrong", TLS).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access denied");
        assertThatThrownBy(() -> Jdbc.connect(DB.sandbox(), "root", "", TLS).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access denied");
    }

    @Test
    void initSqlRanOnce() throws SQLException {
        try (Connection c = Jdbc.connect(DB.sandbox(), "app", "secret", TLS)) {
            assertThat(Jdbc.scalar(c, "SELECT GROUP_CONCAT(id) FROM shop.item")).isEqualTo("42");
        }
    }

    @Test
    void executeUsesTheSocketAndReturnsBatchOutput() {
        assertThat(DB.sandbox().execute("SELECT 1 + 1, 'a'")).isEqualTo("2\ta\n");
        assertThatThrownBy(() -> DB.sandbox().execute("SELEC 1"))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("ERROR 1064");
    }

    @Test
    void sandboxIsResolvedAsParameter(MariaDbSandbox db) {
        assertThat(db).isSameAs(DB.sandbox());
        assertThat(db.isRunning()).isTrue();
        assertThat(db.socket()).exists();
    }
}
