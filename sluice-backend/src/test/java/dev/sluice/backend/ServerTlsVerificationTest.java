package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testkit.MariaDbSandboxExtension;
import dev.sluice.testkit.PathRelay;
import dev.sluice.testkit.TlsFiles;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify-ca and verify-identity against a real MariaDB with TLS: its certificate is signed by the sandbox's CA
 * and names IP 127.0.0.1 and DNS localhost. A {@link PathRelay} on 127.0.0.2 stands for a host the certificate
 * does not name (the same server reached under another address, or a peer on the path holding a certificate
 * the CA signed for someone else). The server's own view ({@code Ssl_version} of the session) shows the link
 * really is TLS.
 */
class ServerTlsVerificationTest {
    private static final String USER = "app";
    private static final String PASSWORD = "tls-secret";
    private static final String X509_USER = "certified";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .tls()
            .user(USER, PASSWORD)
            .initSql("CREATE USER '" + X509_USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "' REQUIRE X509")
            .build();

    private static EventLoopGroup group;
    private static ServerConnector connector;
    private static TlsFiles sandboxCa;
    /** A CA of its own, which signed nothing the sandbox presents. */
    private static TlsFiles otherCa;

    private static PathRelay otherAddress;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
        sandboxCa = db.sandbox().tlsFiles().orElseThrow();
        otherCa = TlsFiles.generate(dir.resolve("other"));
        otherAddress = PathRelay.forwarding(
                "127.0.0.2", db.sandbox().host(), db.sandbox().port());
    }

    @AfterAll
    static void stop() {
        otherAddress.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ConnectOptions.Builder options(String host, int port, ServerTls tls) {
        return ConnectOptions.builder(host, port).user(USER, PASSWORD).tls(tls).connectTimeout(Duration.ofSeconds(10));
    }

    private static ConnectOptions.Builder direct(ServerTls tls) {
        return options(db.sandbox().host(), db.sandbox().port(), tls);
    }

    private static ServerTls trusting(TlsMode mode, TlsFiles ca) {
        return new ServerTls(mode, ca.caCert(), null, null);
    }

    private static ServerConnection connect(ConnectOptions options) {
        return ServerConnection.await(connector.connect(options), Duration.ofSeconds(20));
    }

    /** The server's own word that this session is encrypted. */
    private static void assertServerSeesTls(ServerConnection conn) {
        assertThat(conn.isTls()).isTrue();
        List<Object> row = conn.querySync("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
                        + " WHERE VARIABLE_NAME = 'Ssl_version'")
                .resultSet()
                .rows()
                .get(0);
        assertThat(new String((byte[]) row.get(0), StandardCharsets.UTF_8)).startsWith("TLSv1.");
    }

    private static void assertRefusedCertificate(ConnectOptions options, String reason) {
        assertThatThrownBy(() -> connect(options)).isInstanceOfSatisfying(ServerTrustException.class, e -> {
            assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.TLS);
            assertThat(e.getMessage())
                    .startsWith(options.host() + ":" + options.port() + ": TLS handshake failed: the server's"
                            + " certificate was refused (tls: "
                            + options.tls().mode().configName())
                    .contains(reason)
                    .endsWith("; nothing was sent");
        });
    }

    @Test
    void verifyCaWithTheServersCaLogsIn() {
        try (ServerConnection conn =
                connect(direct(trusting(TlsMode.VERIFY_CA, sandboxCa)).build())) {
            assertServerSeesTls(conn);
        }
    }

    @Test
    void verifyCaRefusesACertificateOfAnotherCa() {
        // same subject name as the sandbox's CA, another key: the signature check fails
        assertRefusedCertificate(direct(trusting(TlsMode.VERIFY_CA, otherCa)).build(), "signature check failed");
    }

    @Test
    void verifyCaWithTheJvmTrustStoreRefusesAPrivateCa() {
        assertRefusedCertificate(direct(ServerTls.of(TlsMode.VERIFY_CA)).build(), "PKIX path building failed");
    }

    @Test
    void verifyIdentityAcceptsTheAddressTheCertificateNames() {
        try (ServerConnection conn =
                connect(direct(trusting(TlsMode.VERIFY_IDENTITY, sandboxCa)).build())) {
            assertServerSeesTls(conn);
        }
        // the DNS name it carries, too
        try (ServerConnection conn =
                connect(options("localhost", db.sandbox().port(), trusting(TlsMode.VERIFY_IDENTITY, sandboxCa))
                        .build())) {
            assertServerSeesTls(conn);
        }
    }

    @Test
    void verifyIdentityRefusesAnAddressTheCertificateDoesNotName() {
        ConnectOptions viaOther = options(
                        otherAddress.host(), otherAddress.port(), trusting(TlsMode.VERIFY_IDENTITY, sandboxCa))
                .build();
        assertRefusedCertificate(viaOther, "No subject alternative names matching IP address 127.0.0.2 found");
    }

    @Test
    void verifyCaChecksTheChainOnlyNotTheName() {
        try (ServerConnection conn =
                connect(options(otherAddress.host(), otherAddress.port(), trusting(TlsMode.VERIFY_CA, sandboxCa))
                        .build())) {
            assertServerSeesTls(conn);
        }
    }

    @Test
    void preferredThroughAPeerThatRemovesTheTlsOfferGoesUnencryptedAndIsReportedOncePerServer() throws Exception {
        ServerConnector fresh = new ServerConnector(group, Transport.best());
        try (PathRelay downgrade = PathRelay.strippingSsl(
                "127.0.0.1", db.sandbox().host(), db.sandbox().port())) {
            String server = downgrade.host() + ":" + downgrade.port();
            for (int i = 0; i < 2; i++) {
                try (ServerConnection conn = ServerConnection.await(
                        fresh.connect(options(downgrade.host(), downgrade.port(), ServerTls.of(TlsMode.PREFERRED))
                                .build()))) {
                    assertThat(conn.isTls()).isFalse();
                }
            }
            assertThat(downgrade.greetingsStripped()).isEqualTo(2);
            // the first connection took the server's one warning; a later report is not logged again
            assertThat(fresh.tlsContexts().warnUnencrypted(server, "test")).isFalse();
            assertThat(fresh.tlsContexts().warnUnencrypted("127.0.0.1:1", "test"))
                    .isTrue();
            // and the same relay under required is refused before anything is sent
            assertThatThrownBy(() -> connect(options(downgrade.host(), downgrade.port(), ServerTls.of(TlsMode.REQUIRED))
                            .build()))
                    .isInstanceOfSatisfying(
                            ServerTrustException.class,
                            e -> assertThat(e.getMessage()).contains("tls required, but the server's greeting"));
        }
    }

    @Test
    void aClientCertificateLogsInToAnAccountThatRequiresX509() {
        ServerTls withCertificate = new ServerTls(
                TlsMode.VERIFY_IDENTITY, sandboxCa.caCert(), sandboxCa.clientCert(), sandboxCa.clientKey());
        try (ServerConnection conn =
                connect(direct(withCertificate).user(X509_USER, PASSWORD).build())) {
            assertServerSeesTls(conn);
        }
        // the same account without a certificate is refused by the server
        assertThatThrownBy(() -> connect(direct(trusting(TlsMode.VERIFY_IDENTITY, sandboxCa))
                        .user(X509_USER, PASSWORD)
                        .build()))
                .isInstanceOfSatisfying(
                        ServerException.class, e -> assertThat(e.errorCode()).isEqualTo(1045));
    }
}
