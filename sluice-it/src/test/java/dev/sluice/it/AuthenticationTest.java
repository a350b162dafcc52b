package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.TlsMode;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Logging in to a real MariaDB with the codec client: mysql_native_password with and without TLS, an empty
 * password, a wrong one, an ed25519 account (client_ed25519, with and without TLS, and a wrong password), and a
 * server with require_secure_transport refusing plain TCP. MariaDB has no caching_sha2_password; that exchange is
 * tested against a scripted fake in sluice-backend.
 */
class AuthenticationTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .tls()
            .user("app", "secret")
            .user("nopw", "")
            .user("edu", "secret", "ed25519")
            .build();

    @RegisterExtension
    static MariaDbSandboxExtension secure = MariaDbSandboxExtension.builder()
            .requireSecureTransport()
            .user("app", "secret")
            .build();

    private static CodecClient codec;

    @BeforeAll
    static void start() {
        codec = new CodecClient();
    }

    @AfterAll
    static void stop() {
        codec.close();
    }

    private static String scalar(ServerConnection c, String sql) {
        List<Object> row = c.querySync(sql).resultSet().rows().get(0);
        Object v = row.get(row.size() - 1);
        return v == null ? null : v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
    }

    private static ServerConnection login(MariaDbSandbox sandbox, String user, String password, TlsMode tls) {
        return codec.connect(sandbox, b -> b.user(user, password).tls(tls));
    }

    @Test
    void nativePasswordInTheClear() {
        try (ServerConnection c = login(db.sandbox(), "app", "secret", TlsMode.DISABLED)) {
            assertThat(c.isTls()).isFalse();
            assertThat(c.authPlugin()).isEqualTo("mysql_native_password");
            assertThat(scalar(c, "SELECT CURRENT_USER()")).isEqualTo("app@%");
            assertThat(scalar(c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsMode.class,
            names = {"REQUIRED", "PREFERRED"})
    void nativePasswordOverTls(TlsMode mode) {
        try (ServerConnection c = login(db.sandbox(), "app", "secret", mode)) {
            assertThat(c.isTls()).isTrue();
            assertThat(c.authPlugin()).isEqualTo("mysql_native_password");
            assertThat(scalar(c, "SELECT CURRENT_USER()")).isEqualTo("app@%");
            assertThat(scalar(c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'"))
                    .as("server-side TLS cipher")
                    .isNotBlank();
            assertThat(scalar(c, "SHOW SESSION STATUS LIKE 'Ssl_version'")).startsWith("TLSv1.");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsMode.class,
            names = {"DISABLED", "REQUIRED"})
    void anEmptyPassword(TlsMode mode) {
        try (ServerConnection c = login(db.sandbox(), "nopw", "", mode)) {
            assertThat(scalar(c, "SELECT CURRENT_USER()")).isEqualTo("nopw@%");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsMode.class,
            names = {"DISABLED", "REQUIRED"})
    void aWrongPasswordIsRefusedWithAccessDenied(TlsMode mode) {
        Throwable failure =
                catchThrowable(() -> login(db.sandbox(), "app", "wrong", mode).close());

        assertThat(failure).isInstanceOf(ServerException.class).hasMessageContaining("'app'");
        ServerException e = (ServerException) failure;
        assertThat(e.errorCode()).isEqualTo(1045);
        assertThat(e.sqlState()).isEqualTo("28000");
        assertThat(e.err().message()).contains("Access denied for user 'app'");
    }

    @Test
    void aPasswordForAnEmptyPasswordAccountIsRefused() {
        assertThatThrownBy(() -> login(db.sandbox(), "nopw", "something", TlsMode.DISABLED)
                        .close())
                .isInstanceOfSatisfying(
                        ServerException.class, e -> assertThat(e.errorCode()).isEqualTo(1045));
    }

    /**
     * The server switches the client to client_ed25519 (its 32-byte scramble); the signature needs no TLS, since it
     * reveals nothing a peer could log in with.
     */
    @ParameterizedTest
    @EnumSource(
            value = TlsMode.class,
            names = {"DISABLED", "REQUIRED"})
    void anEd25519AccountLogsInWithItsSignature(TlsMode mode) {
        assertThat(scalar(db.sandbox(), "edu")).isEqualTo("ed25519");

        try (ServerConnection c = login(db.sandbox(), "edu", "secret", mode)) {
            assertThat(c.isTls()).isEqualTo(mode == TlsMode.REQUIRED);
            assertThat(c.authPlugin()).isEqualTo("client_ed25519");
            assertThat(scalar(c, "SELECT CURRENT_USER()")).isEqualTo("edu@%");
        }
    }

    @Test
    void anEd25519AccountWithAWrongPasswordIsRefusedWithAccessDenied() {
        Throwable failure = catchThrowable(
                () -> login(db.sandbox(), "edu", "secreT", TlsMode.DISABLED).close());

        assertThat(failure).isInstanceOf(ServerException.class).hasMessageContaining("(client_ed25519) refused");
        ServerException e = (ServerException) failure;
        assertThat(e.errorCode()).isEqualTo(1045);
        assertThat(e.err().message()).contains("Access denied for user 'edu'");
    }

    private static String scalar(MariaDbSandbox sandbox, String user) {
        return sandbox.execute("SELECT plugin FROM mysql.user WHERE user = '" + user + "'")
                .strip();
    }

    /**
     * MariaDB 10.11 answers a login without TLS on such a server with ER_ACCESS_DENIED (1045, 28000), not
     * MySQL's ER_SECURE_TRANSPORT_REQUIRED (3159); both Connector/Js get the same. The same credentials over
     * TLS succeed, so it is the transport that was refused.
     */
    @Test
    void requireSecureTransportRefusesPlainTcp() {
        Throwable failure = catchThrowable(
                () -> login(secure.sandbox(), "app", "secret", TlsMode.DISABLED).close());

        assertThat(failure).isInstanceOf(ServerException.class);
        ServerException e = (ServerException) failure;
        assertThat(e.errorCode()).isEqualTo(1045);
        assertThat(e.sqlState()).isEqualTo("28000");
        try (ServerConnection c = login(secure.sandbox(), "app", "secret", TlsMode.PREFERRED)) {
            assertThat(c.isTls()).isTrue();
        }
    }

    @Test
    void requireSecureTransportAdmitsTls() {
        try (ServerConnection c = login(secure.sandbox(), "app", "secret", TlsMode.REQUIRED)) {
            assertThat(c.isTls()).isTrue();
            assertThat(scalar(c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")).isNotBlank();
        }
    }
}
