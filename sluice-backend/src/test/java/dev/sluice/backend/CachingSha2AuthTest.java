package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.fake.FakeMysqlServer;
import dev.sluice.backend.fake.Received;
import dev.sluice.backend.fake.Received.Kind;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.testkit.TlsFiles;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's caching_sha2_password paths against {@link FakeMysqlServer}: the MariaDB the other tests use
 * cannot speak MySQL's plugin. Each test logs in, then runs a query through the same connection, and checks
 * what the fake received byte for byte: which packets, in which order, inside TLS or not, and that the
 * password never crossed the socket in clear.
 */
class CachingSha2AuthTest {
    private static final String USER = "app";
    private static final String CLEAR_PASSWORD = "mysql_clear_password";
    private static final String PASSWORD = "s3cret-pw";
    private static final byte[] PASSWORD_BYTES = PASSWORD.getBytes(StandardCharsets.UTF_8);

    private static EventLoopGroup group;
    private static ServerConnector connector;
    /** A CA and a server certificate it signed, for IP 127.0.0.1 (where the fake listens) and localhost. */
    private static TlsFiles certificates;

    @BeforeAll
    static void startClient(@TempDir Path dir) {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
        certificates = TlsFiles.generate(dir.resolve("tls"));
    }

    /** A fake presenting a certificate that {@link #verified} trusts. */
    private static FakeMysqlServer.Builder fakeWithCaSignedCertificate() {
        return fake().tls(certificates.serverCert(), certificates.serverKey());
    }

    /** TLS that checks the fake's certificate against the test CA and the host name (127.0.0.1). */
    private static ServerTls verified() {
        return new ServerTls(TlsMode.VERIFY_IDENTITY, certificates.caCert(), null, null);
    }

    @AfterAll
    static void stopClient() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static FakeMysqlServer.Builder fake() {
        return FakeMysqlServer.builder().account(USER, PASSWORD);
    }

    private static ConnectOptions.Builder options(FakeMysqlServer fake) {
        return ConnectOptions.builder(fake.host(), fake.port())
                .user(USER, PASSWORD)
                .connectTimeout(Duration.ofSeconds(10));
    }

    private static ServerConnection connect(ConnectOptions options) {
        return ServerConnection.await(connector.connect(options), Duration.ofSeconds(20));
    }

    @Test
    void fastPathWithoutTls() {
        try (FakeMysqlServer fake = fake().cached(true).start();
                ServerConnection conn = connect(options(fake).build())) {
            assertThat(conn.authPlugin()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
            assertThat(conn.isTls()).isFalse();
            assertQueryWorks(conn, fake);

            List<Received> got = fake.received();
            assertThat(got).as("%s", fake).extracting(Received::kind).containsExactly(Kind.LOGIN, Kind.COMMAND);
            Received login = got.get(0);
            assertThat(login.sequenceId()).isEqualTo(1); // after the greeting's 0
            HandshakeResponse41 response = decodeLogin(login);
            assertThat(response.username()).isEqualTo(USER);
            assertThat(response.authPluginName()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
            // SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble): 32 bytes, for the greeting's scramble
            assertThat(response.authResponse())
                    .hasSize(32)
                    .isEqualTo(CachingSha2Password.scramble(
                            PASSWORD_BYTES, conn.greeting().scramble()));
            assertThat(login.scramble()).isEqualTo(conn.greeting().scramble());
            // Fast auth: 0x03 (seq 2) and OK (seq 3); the command then restarts at 0.
            assertThat(got.get(1).sequenceId()).isZero();
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void fullAuthOverVerifiedTlsSendsTheCleartextPasswordOnlyInsideTls() {
        try (FakeMysqlServer fake = fakeWithCaSignedCertificate().start();
                ServerConnection conn = connect(options(fake).tls(verified()).build())) {
            assertThat(conn.isTls()).isTrue();
            assertThat(conn.authPlugin()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
            assertQueryWorks(conn, fake);

            List<Received> got = fake.received();
            assertThat(got)
                    .as("%s", fake)
                    .extracting(Received::kind)
                    .containsExactly(Kind.SSL_REQUEST, Kind.LOGIN, Kind.CLEARTEXT_PASSWORD, Kind.COMMAND);
            // greeting 0, SSLRequest 1, login 2 (inside TLS), AuthMoreData 0x04 3, password 4
            assertThat(got).extracting(Received::sequenceId).containsExactly(1, 2, 4, 0);
            assertThat(got).extracting(Received::tls).containsExactly(false, true, true, true);
            assertThat(got.get(2).payload()).isEqualTo(withNul(PASSWORD_BYTES));
            assertThat(fake.isCached())
                    .as("a full authentication fills the cache, as on MySQL")
                    .isTrue();
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void fullAuthOverTlsWithAnUnverifiedCertificateIsRefusedBeforeThePasswordLeaves() {
        // tls: required trusts any certificate: a peer on the path with a self-signed one could be the "server"
        try (FakeMysqlServer fake = fake().tls(true).start()) {
            assertThatThrownBy(() -> connect(options(fake).tls(TlsMode.REQUIRED).build()))
                    .isInstanceOfSatisfying(ServerTrustException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.PASSWORD);
                        assertThat(e.getMessage())
                                .contains(fake.host() + ":" + fake.port())
                                .contains("caching_sha2_password full authentication")
                                .contains("not verified (tls: required)")
                                .contains("verify-identity")
                                .contains("allow-cleartext-password");
                    });
            assertThat(fake.received()).extracting(Received::kind).containsExactly(Kind.SSL_REQUEST, Kind.LOGIN);
            assertPasswordNeverSent(fake);
        }
    }

    @Test
    void fullAuthOverUnverifiedTlsSendsThePasswordWhenTheOperatorAllowsIt() {
        try (FakeMysqlServer fake = fake().tls(true).start();
                ServerConnection conn = connect(options(fake)
                        .tls(TlsMode.REQUIRED)
                        .allowCleartextPassword(true)
                        .build())) {
            assertQueryWorks(conn, fake);
            assertThat(fake.received(Kind.CLEARTEXT_PASSWORD))
                    .singleElement()
                    .satisfies(r -> assertThat(r.tls()).isTrue());
        }
    }

    @Test
    void requiredTlsAgainstAGreetingWithoutSslSendsNothing() {
        // a server without TLS, or a peer on the path that cleared CLIENT_SSL in the greeting
        try (FakeMysqlServer fake = fake().start()) {
            for (TlsMode mode : List.of(TlsMode.REQUIRED, TlsMode.VERIFY_CA, TlsMode.VERIFY_IDENTITY)) {
                assertThatThrownBy(() -> connect(options(fake).tls(mode).build()))
                        .isInstanceOfSatisfying(ServerTrustException.class, e -> {
                            assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.TLS);
                            assertThat(e.getMessage())
                                    .contains("tls " + mode.configName())
                                    .contains("offers no TLS; nothing was sent");
                        });
            }
            assertThat(fake.received()).isEmpty();
        }
    }

    @Test
    void verifyingModesRefuseASelfSignedCertificateBeforeTheLogin() {
        try (FakeMysqlServer fake = fake().tls(true).start()) {
            // the JVM's trust store, then the test CA, which did not sign the fake's self-signed certificate
            for (ServerTls tls : List.of(
                    ServerTls.of(TlsMode.VERIFY_CA),
                    ServerTls.of(TlsMode.VERIFY_IDENTITY),
                    new ServerTls(TlsMode.VERIFY_CA, certificates.caCert(), null, null))) {
                assertThatThrownBy(() -> connect(options(fake).tls(tls).build()))
                        .isInstanceOfSatisfying(ServerTrustException.class, e -> {
                            assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.TLS);
                            assertThat(e.getMessage())
                                    .contains(fake.host() + ":" + fake.port())
                                    .contains("the server's certificate was refused (tls: "
                                            + tls.mode().configName());
                        });
            }
            assertThat(fake.received()).extracting(Received::kind).containsOnly(Kind.SSL_REQUEST);
            assertPasswordNeverSent(fake);
        }
    }

    @Test
    void fullAuthWithoutTlsRequestsThePublicKeyAndSendsTheRsaEncryptedPassword() throws Exception {
        try (FakeMysqlServer fake = fake().start();
                ServerConnection conn =
                        connect(options(fake).allowPublicKeyRetrieval(true).build())) {
            assertThat(conn.isTls()).isFalse();
            assertQueryWorks(conn, fake);

            List<Received> got = fake.received();
            assertThat(got)
                    .as("%s", fake)
                    .extracting(Received::kind)
                    .containsExactly(Kind.LOGIN, Kind.PUBLIC_KEY_REQUEST, Kind.ENCRYPTED_PASSWORD, Kind.COMMAND);
            // login 1, AuthMoreData 0x04 2, key request 3, PEM 4, encrypted password 5
            assertThat(got).extracting(Received::sequenceId).containsExactly(1, 3, 5, 0);
            assertThat(got.get(1).payload()).containsExactly(0x02);
            assertEncryptedPassword(got.get(2), fake, conn.greeting().scramble());
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void fullAuthWithoutTlsWithAConfiguredServerKeySkipsTheKeyRequest() throws Exception {
        try (FakeMysqlServer fake = fake().start();
                ServerConnection conn =
                        connect(options(fake).serverPublicKey(fake.publicKey()).build())) {
            assertQueryWorks(conn, fake);

            List<Received> got = fake.received();
            assertThat(got)
                    .as("%s", fake)
                    .extracting(Received::kind)
                    .containsExactly(Kind.LOGIN, Kind.ENCRYPTED_PASSWORD, Kind.COMMAND);
            assertThat(got).extracting(Received::sequenceId).containsExactly(1, 3, 0);
            assertEncryptedPassword(got.get(1), fake, conn.greeting().scramble());
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void fullAuthWithoutTlsKeyOrRetrievalFailsNamingTheRemedies() {
        try (FakeMysqlServer fake = fake().start()) {
            assertThatThrownBy(() -> connect(options(fake).build()))
                    .isInstanceOfSatisfying(
                            ServerTrustException.class,
                            e -> assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.PASSWORD))
                    .hasMessageContaining(fake.host() + ":" + fake.port())
                    .hasMessageContaining("caching_sha2_password full authentication without TLS needs the server's"
                            + " RSA public key")
                    .hasMessageContaining("server-public-key")
                    .hasMessageContaining("allow-public-key-retrieval");
            assertThat(fake.received()).extracting(Received::kind).containsExactly(Kind.LOGIN);
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void wrongPasswordOverTlsIsAccessDenied() {
        try (FakeMysqlServer fake = fakeWithCaSignedCertificate().start()) {
            ConnectOptions wrong =
                    options(fake).tls(verified()).user(USER, "not-it").build();
            assertAccessDenied(wrong);
            assertThat(fake.received(Kind.CLEARTEXT_PASSWORD))
                    .singleElement()
                    .satisfies(
                            r -> assertThat(r.payload()).isEqualTo(withNul("not-it".getBytes(StandardCharsets.UTF_8))));
            assertThat(fake.isCached()).isFalse();
        }
    }

    @Test
    void wrongPasswordWithACacheEntryFallsBackToFullAuthAndIsDenied() throws Exception {
        try (FakeMysqlServer fake = fake().cached(true).start()) {
            ConnectOptions wrong = options(fake)
                    .allowPublicKeyRetrieval(true)
                    .user(USER, "not-it")
                    .build();
            assertAccessDenied(wrong);
            assertThat(fake.received())
                    .extracting(Received::kind)
                    .containsExactly(Kind.LOGIN, Kind.PUBLIC_KEY_REQUEST, Kind.ENCRYPTED_PASSWORD);
            byte[] plain =
                    rsaDecrypt(fake.received(Kind.ENCRYPTED_PASSWORD).get(0).payload(), fake);
            byte[] scramble = fake.received(Kind.LOGIN).get(0).scramble();
            assertThat(plain).isEqualTo(xorRepeating(withNul("not-it".getBytes(StandardCharsets.UTF_8)), scramble));
        }
    }

    @Test
    void passwordEncryptedWithTheWrongKeyIsDenied() {
        RSAPublicKey other =
                (RSAPublicKey) CachingSha2Password.generateKeyPair(1024).getPublic();
        try (FakeMysqlServer fake = fake().start()) {
            assertAccessDenied(options(fake).serverPublicKey(other).build());
            assertThat(fake.received()).extracting(Received::kind).containsExactly(Kind.LOGIN, Kind.ENCRYPTED_PASSWORD);
        }
    }

    @Test
    void authSwitchFromNativeToCachingSha2UsesTheNewScramble() throws Exception {
        try (FakeMysqlServer fake = fake().greetingPlugin(NativePassword.PLUGIN_NAME)
                        .accountPlugin(CachingSha2Password.PLUGIN_NAME)
                        .start();
                ServerConnection conn =
                        connect(options(fake).allowPublicKeyRetrieval(true).build())) {
            assertThat(conn.authPlugin()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
            assertQueryWorks(conn, fake);

            List<Received> got = fake.received();
            assertThat(got)
                    .as("%s", fake)
                    .extracting(Received::kind)
                    .containsExactly(
                            Kind.LOGIN,
                            Kind.AUTH_SWITCH_RESPONSE,
                            Kind.PUBLIC_KEY_REQUEST,
                            Kind.ENCRYPTED_PASSWORD,
                            Kind.COMMAND);
            // login 1, AuthSwitchRequest 2, switch response 3, 0x04 4, key request 5, PEM 6, password 7
            assertThat(got).extracting(Received::sequenceId).containsExactly(1, 3, 5, 7, 0);
            byte[] greetingScramble = conn.greeting().scramble();
            HandshakeResponse41 login = decodeLogin(got.get(0));
            assertThat(login.authPluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
            assertThat(login.authResponse()).isEqualTo(NativePassword.scramble(PASSWORD_BYTES, greetingScramble));

            byte[] switchScramble = got.get(1).scramble();
            assertThat(switchScramble).hasSize(20).isNotEqualTo(greetingScramble);
            assertThat(got.get(1).payload()).isEqualTo(CachingSha2Password.scramble(PASSWORD_BYTES, switchScramble));
            assertEncryptedPassword(got.get(3), fake, switchScramble);
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void authSwitchFromCachingSha2ToNative() {
        try (FakeMysqlServer fake =
                        fake().accountPlugin(NativePassword.PLUGIN_NAME).start();
                ServerConnection conn = connect(options(fake).build())) {
            assertThat(conn.authPlugin()).isEqualTo(NativePassword.PLUGIN_NAME);
            assertQueryWorks(conn, fake);
            Received switched = fake.received(Kind.AUTH_SWITCH_RESPONSE).get(0);
            assertThat(switched.payload()).isEqualTo(NativePassword.scramble(PASSWORD_BYTES, switched.scramble()));
        }
    }

    @Test
    void aSwitchToTheClearPasswordPluginWithoutTlsIsRefusedBeforeThePasswordLeaves() {
        try (FakeMysqlServer fake = fake().accountPlugin(CLEAR_PASSWORD).start()) {
            assertThatThrownBy(() -> connect(options(fake).build()))
                    .isInstanceOfSatisfying(
                            ServerTrustException.class,
                            e -> assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.PASSWORD))
                    .hasMessageContaining("asked for the password in clear (" + CLEAR_PASSWORD + ")")
                    .hasMessageContaining("the link is not encrypted (tls: disabled)");
            assertThat(fake.received()).extracting(Received::kind).containsExactly(Kind.LOGIN);
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void aPeerWithASelfSignedCertificateAskingForTheClearPasswordGetsNothing() {
        // the man in the middle of issue 10: tls required, any certificate, then an AuthSwitchRequest to
        // mysql_clear_password; today's rule (TLS, so send it) handed it the password
        try (FakeMysqlServer fake =
                fake().tls(true).accountPlugin(CLEAR_PASSWORD).start()) {
            assertThatThrownBy(() -> connect(options(fake).tls(TlsMode.REQUIRED).build()))
                    .isInstanceOfSatisfying(ServerTrustException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ServerTrustException.Reason.PASSWORD);
                        assertThat(e.getMessage())
                                .contains(fake.host() + ":" + fake.port())
                                .contains("asked for the password in clear (" + CLEAR_PASSWORD + ")")
                                .contains("TLS certificate was not verified (tls: required)");
                    });
            assertThat(fake.received()).extracting(Received::kind).containsExactly(Kind.SSL_REQUEST, Kind.LOGIN);
            assertPasswordNeverSent(fake);
        }
    }

    @Test
    void aSwitchToTheClearPasswordPluginInsideUnverifiedTlsSendsThePasswordWhenAllowed() {
        try (FakeMysqlServer fake =
                        fake().tls(true).accountPlugin(CLEAR_PASSWORD).start();
                ServerConnection conn = connect(options(fake)
                        .tls(TlsMode.REQUIRED)
                        .allowCleartextPassword(true)
                        .build())) {
            assertThat(conn.authPlugin()).isEqualTo(CLEAR_PASSWORD);
            assertThat(fake.received(Kind.AUTH_SWITCH_RESPONSE))
                    .singleElement()
                    .satisfies(r -> assertThat(r.payload()).isEqualTo(withNul(PASSWORD_BYTES)));
        }
    }

    @Test
    void aSwitchToTheClearPasswordPluginInsideVerifiedTlsSendsThePassword() {
        try (FakeMysqlServer fake = fakeWithCaSignedCertificate()
                        .accountPlugin(CLEAR_PASSWORD)
                        .start();
                ServerConnection conn = connect(options(fake).tls(verified()).build())) {
            assertThat(conn.authPlugin()).isEqualTo(CLEAR_PASSWORD);
            assertQueryWorks(conn, fake);
            Received switched = fake.received(Kind.AUTH_SWITCH_RESPONSE).get(0);
            assertThat(switched.tls()).isTrue();
            assertThat(switched.payload()).isEqualTo(withNul(PASSWORD_BYTES));
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void aFullAuthOverTlsLetsTheNextLoginTakeTheFastPathWithoutTls() {
        try (FakeMysqlServer fake = fakeWithCaSignedCertificate().start()) {
            try (ServerConnection first = connect(options(fake).tls(verified()).build())) {
                assertThat(first.isTls()).isTrue();
            }
            try (ServerConnection second =
                    connect(options(fake).tls(TlsMode.DISABLED).build())) {
                assertThat(second.isTls()).isFalse();
                assertQueryWorks(second, fake);
                // checked before close(): its COM_QUIT would race with this read
                List<Kind> secondKinds = fake.received().stream()
                        .filter(r -> r.connection() == 1)
                        .map(Received::kind)
                        .toList();
                assertThat(secondKinds).as("%s", fake).containsExactly(Kind.LOGIN, Kind.COMMAND);
            }
            assertPasswordNeverInClear(fake);
        }
    }

    @Test
    void resultsEndingInEofWhenDeprecateEofIsOff() {
        try (FakeMysqlServer fake = fake().cached(true).start();
                ServerConnection conn =
                        connect(options(fake).deprecateEof(false).build())) {
            assertThat(conn.capabilities() & Capability.CLIENT_DEPRECATE_EOF).isZero();
            assertQueryWorks(conn, fake);
            assertThat(ServerConnection.await(conn.ping()).statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        }
    }

    @Test
    void anErrAfterLoginFailsOnlyThatQuery() {
        try (FakeMysqlServer fake = fake().cached(true).start();
                ServerConnection conn = connect(options(fake).build())) {
            assertThatThrownBy(() -> conn.querySync("SELECT 'x'")).isInstanceOfSatisfying(ServerException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(1064);
                assertThat(e.sqlState()).isEqualTo("42000");
            });
            assertQueryWorks(conn, fake);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static void assertQueryWorks(ServerConnection conn, FakeMysqlServer fake) {
        ResultSet rs = conn.querySync("SELECT 42").resultSet();
        assertThat(rs.columns())
                .as("%s", fake)
                .singleElement()
                .satisfies(c -> assertThat(c.name()).isEqualTo("42"));
        assertThat(rs.rows()).as("%s", fake).containsExactly(List.of(42L));
    }

    private static void assertAccessDenied(ConnectOptions options) {
        assertThatThrownBy(() -> connect(options)).isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(1045);
            assertThat(e.sqlState()).isEqualTo("28000");
            assertThat(e.getMessage()).contains("Access denied for user 'app'@'localhost' (using password: YES)");
        });
    }

    private static HandshakeResponse41 decodeLogin(Received login) {
        return HandshakeResponse41.decode(Unpooled.wrappedBuffer(login.payload()));
    }

    /** Decrypts independently of the codec: RSA-OAEP (SHA-1, MGF1) must give (password + NUL) XOR scramble. */
    private static void assertEncryptedPassword(Received encrypted, FakeMysqlServer fake, byte[] scramble)
            throws Exception {
        assertThat(encrypted.tls()).isFalse();
        assertThat(encrypted.payload()).as("one RSA block of the 2048-bit key").hasSize(256);
        assertThat(encrypted.scramble()).isEqualTo(scramble);
        byte[] plain = rsaDecrypt(encrypted.payload(), fake);
        assertThat(plain).isEqualTo(xorRepeating(withNul(PASSWORD_BYTES), scramble));
    }

    private static byte[] rsaDecrypt(byte[] encrypted, FakeMysqlServer fake) throws Exception {
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        cipher.init(Cipher.DECRYPT_MODE, fake.privateKey());
        return cipher.doFinal(encrypted);
    }

    private static byte[] withNul(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    private static byte[] xorRepeating(byte[] data, byte[] scramble) {
        byte[] out = data.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] ^= scramble[i % scramble.length];
        }
        return out;
    }

    /** The password's bytes appear in no connection's raw socket input (TLS ciphertext included). */
    static void assertPasswordNeverInClear(FakeMysqlServer fake) {
        List<byte[]> raw = fake.rawInbound();
        assertThat(raw).isNotEmpty();
        for (int i = 0; i < raw.size(); i++) {
            assertThat(indexOf(raw.get(i), PASSWORD_BYTES))
                    .as("password in clear on connection %d of %s", i, fake)
                    .isEqualTo(-1);
        }
    }

    /** No packet the fake decoded holds the password, whatever the plugin, TLS or not; nothing in clear either. */
    private static void assertPasswordNeverSent(FakeMysqlServer fake) {
        for (Received r : fake.received()) {
            assertThat(indexOf(r.payload(), PASSWORD_BYTES))
                    .as("password in %s of %s", r.kind(), fake)
                    .isEqualTo(-1);
        }
        assertThat(fake.received(Kind.CLEARTEXT_PASSWORD)).isEmpty();
        assertThat(fake.received(Kind.AUTH_SWITCH_RESPONSE)).isEmpty();
        assertPasswordNeverInClear(fake);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
