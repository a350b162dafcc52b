package dev.sluice.proxy.frontend;

import static dev.sluice.proxy.frontend.HandshakeHarness.CLIENT_CAPS;
import static dev.sluice.proxy.frontend.HandshakeHarness.bytes;
import static dev.sluice.proxy.frontend.HandshakeHarness.err;
import static dev.sluice.proxy.frontend.HandshakeHarness.login;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.auth.RsaPem;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.frontend.HandshakeHarness.Frame;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientHandshakeHandlerTest {
    private static final byte[] OK_AUTOCOMMIT = {
        0x00, // OK header
        0x00, // affected rows, lenenc 0
        0x00, // last insert id, lenenc 0
        0x02,
        0x00, // status flags: AUTOCOMMIT
        0x00,
        0x00 // warnings; no info string (SESSION_TRACK and nothing changed)
    };

    private HandshakeHarness h = new HandshakeHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** Replaces the harness by one whose greeting announces caching_sha2_password. */
    private void announceSha2() {
        h.close();
        h = new HandshakeHarness(sha2Settings());
    }

    private static FrontendSettings sha2Settings() {
        return HandshakeHarness.settings().withDefaultAuthPlugin(CachingSha2Password.PLUGIN_NAME);
    }

    @Test
    void greetingAdvertisesSettings() {
        HandshakeV10 g = h.greeting();
        assertThat(g.serverVersion()).isEqualTo("10.11.6-MariaDB-sluice");
        assertThat(g.connectionId()).isEqualTo(42);
        assertThat(g.capabilities()).isEqualTo(CapabilityPolicy.offeredToClients(false));
        assertThat(Capability.has(g.capabilities(), Capability.CLIENT_SSL)).isFalse();
        assertThat(Capability.has(g.capabilities(), Capability.CLIENT_LOCAL_FILES))
                .isFalse();
        assertThat(g.characterSet()).isEqualTo(45);
        assertThat(g.statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(g.authPluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        byte[] data = g.authPluginData();
        assertThat(data).hasSize(21);
        assertThat(data[20]).as("NUL after the scramble").isEqualTo((byte) 0);
        for (int i = 0; i < 20; i++) {
            assertThat(data[i] & 0xFF)
                    .as("scramble byte %d", i)
                    .isBetween(1, 127)
                    .isNotEqualTo((int) '$');
        }
        assertThat(h.poll()).as("nothing but the greeting").isNull();
    }

    @Test
    void greetingBytesAfterTheVersion() {
        Frame f = h.next();
        byte[] p = f.payload();
        int at = 1 + "10.11.6-MariaDB-sluice".length() + 1;
        assertThat(p[0]).as("protocol version").isEqualTo((byte) 10);
        assertThat(p[at - 1]).as("version NUL").isEqualTo((byte) 0);
        assertThat(new byte[] {p[at], p[at + 1], p[at + 2], p[at + 3]})
                .as("connection id 42")
                .containsExactly(42, 0, 0, 0);
        assertThat(p[at + 12]).as("filler after scramble part 1").isEqualTo((byte) 0);
        assertThat(p[at + 15]).as("character set").isEqualTo((byte) 45);
        assertThat(p[at + 16]).as("status low byte: AUTOCOMMIT").isEqualTo((byte) 2);
        assertThat(p[at + 20]).as("auth-plugin-data length").isEqualTo((byte) 21);
    }

    @Test
    void everyConnectionGetsItsOwnIdAndScramble() {
        HandshakeHarness other = new HandshakeHarness(h.settings);
        try {
            assertThat(other.greeting().connectionId()).isEqualTo(h.greeting().connectionId() + 1);
            assertThat(other.scramble()).isNotEqualTo(h.scramble());
        } finally {
            other.close();
        }
    }

    @Test
    void nativePasswordSucceedsWithOkAndEvent() {
        h.sendLogin(1, login("app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME));
        Frame ok = h.next();
        assertThat(ok.seq()).isEqualTo(2);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events).hasSize(1);
        AuthenticatedClient c = h.events.get(0);
        assertThat(c.sessionId()).isEqualTo(42);
        assertThat(c.user().name()).isEqualTo("app");
        assertThat(c.capabilities()).isEqualTo(CLIENT_CAPS & CapabilityPolicy.offeredToClients(false));
        assertThat(c.maxPacketSize()).isEqualTo(16 << 20);
        assertThat(c.collationId()).isEqualTo(33);
        assertThat(c.database()).isEqualTo("shop");
        assertThat(c.connectAttributes())
                .containsExactly(java.util.Map.entry("_client_name", "harness"), java.util.Map.entry("_pid", "42"));
        assertThat(c.tls()).isFalse();
        assertThat(c.authPlugin()).isEqualTo(NativePassword.PLUGIN_NAME);
        assertThat(c.remoteAddress()).isEqualTo(HandshakeHarness.CLIENT_IP);
        assertThat(c.sequence().nextExpected())
                .as("reset for the first command")
                .isZero();
        assertThat(h.channel.pipeline().get(ClientHandshakeHandler.NAME))
                .as("handler removed")
                .isNull();
        assertThat(h.channel.isActive()).isTrue();

        h.send(0, new byte[] {0x0e}); // COM_PING with sequence id 0 reaches the next handler
        assertThat(h.afterAuth).hasSize(1);
        assertThat(h.afterAuth.get(0).sequenceId()).isZero();
    }

    @Test
    void nativeWrongPasswordGetsAccessDenied() {
        h.sendLogin(1, login("app", h.nativeAuth("wrong"), NativePassword.PLUGIN_NAME));
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(2);
        assertThat(e.payload())
                .containsExactly(
                        0xFF - 256,
                        0x15,
                        0x04, // ERR, 1045 little-endian
                        '#',
                        '2',
                        '8',
                        '0',
                        '0',
                        '0', // SQLSTATE marker and 28000
                        'A',
                        'c',
                        'c',
                        'e',
                        's',
                        's',
                        ' ',
                        'd',
                        'e',
                        'n',
                        'i',
                        'e',
                        'd',
                        ' ',
                        'f',
                        'o',
                        'r',
                        ' ',
                        'u',
                        's',
                        'e',
                        'r',
                        ' ',
                        '\'',
                        'a',
                        'p',
                        'p',
                        '\'',
                        '@',
                        '\'',
                        '1',
                        '0',
                        '.',
                        '1',
                        '.',
                        '2',
                        '.',
                        '3',
                        '\'',
                        ' ',
                        '(',
                        'u',
                        's',
                        'i',
                        'n',
                        'g',
                        ' ',
                        'p',
                        'a',
                        's',
                        's',
                        'w',
                        'o',
                        'r',
                        'd',
                        ':',
                        ' ',
                        'Y',
                        'E',
                        'S',
                        ')');
        assertThat(h.channel.isOpen()).isFalse();
        assertThat(h.events).isEmpty();
    }

    @Test
    void unknownUserGetsAccessDeniedNamingIt() {
        h.sendLogin(1, login("nobody", h.nativeAuth("x"), NativePassword.PLUGIN_NAME));
        assertThat(h.next().payload())
                .containsExactly(
                        err(1045, "28000", "Access denied for user 'nobody'@'10.1.2.3' (using password: YES)"));
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void missingPasswordSaysUsingPasswordNo() {
        h.sendLogin(1, login("app", new byte[0], NativePassword.PLUGIN_NAME));
        assertThat(h.next().payload())
                .containsExactly(err(1045, "28000", "Access denied for user 'app'@'10.1.2.3' (using password: NO)"));
    }

    @Test
    void nativeHashOnlyUser() {
        h.sendLogin(1, login("hashonly", h.nativeAuth("hashpw"), NativePassword.PLUGIN_NAME));
        assertThat(h.next().payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events.get(0).user().serverPassword()).isEqualTo("server-pw");
    }

    @Test
    void hashOnlyUserIsSwitchedFromCachingSha2ToNative() {
        announceSha2();
        h.sendLogin(1, login("hashonly", h.sha2Auth("hashpw"), CachingSha2Password.PLUGIN_NAME));
        Frame sw = h.next();
        assertThat(sw.seq()).isEqualTo(2);
        AuthSwitchRequest req = AuthSwitchRequest.decode(sw.buf());
        assertThat(req.pluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        assertThat(req.pluginData()).hasSize(21).endsWith(0);
        assertThat(req.scramble()).as("a new scramble").isNotEqualTo(h.scramble());
        h.send(3, NativePassword.scramble(bytes("hashpw"), req.scramble()));
        Frame ok = h.next();
        assertThat(ok.seq()).isEqualTo(4);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events.get(0).authPlugin()).isEqualTo(NativePassword.PLUGIN_NAME);
    }

    @Test
    void switchResponseWithTheOldScrambleIsRefused() {
        h.sendLogin(1, login("app", new byte[] {1, 2, 3}, "client_ed25519"));
        AuthSwitchRequest req = AuthSwitchRequest.decode(h.next().buf());
        assertThat(req.pluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        h.send(3, h.nativeAuth("secret")); // computed with the greeting's scramble, not the switch's
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(4);
        assertThat(e.payload())
                .containsExactly(err(1045, "28000", "Access denied for user 'app'@'10.1.2.3' (using password: YES)"));
    }

    @Test
    void nativeAnswerToSha2GreetingIsSwitchedToSha2() {
        announceSha2();
        h.sendLogin(1, login("app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME)); // as MariaDB Connector/J
        Frame sw = h.next();
        assertThat(sw.seq()).isEqualTo(2);
        AuthSwitchRequest req = AuthSwitchRequest.decode(sw.buf());
        assertThat(req.pluginName()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
        byte[] seed = req.scramble();
        assertThat(seed).hasSize(20).isNotEqualTo(h.scramble());
        h.send(3, CachingSha2Password.scramble(bytes("secret"), seed));
        Frame full = h.next();
        assertThat(full.seq()).isEqualTo(4);
        assertThat(full.payload()).containsExactly(0x01, 0x04);
        h.send(5, new byte[] {0x02});
        Frame key = h.next();
        assertThat(key.seq()).isEqualTo(6);
        RSAPublicKey publicKey =
                RsaPem.parsePublicKey(AuthMoreData.decode(key.buf()).data());
        h.send(7, CachingSha2Password.encryptPassword(bytes("secret"), seed, publicKey)); // the switch's seed
        Frame ok = h.next();
        assertThat(ok.seq()).isEqualTo(8);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events.get(0).authPlugin()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
    }

    @Test
    void sha2AnswerToNativeGreetingIsSwitchedToNative() {
        h.sendLogin(1, login("app", h.sha2Auth("secret"), CachingSha2Password.PLUGIN_NAME));
        AuthSwitchRequest req = AuthSwitchRequest.decode(h.next().buf());
        assertThat(req.pluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        h.send(3, NativePassword.scramble(bytes("secret"), req.scramble()));
        Frame ok = h.next();
        assertThat(ok.seq()).isEqualTo(4);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
    }

    @Test
    void unknownPluginIsSwitchedToNative() {
        h.sendLogin(1, login("app", new byte[] {1, 2, 3}, "client_ed25519"));
        AuthSwitchRequest req = AuthSwitchRequest.decode(h.next().buf());
        assertThat(req.pluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        h.send(3, NativePassword.scramble(bytes("secret"), req.scramble()));
        assertThat(h.next().payload()).containsExactly(OK_AUTOCOMMIT);
    }

    @Test
    void missingPluginNameIsSwitchedToNative() {
        h.sendLogin(1, login("app", new byte[0], null));
        Frame sw = h.next();
        assertThat(sw.first()).isEqualTo(AuthSwitchRequest.HEADER);
        h.send(
                3,
                NativePassword.scramble(
                        bytes("secret"), AuthSwitchRequest.decode(sw.buf()).scramble()));
        assertThat(h.next().payload()).containsExactly(OK_AUTOCOMMIT);
    }

    @Test
    void clientWithoutPluginAuthSpeaksNative() {
        long caps = CLIENT_CAPS & ~Capability.CLIENT_PLUGIN_AUTH & ~Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;
        h.sendLogin(1, login(caps, "app", h.nativeAuth("secret"), null));
        assertThat(h.next().payload()).containsExactly(0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00);
        assertThat(Capability.has(h.events.get(0).capabilities(), Capability.CLIENT_PLUGIN_AUTH))
                .isFalse();
    }

    @Test
    void cachingSha2FullAuthWithRsaThenFastPath() {
        FrontendSettings sha2 = HandshakeHarness.settings().withDefaultAuthPlugin(CachingSha2Password.PLUGIN_NAME);
        h.close();
        h = new HandshakeHarness(sha2);
        assertThat(h.greeting().authPluginName()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
        h.sendLogin(1, login("app", h.sha2Auth("secret"), CachingSha2Password.PLUGIN_NAME));
        Frame full = h.next();
        assertThat(full.seq()).isEqualTo(2);
        assertThat(full.payload())
                .as("AuthMoreData: perform full authentication")
                .containsExactly(0x01, 0x04);
        h.send(3, new byte[] {0x02}); // request the public key
        Frame key = h.next();
        assertThat(key.seq()).isEqualTo(4);
        byte[] pem = AuthMoreData.decode(key.buf()).data();
        RSAPublicKey publicKey = RsaPem.parsePublicKey(pem);
        assertThat(publicKey).isEqualTo(HandshakeHarness.KEYS.getPublic());
        h.send(5, CachingSha2Password.encryptPassword(bytes("secret"), h.scramble(), publicKey));
        Frame ok = h.next();
        assertThat(ok.seq()).isEqualTo(6);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events.get(0).authPlugin()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
        assertThat(sha2.sha2Cache().contains("app")).isTrue();

        HandshakeHarness second = new HandshakeHarness(sha2);
        try {
            second.sendLogin(1, login("app", second.sha2Auth("secret"), CachingSha2Password.PLUGIN_NAME));
            Frame fast = second.next();
            assertThat(fast.seq()).isEqualTo(2);
            assertThat(fast.payload()).as("AuthMoreData: fast auth OK").containsExactly(0x01, 0x03);
            Frame ok2 = second.next();
            assertThat(ok2.seq()).isEqualTo(3);
            assertThat(ok2.payload()).containsExactly(OK_AUTOCOMMIT);
        } finally {
            second.close();
        }
    }

    @Test
    void cachedUserWithWrongScrambleGoesToFullAuthAndFails() {
        announceSha2();
        h.settings.sha2Cache().put("app", "secret");
        h.sendLogin(1, login("app", h.sha2Auth("wrong"), CachingSha2Password.PLUGIN_NAME));
        assertThat(h.next().payload()).containsExactly(0x01, 0x04);
        h.send(3, CachingSha2Password.encryptPassword(bytes("wrong"), h.scramble(), (RSAPublicKey)
                HandshakeHarness.KEYS.getPublic()));
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(4);
        assertThat(e.payload())
                .containsExactly(err(1045, "28000", "Access denied for user 'app'@'10.1.2.3' (using password: YES)"));
    }

    @Test
    void staleCacheEntryIsNotUsed() {
        announceSha2();
        h.settings.sha2Cache().put("app", "old-password");
        h.sendLogin(1, login("app", h.sha2Auth("old-password"), CachingSha2Password.PLUGIN_NAME));
        assertThat(h.next().payload())
                .as("full auth, not fast path with the old password")
                .containsExactly(1, 4);
        assertThat(h.settings.sha2Cache().contains("app")).isFalse();
    }

    @Test
    void undecryptableRsaPasswordIsAccessDenied() {
        announceSha2();
        h.sendLogin(1, login("app", h.sha2Auth("secret"), CachingSha2Password.PLUGIN_NAME));
        assertThat(h.next().payload()).containsExactly(1, 4);
        h.send(3, bytes("secret\0")); // cleartext without TLS: refused, like MySQL
        assertThat(h.next().payload())
                .containsExactly(err(1045, "28000", "Access denied for user 'app'@'10.1.2.3' (using password: YES)"));
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void emptyPasswordWorksWithBothPlugins() {
        h.sendLogin(1, login("nopw", new byte[0], NativePassword.PLUGIN_NAME));
        assertThat(h.next().payload()).containsExactly(OK_AUTOCOMMIT);
        for (byte[] empty : new byte[][] {{}, {0}}) { // Connector/J sends a single NUL
            HandshakeHarness sha2 = new HandshakeHarness(sha2Settings());
            try {
                sha2.sendLogin(1, login("nopw", empty, CachingSha2Password.PLUGIN_NAME));
                Frame ok = sha2.next();
                assertThat(ok.seq()).as("OK at once, no AuthMoreData").isEqualTo(2);
                assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
            } finally {
                sha2.close();
            }
        }
    }

    @Test
    void passwordForUserWithoutOneIsRefused() {
        announceSha2();
        h.sendLogin(1, login("nopw", h.sha2Auth("guess"), CachingSha2Password.PLUGIN_NAME));
        assertThat(h.next().payload())
                .containsExactly(err(1045, "28000", "Access denied for user 'nopw'@'10.1.2.3' (using password: YES)"));
    }

    @Test
    void garbageInsteadOfLoginIsBadHandshake() {
        h.greeting();
        h.send(1, new byte[] {(byte) 0x85, (byte) 0xa6, 0x03});
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(2);
        assertThat(e.first()).isEqualTo(0xFF);
        String text = new String(e.payload(), 9, e.payload().length - 9, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new String(e.payload(), 1, 8, java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo("\u0013\u0004#08S01"); // 1043 little-endian, SQLSTATE 08S01
        assertThat(text).startsWith("Bad handshake: HandshakeResponse41 client_flag");
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void truncatedLoginNamesTheField() {
        h.greeting();
        byte[] full = new byte[200];
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        login("app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME).encode(b);
        int cut = 34; // 32 fixed bytes, then "ap" of the user name without its NUL
        b.readBytes(full, 0, cut);
        b.release();
        h.send(1, java.util.Arrays.copyOf(full, cut));
        String msg = errMessage(h.next());
        assertThat(msg).startsWith("Bad handshake: HandshakeResponse41 username");
    }

    @Test
    void pre41ClientIsRefused() {
        long caps = CLIENT_CAPS & ~Capability.CLIENT_PROTOCOL_41;
        h.sendLogin(1, login(caps, "app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME));
        assertThat(errMessage(h.next())).contains("lacks CLIENT_PROTOCOL_41");
    }

    @Test
    void packetOverMaxSizeIsBadHandshakeBeforeItsPayloadArrives() {
        h.close();
        h = new HandshakeHarness(HandshakeHarness.settings().withMaxPacketSize(4096));
        h.greeting();
        h.channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0x01, 0x10, 0x00, 0x01})); // 4097
        Frame e = h.next();
        assertThat(errCode(e)).isEqualTo(1043);
        assertThat(errMessage(e)).isEqualTo("Bad handshake: packet length: 4097 (expected: <= max packet size 4096)");
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void sequenceGapIsBadHandshake() {
        h.greeting();
        h.sendLogin(5, login("app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME));
        assertThat(errMessage(h.next())).isEqualTo("Bad handshake: sequence id: got 5 (expected: 1)");
    }

    @Test
    void deadlineSendsErrAndCloses() {
        h.close();
        h = new HandshakeHarness(HandshakeHarness.settings().withHandshakeTimeout(Duration.ofMillis(1500)));
        h.greeting();
        h.channel.advanceTimeBy(1499, TimeUnit.MILLISECONDS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.channel.isOpen()).isTrue();
        h.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        h.channel.runScheduledPendingTasks();
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(1);
        assertThat(e.payload()).containsExactly(err(1043, "08S01", "Bad handshake: handshake timed out after 1500 ms"));
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void deadlineIsCancelledOnSuccess() {
        h.sendLogin(1, login("app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME));
        h.next();
        h.channel.advanceTimeBy(1, TimeUnit.HOURS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.channel.isOpen()).isTrue();
        assertThat(h.poll()).isNull();
    }

    @Test
    void tlsRequiredButSkipped() {
        h.close();
        h = new HandshakeHarness(HandshakeHarness.settings()
                .withTls(ClientTlsContexts.create(dev.sluice.proxy.config.ClientTlsConfig.selfSigned()), true));
        assertThat(Capability.has(h.greeting().capabilities(), Capability.CLIENT_SSL))
                .isTrue();
        h.sendLogin(1, login("app", h.nativeAuth("secret"), NativePassword.PLUGIN_NAME));
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(2);
        assertThat(e.payload())
                .containsExactly(err(
                        3159,
                        "HY000",
                        "Connections using insecure transport are prohibited while --require_secure_transport=ON."));
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void sslRequestWithoutTlsConfiguredIsBadHandshake() {
        h.greeting();
        h.send(
                1,
                new dev.sluice.protocol.message.client.SslRequest(CLIENT_CAPS | Capability.CLIENT_SSL, 1 << 24, 45)
                        ::encode);
        assertThat(errMessage(h.next())).startsWith("Bad handshake: SSLRequest: TLS is not enabled");
    }

    @Test
    void clientClosingMidHandshakeEndsQuietly() {
        h.sendLogin(1, login("app", h.sha2Auth("secret"), CachingSha2Password.PLUGIN_NAME));
        assertThat(h.next().first()).isEqualTo(AuthSwitchRequest.HEADER);
        h.channel.close();
        assertThat(h.events).isEmpty();
        h.channel.advanceTimeBy(1, TimeUnit.HOURS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.poll()).as("no ERR after the close, deadline cancelled").isNull();
    }

    @Test
    void packetsAfterFailureAreDroppedAndReleased() {
        h.sendLogin(1, login("app", h.nativeAuth("wrong"), NativePassword.PLUGIN_NAME));
        assertThat(errCode(h.next())).isEqualTo(1045);
        assertThat(h.afterAuth).isEmpty();
    }

    static int errCode(Frame f) {
        assertThat(f.first()).as("ERR header").isEqualTo(0xFF);
        return (f.payload()[1] & 0xFF) | (f.payload()[2] & 0xFF) << 8;
    }

    static String errMessage(Frame f) {
        errCode(f);
        return new String(f.payload(), 9, f.payload().length - 9, java.nio.charset.StandardCharsets.UTF_8);
    }
}
