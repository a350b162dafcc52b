package dev.sluice.backend;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.compress.Compressing;
import dev.sluice.protocol.compress.Compression;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * The connection phase of one server connection, on its event loop: the greeting, the optional TLS upgrade and
 * the authentication exchange (its steps computed by an {@link Authenticator}). When the server accepts the
 * login, this handler gives its place in the pipeline to a {@link CommandHandler} and completes {@code connected}
 * with the {@link ServerConnection}; any failure before that (ERR, refused certificate, protocol error, closed
 * connection, the connect deadline) completes it exceptionally and closes the channel.
 */
final class LoginHandler extends SimpleChannelInboundHandler<Packet> {
    /** What this client asks for; intersected with the greeting's capabilities. */
    static final long CLIENT_CAPABILITIES = Capability.CLIENT_MYSQL
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK;

    private enum State {
        GREETING,
        TLS_HANDSHAKE,
        AUTHENTICATING,
        /** Logged in: the channel belongs to the command handler. */
        DONE,
        CLOSED
    }

    private final ConnectOptions options;
    private final PacketSequence sequence;
    private final ServerTlsContexts tlsContexts;
    private final CompletableFuture<ServerConnection> connected;

    private ChannelHandlerContext ctx;
    private State state = State.GREETING;
    private HandshakeV10 greeting;
    private long capabilities;
    private boolean tls;
    private Authenticator authenticator;

    /** @param tlsContexts the TLS contexts, asked for one only when the connection switches to TLS */
    LoginHandler(
            ConnectOptions options,
            PacketSequence sequence,
            ServerTlsContexts tlsContexts,
            CompletableFuture<ServerConnection> connected) {
        this.options = options;
        this.sequence = sequence;
        this.tlsContexts = tlsContexts;
        this.connected = connected;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet packet) {
        ByteBuf payload = packet.payload();
        switch (state) {
            case GREETING -> onGreeting(payload);
            case AUTHENTICATING -> onAuthPacket(payload);
            case TLS_HANDSHAKE, DONE, CLOSED ->
                throw new ProtocolException("unexpected packet from the server while "
                        + state.name().toLowerCase());
        }
    }

    private void onGreeting(ByteBuf payload) {
        if (payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == ErrPacket.HEADER) {
            throw new ServerException(ErrPacket.decode(payload, 0), "server refused the connection");
        }
        greeting = HandshakeV10.decode(payload);
        long wanted;
        if (options.capabilities() != 0) {
            wanted = options.capabilities() & ~(Capability.CLIENT_SSL | Capability.CLIENT_CONNECT_WITH_DB);
        } else {
            wanted = CLIENT_CAPABILITIES;
            if (options.deprecateEof()) {
                wanted |= Capability.CLIENT_DEPRECATE_EOF;
            }
        }
        if (options.sessionTracking()) {
            wanted |= Capability.CLIENT_SESSION_TRACK; // the proxy rewrites OKs to what its client asked for
        }
        if (options.database() != null) {
            wanted |= Capability.CLIENT_CONNECT_WITH_DB;
        }
        boolean serverTls = Capability.has(greeting.capabilities(), Capability.CLIENT_SSL);
        TlsMode mode = options.tls().mode();
        if (mode.requiresTls() && !serverTls) {
            // a server without TLS, or a peer on the path that removed the flag from the greeting
            throw new ServerTrustException(
                    ServerTrustException.Reason.TLS,
                    where() + ": tls "
                            + mode.configName() + ", but the server's greeting (" + greeting.serverVersion()
                            + ") offers no TLS; nothing was sent");
        }
        if (mode == TlsMode.PREFERRED && !serverTls) {
            tlsContexts.warnUnencrypted(where(), "its greeting (" + greeting.serverVersion() + ") offers no TLS");
        }
        if (mode != TlsMode.DISABLED && serverTls) {
            wanted |= Capability.CLIENT_SSL;
        }
        wanted |= compressionWanted(greeting.capabilities());
        capabilities = wanted & greeting.capabilities();
        if (Capability.has(capabilities, Capability.CLIENT_SSL)) {
            startTls();
        } else {
            sendLogin();
        }
    }

    /** The bit asking for the configured compression, as the server offers it (zstd falls back to zlib); 0: none. */
    private long compressionWanted(long offered) {
        Compression asked = options.compression();
        if (asked == Compression.ZSTD && Capability.has(offered, Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM)) {
            return Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM;
        }
        return asked != null ? Capability.CLIENT_COMPRESS : 0;
    }

    private void startTls() {
        state = State.TLS_HANDSHAKE;
        ByteBuf out = ctx.alloc().buffer(SslRequest.LENGTH);
        new SslRequest(capabilities, options.maxPacketSize(), options.collationId()).encode(out);
        ctx.writeAndFlush(out);
        // The SslRequest has passed this handler already; TLS wraps everything written from here on.
        // the host connected to is the engine's peer host: what verify-identity checks the certificate against
        SslHandler ssl = tlsContexts.context(options.tls()).newHandler(ctx.alloc(), options.host(), options.port());
        ctx.pipeline().addFirst("tls", ssl);
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                tls = true;
                sendLogin();
            } else if (certificateProblem(f.cause())) {
                fail(new ServerTrustException(
                        ServerTrustException.Reason.TLS,
                        where()
                                + ": TLS handshake failed: the server's certificate was refused (tls: "
                                + options.tls().describe()
                                + "): " + f.cause().getMessage() + "; nothing was sent",
                        f.cause()));
            } else {
                fail(new ConnectionFailedException(
                        where() + ": TLS handshake failed: " + f.cause().getMessage(), f.cause()));
            }
        });
    }

    private static boolean certificateProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private void sendLogin() {
        state = State.AUTHENTICATING;
        authenticator = new Authenticator(options, tls, capabilities);
        byte[] auth = authenticator.initialResponse(greeting.authPluginName(), greeting.scramble());
        List<HandshakeResponse41.Attribute> attributes = new ArrayList<>();
        options.connectAttributes().forEach((k, v) -> attributes.add(new HandshakeResponse41.Attribute(k, v)));
        HandshakeResponse41 login = new HandshakeResponse41(
                capabilities,
                options.maxPacketSize(),
                options.collationId(),
                options.user(),
                auth,
                options.database(),
                authenticator.plugin(),
                attributes,
                Compression.negotiated(capabilities) == Compression.ZSTD
                        ? Compression.ZSTD.levelOrDefault(options.compressionLevel())
                        : 0);
        ByteBuf out = ctx.alloc().buffer();
        login.encode(out);
        ctx.writeAndFlush(out);
    }

    private void onAuthPacket(ByteBuf payload) {
        Authenticator.Step step = authenticator.onPacket(payload);
        if (step instanceof Authenticator.Send send) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(send.payload()));
        } else if (step instanceof Authenticator.Done) {
            state = State.DONE;
            Compression compression = Compression.negotiated(capabilities);
            if (compression != null) {
                // the OK was the last uncompressed packet; the server compresses from its next one
                Compressing.install(
                        ctx.pipeline(), sequence, compression, options.compressionLevel(), options.maxPacketSize());
            }
            CommandHandler commands = new CommandHandler(
                    new Login(greeting, capabilities, tls, authenticator.plugin(), where()), sequence);
            // packets the server sends from here on (also the rest of this read) go to the command handler
            ctx.pipeline().replace(this, CommandHandler.NAME, commands);
            connected.complete(new ServerConnection(ctx.channel(), commands));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof SSLException && state == State.TLS_HANDSHAKE) {
            return; // reported by the handshake future
        }
        fail(root);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new ConnectionFailedException(where() + ": connection closed by the server during "
                + state.name().toLowerCase()));
    }

    /** Called by the connector when the connect deadline passes before the login completed. */
    void connectTimedOut(String message) {
        // a server that does not finish a login within the deadline is as good as down, whatever the phase
        fail(new ConnectionFailedException(
                where() + ": " + message + " (state: " + state.name().toLowerCase() + ")", null, true));
    }

    private void fail(Throwable cause) {
        if (state == State.CLOSED || state == State.DONE) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        Throwable reported = cause instanceof ConnectionFailedException
                        || cause instanceof ServerException
                        || cause instanceof ServerTrustException
                ? cause
                : new ConnectionFailedException(
                        where() + ": " + was.name().toLowerCase() + " failed: "
                                + (cause.getMessage() == null ? cause.toString() : cause.getMessage()),
                        cause);
        connected.completeExceptionally(reported);
        ctx.close();
    }

    private String where() {
        return options.host() + ":" + options.port();
    }
}
