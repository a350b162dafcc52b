package dev.sluice.backend.fake;

import dev.sluice.backend.Transport;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted fake MySQL server for behaviour the real MariaDB used by the other tests cannot show:
 * MySQL's caching_sha2_password (fast path, full authentication over TLS, RSA key exchange with and without
 * a public-key request), an AuthSwitchRequest between plugins, and servers that go silent after accepting
 * TCP or after the greeting. It speaks real bytes: the framing and every message come from the protocol
 * module, the same code the client uses, so what a test sees is what a socket carried.
 *
 * <p>It knows one account. Its command phase is just enough to show a login worked: {@code SELECT <integer>}
 * returns a one-column, one-row result (ending in EOF or in a 0xFE OK, as CLIENT_DEPRECATE_EOF was agreed),
 * any other query an ERR 1064, COM_PING an OK, COM_QUIT closes.
 *
 * <p>Everything the fake receives is recorded twice: as decoded packets ({@link #received()}) and as the raw
 * bytes off the socket, before any TLS decryption ({@link #rawInbound()}), so a test can check that a password
 * never crossed the wire in clear. Scrambles come from a seeded {@link Random}; the seed is in
 * {@link #toString()}.
 */
public final class FakeMysqlServer implements AutoCloseable {
    /** What the fake does once a client connects. */
    public enum Behaviour {
        /** Greets, authenticates and answers commands. */
        NORMAL,
        /** Accepts TCP and never sends a greeting. */
        SILENT_AFTER_ACCEPT,
        /** Sends the greeting and never answers the login. */
        SILENT_AFTER_GREETING,
        /** Offers TLS, takes the SSLRequest and never answers the TLS handshake (needs {@code tls(true)}). */
        SILENT_IN_TLS_HANDSHAKE
    }

    static final String HOST = "127.0.0.1";
    static final int MAX_PACKET = 1 << 20;

    /** One RSA key pair per JVM: generating a 2048-bit key takes a noticeable fraction of a second. */
    private static final class Keys {
        static final KeyPair PAIR = CachingSha2Password.generateKeyPair(2048);
    }

    private final Builder config;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final SslContext sslContext;
    private final AtomicBoolean cached;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> raw = new CopyOnWriteArrayList<>();
    private final Random random;

    private FakeMysqlServer(Builder config) throws Exception {
        this.config = config;
        this.cached = new AtomicBoolean(config.cached);
        this.random = new Random(config.seed);
        this.sslContext = !config.tls
                ? null
                : config.certificate == null
                        ? selfSignedContext()
                        : SslContextBuilder.forServer(config.certificate.toFile(), config.key.toFile())
                                .build();
        Transport transport = Transport.best();
        this.group = transport.newGroup(1);
        try {
            this.serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverSocketChannel())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            int index = connections.getAndIncrement();
                            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                            raw.add(bytes);
                            children.add(ch);
                            PacketSequence sequence = new PacketSequence();
                            ch.pipeline()
                                    .addLast("capture", new Capture(bytes))
                                    .addLast(FakeSession.DECODER, new PacketDecoder(sequence, MAX_PACKET))
                                    .addLast("encoder", new PacketEncoder(sequence))
                                    .addLast("session", new FakeSession(FakeMysqlServer.this, index, sequence));
                        }
                    })
                    .bind(HOST, 0)
                    .sync()
                    .channel();
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public RSAPublicKey publicKey() {
        return (RSAPublicKey) Keys.PAIR.getPublic();
    }

    public RSAPrivateKey privateKey() {
        return (RSAPrivateKey) Keys.PAIR.getPrivate();
    }

    /** Whether the fake holds a caching_sha2_password cache entry for its account (set after a full auth). */
    public boolean isCached() {
        return cached.get();
    }

    /** Every packet received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(Received.Kind kind) {
        return received.stream().filter(r -> r.kind() == kind).toList();
    }

    /** The raw bytes each connection's socket delivered, before framing and TLS: index = connection number. */
    public List<byte[]> rawInbound() {
        List<byte[]> out = new ArrayList<>();
        for (ByteArrayOutputStream bytes : raw) {
            synchronized (bytes) {
                out.add(bytes.toByteArray());
            }
        }
        return out;
    }

    /** How many connections the fake has accepted. */
    public int accepted() {
        return connections.get();
    }

    /** How many accepted connections are still open (closed channels leave the group). */
    public int open() {
        return children.size();
    }

    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly();
        children.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "FakeMysqlServer[" + HOST + ":" + port() + ", seed=" + config.seed + ", plugin=" + config.greetingPlugin
                + "->" + config.accountPlugin() + ", tls=" + config.tls + ", cached=" + cached.get() + ", behaviour="
                + config.behaviour + "]";
    }

    // ---- for FakeSession ----------------------------------------------------------------------------

    Builder config() {
        return config;
    }

    SslContext sslContext() {
        return sslContext;
    }

    void record(Received r) {
        received.add(r);
    }

    void markCached() {
        cached.set(true);
    }

    /** 20 scramble bytes in 1..127, as servers make them: never NUL, which would end the string early. */
    byte[] newScramble() {
        byte[] scramble = new byte[NativePassword.SEED_LENGTH];
        synchronized (random) {
            for (int i = 0; i < scramble.length; i++) {
                scramble[i] = (byte) (1 + random.nextInt(127));
            }
        }
        return scramble;
    }

    @SuppressWarnings("deprecation") // SelfSignedCertificate is test-only by design, and that is our use
    private static SslContext selfSignedContext() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        return SslContextBuilder.forServer(certificate.key(), certificate.cert())
                .build();
    }

    /** Copies every inbound byte before anything (TLS included) sees it. */
    private static final class Capture extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream bytes;

        Capture(ByteArrayOutputStream bytes) {
            this.bytes = bytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                byte[] copy = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), copy);
                synchronized (bytes) {
                    bytes.writeBytes(copy);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Configuration; {@link #start()} binds a fake on 127.0.0.1 and an ephemeral port. */
    public static final class Builder {
        String greetingPlugin = CachingSha2Password.PLUGIN_NAME;
        String accountPlugin;
        String user = "app";
        String password = "s3cret-pw";
        boolean cached;
        boolean tls;
        Path certificate;
        Path key;
        Behaviour behaviour = Behaviour.NORMAL;
        long seed = System.nanoTime();

        private Builder() {}

        /** The plugin named in the greeting (and the one the account uses unless {@link #accountPlugin}). */
        public Builder greetingPlugin(String plugin) {
            this.greetingPlugin = plugin;
            return this;
        }

        /** The account's plugin; when it differs from the client's, the fake sends an AuthSwitchRequest. */
        public Builder accountPlugin(String plugin) {
            this.accountPlugin = plugin;
            return this;
        }

        public Builder account(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** Start with a caching_sha2_password cache entry for the account (fast path); default: none. */
        public Builder cached(boolean cached) {
            this.cached = cached;
            return this;
        }

        /** Offer CLIENT_SSL with a self-signed certificate. */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Offer CLIENT_SSL with this certificate (PEM chain) and key (PKCS#8), e.g. a CA-signed one. */
        public Builder tls(Path certificate, Path key) {
            this.tls = true;
            this.certificate = certificate;
            this.key = key;
            return this;
        }

        public Builder behaviour(Behaviour behaviour) {
            this.behaviour = behaviour;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        String accountPlugin() {
            return accountPlugin == null ? greetingPlugin : accountPlugin;
        }

        public FakeMysqlServer start() {
            try {
                return new FakeMysqlServer(this);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("fake server did not start: " + e.getMessage(), e);
            }
        }
    }
}
