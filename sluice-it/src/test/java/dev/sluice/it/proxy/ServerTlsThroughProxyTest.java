package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.ServerTls;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.Transport;
import dev.sluice.backend.fake.FakeMysqlServer;
import dev.sluice.backend.fake.Received.Kind;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import dev.sluice.testkit.PathRelay;
import dev.sluice.testkit.TlsFiles;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, item 1, as a client of Sluice sees it: the settings of {@code servers[N]} decide whether Sluice trusts
 * the link to a server with a password, and a refusal reaches the client as an ERR naming the server and the
 * reason (and Sluice's log says the same). The real MariaDB has TLS with a certificate from its own CA, for
 * 127.0.0.1; the scripted fake (real bytes) plays the server MariaDB cannot be: a peer on the path with a
 * self-signed certificate asking for {@code mysql_clear_password}, and MySQL's caching_sha2_password.
 */
class ServerTlsThroughProxyTest {
    private static final String USER = ProxyFixture.USER;
    private static final String PASSWORD = ProxyFixture.PASSWORD;
    private static final String CLEAR_PASSWORD = "mysql_clear_password";
    /** A server account that only a client certificate signed by the sandbox's CA may use. */
    private static final String X509_USER = "certified";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .tls()
            .user(USER, PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE USER '" + X509_USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "' REQUIRE X509",
                    "GRANT ALL ON test.* TO '" + X509_USER + "'@'%'")
            .build();

    private static EventLoopGroup group;
    private static ServerConnector clients;
    private static TlsFiles otherCa;

    private final ConcurrentLinkedQueue<ILoggingEvent> log = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            log.add(event);
        }
    };

    @BeforeAll
    static void start(@TempDir Path dir) {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        clients = new ServerConnector(group, transport);
        otherCa = TlsFiles.generate(dir.resolve("other"));
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void captureLog() {
        appender.start();
        ((Logger) LoggerFactory.getLogger("dev.sluice")).addAppender(appender);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger("dev.sluice")).detachAppender(appender);
        appender.stop();
    }

    private static ProxyServer proxy(ServerConfig server) {
        return ProxyServer.start(new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                List.of(server),
                List.of(UserConfig.of(USER, PASSWORD), UserConfig.of(X509_USER, PASSWORD)),
                ProxyFixture.NO_TLS,
                Timeouts.defaults(),
                Limits.defaults(),
                false));
    }

    private static ServerTls trusting(TlsMode mode, Path ca) {
        return new ServerTls(mode, ca, null, null);
    }

    private static Connection mariadb(ProxyServer proxy) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + proxy.addresses().get(0).getPort() + "/test?sslMode=disable",
                USER,
                PASSWORD);
    }

    /** A protocol-level client of Sluice (no driver set-up queries, which a fake server could not answer). */
    private static ServerConnection client(ProxyServer proxy) {
        return ServerConnection.await(
                clients.connect(ConnectOptions.builder(
                                "127.0.0.1", proxy.addresses().get(0).getPort())
                        .user(USER, PASSWORD)
                        .build()),
                Duration.ofSeconds(20));
    }

    private static String serverSslVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VARIABLE_VALUE FROM"
                        + " information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /**
     * The ERR Sluice answers a client's first statement with (MariaDB Connector/J wraps it when it arrives for
     * its own set-up command, so the one with a code is looked for among the causes).
     */
    private static SQLException firstQueryFails(ProxyServer proxy) {
        try (Connection c = mariadb(proxy);
                Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1");
        } catch (SQLException thrown) {
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                if (t instanceof SQLException e && e.getErrorCode() > 0) {
                    return e;
                }
            }
            return thrown;
        }
        throw new AssertionError("the first statement through Sluice succeeded");
    }

    private List<String> logLines(Level level, String containing) {
        return log.stream()
                .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(containing))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aPeerWithASelfSignedCertificateAskingForTheClearPasswordGetsNoPasswordAndTheClientAClearError() {
        try (FakeMysqlServer mitm = FakeMysqlServer.builder()
                        .account(USER, PASSWORD)
                        .tls(true)
                        .accountPlugin(CLEAR_PASSWORD)
                        .start();
                ProxyServer proxy = proxy(new ServerConfig("db", mitm.host(), mitm.port(), TlsMode.REQUIRED))) {
            SQLException e = firstQueryFails(proxy);
            assertThat(e.getErrorCode()).as("%s", e).isEqualTo(1251);
            assertThat(e.getSQLState()).isEqualTo("08004");
            assertThat(e.getMessage())
                    .contains("sluice: server db: " + mitm.host() + ":" + mitm.port())
                    .contains("asked for the password in clear (" + CLEAR_PASSWORD + ")")
                    .contains("not verified (tls: required)");
            byte[] password = PASSWORD.getBytes(StandardCharsets.UTF_8);
            assertThat(mitm.received())
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(new String(r.payload(), StandardCharsets.ISO_8859_1))
                            .doesNotContain(new String(password, StandardCharsets.ISO_8859_1)));
            assertThat(mitm.received(Kind.AUTH_SWITCH_RESPONSE)).isEmpty();
            assertThat(logLines(Level.WARN, "cannot open a connection to server db"))
                    .anySatisfy(l -> assertThat(l).contains(CLEAR_PASSWORD));
        }
    }

    @Test
    void verifyCaWithACaThatDidNotSignTheServersCertificateIsRefusedWithAClearError() {
        try (ProxyServer proxy = proxy(new ServerConfig(
                "db",
                db.sandbox().host(),
                db.sandbox().port(),
                trusting(TlsMode.VERIFY_CA, otherCa.caCert()),
                false,
                null,
                false))) {
            SQLException e = firstQueryFails(proxy);
            assertThat(e.getErrorCode()).as("%s", e).isEqualTo(1429);
            assertThat(e.getMessage())
                    .contains("sluice: server db: ")
                    .contains("TLS handshake failed: the server's certificate was refused (tls: verify-ca (ca "
                            + otherCa.caCert() + "))");
            assertThat(logLines(Level.WARN, "cannot open a connection to server db"))
                    .anySatisfy(l -> assertThat(l).contains("certificate was refused"));
            // the mariadb CLI (MariaDB Connector/C) shows it too: a code in the client range 2000-2999 would
            // reach it as "ERROR 2027: Received malformed packet", the reason lost
            ProgramRun cli = ProgramRun.run(
                    List.of(
                            "mariadb",
                            "--no-defaults",
                            "-h127.0.0.1",
                            "-P" + proxy.addresses().get(0).getPort(),
                            "-u" + USER,
                            "-p" + PASSWORD,
                            "-e",
                            "SELECT 1"),
                    Duration.ofSeconds(30));
            assertThat(cli.exitCode()).isNotZero();
            assertThat(cli.stderr())
                    .contains("ERROR 1429 (HY000)")
                    .contains("sluice: server db: ")
                    .contains("the server's certificate was refused");
        }
    }

    @Test
    void aCaBundleThatCannotBeUsedStopsTheStartNamingTheServerAndTheFile(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        assertThatThrownBy(() -> proxy(new ServerConfig(
                        "db",
                        db.sandbox().host(),
                        db.sandbox().port(),
                        trusting(TlsMode.VERIFY_CA, garbage),
                        false,
                        null,
                        false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("server db: tls-ca " + garbage + ": ");
    }

    @Test
    void verifyIdentityWithTheServersCaLogsInOverTls() throws Exception {
        Path ca = db.sandbox().tlsFiles().orElseThrow().caCert();
        try (ProxyServer proxy = proxy(new ServerConfig(
                        "db",
                        db.sandbox().host(),
                        db.sandbox().port(),
                        trusting(TlsMode.VERIFY_IDENTITY, ca),
                        false,
                        null,
                        false));
                Connection c = mariadb(proxy)) {
            assertThat(serverSslVersion(c)).startsWith("TLSv1.");
        }
    }

    @Test
    void theKillQueryConnectionUsesTheServersTlsSettingsClientCertificateIncluded() throws Exception {
        TlsFiles files = db.sandbox().tlsFiles().orElseThrow();
        ServerTls withCertificate =
                new ServerTls(TlsMode.VERIFY_IDENTITY, files.caCert(), files.clientCert(), files.clientKey());
        try (ProxyServer proxy = proxy(new ServerConfig(
                        "db", db.sandbox().host(), db.sandbox().port(), withCertificate, false, null, false));
                PathRelay clientPath = PathRelay.forwarding(
                        "127.0.0.1", "127.0.0.1", proxy.addresses().get(0).getPort())) {
            Connection c = DriverManager.getConnection(
                    "jdbc:mariadb://127.0.0.1:" + clientPath.port() + "/test?sslMode=disable", X509_USER, PASSWORD);
            assertThat(serverSslVersion(c)).startsWith("TLSv1.");
            Statement sleeper = c.createStatement();
            Thread running = new Thread(() -> {
                try {
                    sleeper.executeQuery("SELECT SLEEP(60)");
                } catch (SQLException e) {
                    // the connection is aborted below
                }
            });
            running.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> sleeping() == 1);
            // the client's connection breaks mid-statement (no KILL from the driver, as abort() would send):
            // Sluice kills the statement on a connection of its own, as the same server user
            clientPath.close();

            await().atMost(Duration.ofSeconds(10)).until(() -> sleeping() == 0);
            assertThat(logLines(Level.INFO, ": killed COM_QUERY on server db thread "))
                    .as("%s", log)
                    .hasSize(1);
            assertThat(logLines(Level.WARN, "could not kill")).isEmpty();
            running.join(10_000);
        }
    }

    /** Statements SLEEP(60) running on the server. */
    private static int sleeping() {
        return Integer.parseInt(db.sandbox()
                .execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                        + " WHERE INFO = 'SELECT SLEEP(60)' AND COMMAND = 'Query'")
                .strip());
    }

    @Test
    void preferredThroughAPeerThatRemovesTheTlsOfferWarnsOncePerServer() throws Exception {
        try (PathRelay downgrade = PathRelay.strippingSsl(
                        "127.0.0.1", db.sandbox().host(), db.sandbox().port());
                ProxyServer proxy =
                        proxy(new ServerConfig("db", downgrade.host(), downgrade.port(), TlsMode.PREFERRED));
                Connection first = mariadb(proxy);
                Connection second = mariadb(proxy)) {
            // two sessions at once: two server connections, both unencrypted
            assertThat(serverSslVersion(first)).isEmpty();
            assertThat(serverSslVersion(second)).isEmpty();
            // the start-up probe and at least one session connection (the pool may serve both sessions with one)
            assertThat(downgrade.greetingsStripped())
                    .as("greetings that lost their TLS offer")
                    .isGreaterThanOrEqualTo(2);

            String server = downgrade.host() + ":" + downgrade.port();
            assertThat(logLines(Level.WARN, "tls preferred, but"))
                    .singleElement()
                    .asString()
                    .startsWith("server " + server + ": tls preferred, but its greeting (")
                    .contains("offers no TLS: connections to it go unencrypted");
            // the start-up line says it too
            assertThat(logLines(Level.INFO, "server db (" + server + ") is "))
                    .singleElement()
                    .asString()
                    .endsWith("tls preferred: its greeting offers no TLS, so connections to it go unencrypted");
        }
    }

    @Test
    void cachingSha2FullAuthenticationWithoutTlsUsesThePinnedKeyOrFailsNamingTheRemedies() {
        try (FakeMysqlServer mysql =
                FakeMysqlServer.builder().account(USER, PASSWORD).start()) {
            try (ProxyServer proxy = proxy(new ServerConfig(
                            "mysql", mysql.host(), mysql.port(), ServerTls.of(TlsMode.DISABLED), false, null, false));
                    ServerConnection c = client(proxy)) {
                assertThatThrownBy(() -> c.querySync("SELECT 42")).isInstanceOfSatisfying(ServerException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(1251);
                    assertThat(e.getMessage())
                            .contains("sluice: server mysql: ")
                            .contains("needs the server's RSA public key")
                            .contains("server-public-key")
                            .contains("allow-public-key-retrieval");
                });
            }
            assertThat(mysql.received(Kind.ENCRYPTED_PASSWORD)).isEmpty();

            try (ProxyServer proxy = proxy(new ServerConfig(
                            "mysql",
                            mysql.host(),
                            mysql.port(),
                            ServerTls.of(TlsMode.DISABLED),
                            false,
                            mysql.publicKey(),
                            false));
                    ServerConnection c = client(proxy)) {
                assertThat(c.querySync("SELECT 42").resultSet().rows()).containsExactly(List.of(42L));
            }
            // the pinned key: no request for it, which a peer on the path could have answered with its own
            assertThat(mysql.received(Kind.PUBLIC_KEY_REQUEST)).isEmpty();
            assertThat(mysql.received(Kind.ENCRYPTED_PASSWORD)).hasSize(1);
            assertThat(mysql.isCached()).isTrue();
        }
    }
}
