package dev.sluice.proxy.frontend;

import static dev.sluice.proxy.frontend.HandshakeHarness.CLIENT_CAPS;
import static dev.sluice.proxy.frontend.HandshakeHarness.bytes;
import static dev.sluice.proxy.frontend.HandshakeHarness.frame;
import static dev.sluice.proxy.frontend.HandshakeHarness.login;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.frontend.HandshakeHarness.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHandshakeTlsTest {
    private static final long TLS_CAPS = CLIENT_CAPS | Capability.CLIENT_SSL;
    private static final byte[] OK_AUTOCOMMIT = {0, 0, 0, 2, 0, 0, 0};
    private static SslContext serverContext;

    private HandshakeHarness h;
    private TlsClientEngine tls;

    @BeforeAll
    static void context() {
        serverContext = ClientTlsContexts.create(ClientTlsConfig.selfSigned());
    }

    @AfterEach
    void close() {
        if (tls != null) {
            tls.close();
        }
        h.close();
    }

    private void start(boolean required, String plugin) throws Exception {
        h = new HandshakeHarness(
                HandshakeHarness.settings().withTls(serverContext, required).withDefaultAuthPlugin(plugin));
        tls = new TlsClientEngine();
        assertThat(Capability.has(h.greeting().capabilities(), Capability.CLIENT_SSL))
                .isTrue();
    }

    private static ByteBuf sslRequest() {
        return frame(1, new SslRequest(TLS_CAPS, 16 << 20, 45)::encode);
    }

    /**
     * The SSLRequest and the first {@code helloBytes} bytes of the ClientHello arrive in ONE read, as when a
     * client writes them back to back; the rest of the ClientHello follows in a second read.
     */
    @ParameterizedTest(name = "ClientHello bytes in the SSLRequest read: {0}")
    @ValueSource(ints = {1, 5, 37, Integer.MAX_VALUE})
    void sslRequestAndClientHelloInOneRead(int helloBytes) throws Exception {
        start(false, CachingSha2Password.PLUGIN_NAME);
        byte[] hello = tls.produce();
        int first = Math.min(helloBytes, hello.length);
        ByteBuf oneRead = Unpooled.wrappedBuffer(sslRequest(), Unpooled.wrappedBuffer(hello, 0, first));
        h.channel.writeInbound(oneRead);
        assertThat(h.channel.pipeline().get(SslHandler.class))
                .as("TLS installed")
                .isNotNull();
        if (first < hello.length) {
            h.channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(hello, first, hello.length)));
        }
        tls.finishHandshake(h);
        assertThat(h.channel.pipeline().names())
                .startsWith(
                        ClientHandshakeHandler.TLS,
                        ClientHandshakeHandler.DECODER,
                        ClientHandshakeHandler.ENCODER,
                        ClientHandshakeHandler.NAME);
        assertThat(h.channel.pipeline().get(ClientHandshakeHandler.DECODER)).isInstanceOf(PacketDecoder.class);

        // caching_sha2_password inside TLS: not cached, so full authentication with the cleartext password.
        HandshakeResponse41 login = login(
                TLS_CAPS,
                "app",
                CachingSha2Password.scramble(bytes("secret"), h.scramble()),
                CachingSha2Password.PLUGIN_NAME);
        tls.sendFrame(h, frame(2, login::encode));
        Frame more = tls.nextFrame(h);
        assertThat(more.seq()).isEqualTo(3);
        assertThat(more.payload()).containsExactly(0x01, 0x04);
        tls.sendFrame(h, frame(4, b -> b.writeBytes(CachingSha2Password.cleartext(bytes("secret")))));
        Frame ok = tls.nextFrame(h);
        assertThat(ok.seq()).isEqualTo(5);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        AuthenticatedClient client = h.events.get(0);
        assertThat(client.tls()).isTrue();
        assertThat(Capability.has(client.capabilities(), Capability.CLIENT_SSL)).isTrue();
        assertThat(h.settings.sha2Cache().contains("app")).isTrue();
    }

    @Test
    void wrongCleartextPasswordInsideTls() throws Exception {
        start(true, CachingSha2Password.PLUGIN_NAME);
        h.channel.writeInbound(Unpooled.wrappedBuffer(sslRequest(), Unpooled.wrappedBuffer(tls.produce())));
        tls.finishHandshake(h);
        HandshakeResponse41 login = login(TLS_CAPS, "app", new byte[32], CachingSha2Password.PLUGIN_NAME);
        tls.sendFrame(h, frame(2, login::encode));
        assertThat(tls.nextFrame(h).payload()).containsExactly(0x01, 0x04);
        tls.sendFrame(h, frame(4, b -> b.writeBytes(CachingSha2Password.cleartext(bytes("wrong")))));
        Frame e = tls.nextFrame(h);
        assertThat(e.seq()).isEqualTo(5);
        assertThat(e.payload())
                .containsExactly(HandshakeHarness.err(
                        1045, "28000", "Access denied for user 'app'@'10.1.2.3' (using password: YES)"));
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void nativeInsideRequiredTls() throws Exception {
        start(true, NativePassword.PLUGIN_NAME);
        h.channel.writeInbound(sslRequest());
        h.channel.writeInbound(Unpooled.wrappedBuffer(tls.produce()));
        tls.finishHandshake(h);
        HandshakeResponse41 login = login(
                TLS_CAPS, "app", NativePassword.scramble(bytes("secret"), h.scramble()), NativePassword.PLUGIN_NAME);
        tls.sendFrame(h, frame(2, login::encode));
        Frame ok = tls.nextFrame(h);
        assertThat(ok.seq()).isEqualTo(3);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events.get(0).tls()).isTrue();
    }

    @Test
    void garbageInsteadOfClientHelloClosesWithoutPlaintextErr() throws Exception {
        start(false, NativePassword.PLUGIN_NAME);
        h.channel.writeInbound(
                Unpooled.wrappedBuffer(sslRequest(), Unpooled.wrappedBuffer(bytes("GET / HTTP/1.1\r\n"))));
        assertThat(h.channel.isOpen()).isFalse();
        assertThat(h.events).isEmpty();
        byte[] written = h.drainRaw();
        // At most a TLS alert record (content type 21), never a MySQL packet in clear text.
        assertThat(written.length == 0 || written[0] == 21)
                .as("only a TLS alert: %s", Arrays.toString(written))
                .isTrue();
    }

    @Test
    void deadlineDuringTlsHandshakeJustCloses() throws Exception {
        start(false, NativePassword.PLUGIN_NAME);
        h.channel.writeInbound(sslRequest()); // and then no ClientHello
        h.channel.advanceTimeBy(10, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.channel.isOpen()).isFalse();
        assertThat(h.events).isEmpty();
    }

    @Test
    void secondSslRequestInsideTlsIsBadHandshake() throws Exception {
        start(false, NativePassword.PLUGIN_NAME);
        h.channel.writeInbound(Unpooled.wrappedBuffer(sslRequest(), Unpooled.wrappedBuffer(tls.produce())));
        tls.finishHandshake(h);
        tls.sendFrame(h, frame(2, new SslRequest(TLS_CAPS, 16 << 20, 45)::encode));
        Frame e = tls.nextFrame(h);
        assertThat(e.seq()).isEqualTo(3);
        assertThat(new String(e.payload(), 9, e.payload().length - 9, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("Bad handshake: SSLRequest: a second one, inside TLS");
    }
}
