package dev.sluice.proxy;

import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.frontend.AuthenticatedClient;
import dev.sluice.proxy.frontend.ClientHandshakeHandler;
import dev.sluice.proxy.frontend.ClientTlsContexts;
import dev.sluice.proxy.frontend.FrontendSettings;
import dev.sluice.proxy.frontend.Refusals;
import dev.sluice.proxy.frontend.Sha2Cache;
import dev.sluice.proxy.session.ClientSession;
import dev.sluice.proxy.session.ProxyContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up every accepted client channel: the connection limit, then the frontend's handshake (greeting, TLS,
 * authentication) and, once the client is authenticated, its {@link ClientSession}. What the greeting
 * advertises comes from the servers behind Sluice: their version, and only capabilities they have; until the
 * server's greeting is known, a client waits for it or is refused ({@link GreetingGate}).
 */
final class ClientChannelInitializer {
    private final ProxyContext context;
    private final SslContext sslContext;
    private final Sha2Cache sha2Cache = new Sha2Cache();
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param sslContext the clients' TLS context ({@link #tlsContext}), or null when client TLS is disabled
     */
    ClientChannelInitializer(ProxyContext context, SslContext sslContext) {
        this.context = context;
        this.sslContext = sslContext;
    }

    /**
     * Starts what the first greeting needs and does not depend on the servers, each on a thread of its own, so
     * that it runs while the event loops start and the primary server is probed: the clients' TLS context (the
     * certificate files, or the cached self-signed pair, and the JDK's TLS classes) and caching_sha2_password's RSA
     * pair (loaded from its cache, or made: most of a second). A greeting that comes before the RSA pair is ready
     * waits for it (class initialisation); {@link ProxyServer} waits for the TLS context before it listens.
     *
     * @return the TLS context, null when client TLS is disabled; failing as {@link ClientTlsContexts#create} does
     */
    static CompletableFuture<SslContext> prepare(ProxyConfig config) {
        Thread rsa = new Thread(FrontendSettings::processRsaKeyPair, "sluice-rsa-keygen");
        rsa.setDaemon(true);
        rsa.start();
        if (!config.clientTls().enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<SslContext> tls = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        tls.complete(ClientTlsContexts.create(config.clientTls()));
                    } catch (Throwable e) {
                        tls.completeExceptionally(e);
                    }
                },
                "sluice-tls-init");
        t.setDaemon(true);
        t.start();
        return tls;
    }

    void initialize(SocketChannel channel) {
        ProxyConfig config = context.config();
        context.stats().accepted();
        if (open.incrementAndGet() > config.limits().maxClientConnections()) {
            open.decrementAndGet();
            context.stats().refused(dev.sluice.proxy.stats.StatementStats.Refusal.CONNECTION_LIMIT);
            Refusals.refuseTooManyConnections(channel);
            return;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        GreetingGate.whenKnown(channel, context, server -> {
            ClientHandshakeHandler.install(channel.pipeline(), settings(server), context.accounts(), linkTap(channel));
            channel.pipeline().addLast("session-starter", new SessionStarter());
        });
    }

    /**
     * What sees every packet on this client's link, both directions, from the greeting on (after TLS): none yet. The
     * validator and the session captures each add theirs here, combined with {@link FrameTap#both}.
     */
    private FrameTap linkTap(SocketChannel channel) {
        return null;
    }

    /** Client channels accepted and not yet closed (in the handshake or in a session). */
    int openConnections() {
        return open.get();
    }

    /** What the greeting offers: the server's version and character set, and only capabilities it has. */
    private FrontendSettings settings(HandshakeV10 server) {
        ProxyConfig config = context.config();
        // the state the server's sessions start in (autocommit may be off globally): drivers decide from the login
        // OK whether to switch autocommit on
        int status = server.statusFlags() & ServerStatus.SESSION_STATE;
        long capabilities = CapabilityPolicy.withCompression(
                CapabilityPolicy.greeting(server.capabilities(), config.localInfile()),
                config.compression().clients());
        return new FrontendSettings(
                server.serverVersion(),
                capabilities,
                server.characterSet(),
                status,
                context.registry()::allocateId,
                config::user,
                sslContext,
                config.clientTls().required(),
                config.clientAuthPlugin(),
                FrontendSettings.processRsaKeyPair(),
                sha2Cache,
                config.timeouts().clientHandshake(),
                config.limits().maxPacketSize());
    }

    /** Waits for the handshake's outcome and puts the session in its place. */
    private final class SessionStarter extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof AuthenticatedClient client) {
                ctx.pipeline()
                        .replace(this, "session", new ClientSession(context, client, ctx.channel(), client.sequence()));
            } else if (evt instanceof dev.sluice.proxy.frontend.LoginFailure failure) {
                context.stats().loginFailed(failure.code());
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }
}
