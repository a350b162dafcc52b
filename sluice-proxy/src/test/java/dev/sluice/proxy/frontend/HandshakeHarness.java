package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.Framing;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.config.UserConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A client's view of {@link ClientHandshakeHandler} on an {@link EmbeddedChannel}: frames what the test sends,
 * parses what the handler wrote into (sequence id, payload) frames, and records what reaches the handler after
 * it (the {@link AuthenticatedClient} event, later packets).
 */
final class HandshakeHarness {
    static final String CLIENT_IP = "10.1.2.3";
    static final KeyPair KEYS = FrontendSettings.processRsaKeyPair();
    static final long CLIENT_CAPS = Capability.CLIENT_LONG_PASSWORD
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK
            | Capability.CLIENT_DEPRECATE_EOF;

    /** app/secret (plaintext), hashonly (native hash of "hashpw"), nopw (empty password). */
    static final Map<String, UserConfig> USERS = Map.of(
            "app", UserConfig.of("app", "secret"),
            "hashonly",
                    new UserConfig(
                            "hashonly",
                            null,
                            NativePassword.formatStoredHash(NativePassword.hashOfHash(bytes("hashpw"))),
                            null,
                            "server-pw"),
            "nopw", UserConfig.of("nopw", ""));

    record Frame(int seq, byte[] payload) {
        ByteBuf buf() {
            return Unpooled.wrappedBuffer(payload);
        }

        int first() {
            return payload[0] & 0xFF;
        }
    }

    final EmbeddedChannel channel;
    final FrontendSettings settings;
    final List<AuthenticatedClient> events = new ArrayList<>();
    final List<Packet> afterAuth = new ArrayList<>();
    private final ByteBuf received = Unpooled.buffer();
    private HandshakeV10 greeting;

    static FrontendSettings settings() {
        AtomicLong ids = new AtomicLong(41);
        return FrontendSettings.defaults("10.11.6-MariaDB-sluice", ids::incrementAndGet, USERS::get, KEYS);
    }

    HandshakeHarness() {
        this(settings());
    }

    HandshakeHarness(FrontendSettings settings) {
        this.settings = settings;
        channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(CLIENT_IP, 50123);
            }
        };
        channel.freezeTime();
        ClientHandshakeHandler.install(channel.pipeline(), settings);
        channel.pipeline().addLast("recorder", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof AuthenticatedClient client) {
                    events.add(client);
                }
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                afterAuth.add((Packet) msg);
            }
        });
    }

    /** Reads and checks the greeting (sequence id 0). */
    HandshakeV10 greeting() {
        if (greeting == null) {
            Frame frame = next();
            assertThat(frame.seq()).as("greeting sequence id").isEqualTo(0);
            greeting = HandshakeV10.decode(frame.buf());
        }
        return greeting;
    }

    byte[] scramble() {
        return greeting().scramble();
    }

    /** Moves everything the handler wrote into the receive buffer, releasing Netty's buffers. */
    void drain() {
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            received.writeBytes(b);
            boolean freed = b.release();
            if (settings.sslContext() == null) {
                // The encoder's header buffers and payload slices: this is their last reference. (TLS records
                // come from the SslHandler's own buffers and may share them.)
                assertThat(freed)
                        .as("outbound buffer released by its last owner")
                        .isTrue();
            }
        }
    }

    /** Raw bytes written to the socket so far (for TLS records). */
    byte[] drainRaw() {
        drain();
        byte[] bytes = ByteBufUtil.getBytes(received);
        received.clear();
        return bytes;
    }

    /** The next packet the handler wrote; fails when there is none. */
    Frame next() {
        Frame f = poll();
        assertThat(f).as("a packet from the handler").isNotNull();
        return f;
    }

    Frame poll() {
        drain();
        if (received.readableBytes() < 4) {
            return null;
        }
        int length = received.getUnsignedMediumLE(received.readerIndex());
        if (received.readableBytes() < 4 + length) {
            return null;
        }
        int seq = received.getUnsignedByte(received.readerIndex() + 3);
        received.skipBytes(4);
        byte[] payload = new byte[length];
        received.readBytes(payload);
        return new Frame(seq, payload);
    }

    /** Sends one packet (reading the greeting first if the test has not). */
    void send(int seq, Consumer<ByteBuf> payload) {
        greeting();
        channel.writeInbound(frame(seq, payload));
    }

    void send(int seq, byte[] payload) {
        send(seq, b -> b.writeBytes(payload));
    }

    static ByteBuf frame(int seq, Consumer<ByteBuf> payload) {
        ByteBuf p = Unpooled.buffer();
        payload.accept(p);
        ByteBuf framed = Framing.encode(p, seq, Unpooled.buffer().alloc());
        p.release();
        return framed;
    }

    static HandshakeResponse41 login(String user, byte[] auth, String plugin) {
        return login(CLIENT_CAPS, user, auth, plugin);
    }

    static HandshakeResponse41 login(long caps, String user, byte[] auth, String plugin) {
        return new HandshakeResponse41(
                caps,
                16 << 20,
                33,
                user,
                auth,
                "shop",
                plugin,
                List.of(
                        new HandshakeResponse41.Attribute("_client_name", "harness"),
                        new HandshakeResponse41.Attribute("_pid", "42")),
                0);
    }

    void sendLogin(int seq, HandshakeResponse41 login) {
        send(seq, login::encode);
    }

    byte[] nativeAuth(String password) {
        return NativePassword.scramble(bytes(password), scramble());
    }

    byte[] sha2Auth(String password) {
        return CachingSha2Password.scramble(bytes(password), scramble());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The expected ERR payload: 0xFF, code, '#', SQLSTATE, message. */
    static byte[] err(int code, String state, String message) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0xFF);
        b.writeShortLE(code);
        b.writeByte('#');
        b.writeCharSequence(state, StandardCharsets.US_ASCII);
        b.writeCharSequence(message, StandardCharsets.UTF_8);
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        return bytes;
    }

    void close() {
        channel.checkException(); // nothing escaped the handler to the pipeline's tail
        received.release();
        channel.finishAndReleaseAll();
        afterAuth.forEach(Packet::release);
    }
}
