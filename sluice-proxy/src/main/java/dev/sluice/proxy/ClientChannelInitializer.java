package dev.sluice.proxy;

import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.proxy.capture.Captures;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.frontend.AuthenticatedClient;
import dev.sluice.proxy.frontend.ClientHandshakeHandler;
import dev.sluice.proxy.frontend.ClientTlsContexts;
import dev.sluice.proxy.frontend.FrontendSettings;
import dev.sluice.proxy.frontend.Refusals;
import dev.sluice.proxy.frontend.Sha2Cache;
import dev.sluice.proxy.hostile.HostileListener;
import dev.sluice.proxy.session.ClientSession;
import dev.sluice.proxy.session.ProxyContext;
import dev.sluice.proxy.validate.LinkValidation;
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
        initialize(channel, null);
    }

    /**
     * @param hostile the hostile listener's faults for this channel (docs/HOSTILE.md), or null on the main listeners;
     *     a hostile channel is offered no TLS, so that its faults act on the protocol's own bytes
     */
    void initialize(SocketChannel channel, HostileListener hostile) {
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
            FrameTap tap = linkTap(channel, hostile == null);
            if (hostile != null) {
                // captures see what the faults let through: the stream as it really goes
                tap = FrameTap.then(hostile.install(channel), tap);
            }
            ClientHandshakeHandler.install(
                    channel.pipeline(), settings(server, hostile != null), context.accounts(), tap);
            channel.pipeline().addLast("session-starter", new SessionStarter());
        });
    }

    /**
     * What sees every packet on this client's link, both directions, from the greeting on (after TLS): the strict
     * validator (unless {@code validate} is false: the hostile listener breaks the protocol on purpose, and its faults
     * would be reported as the violations they are) and the session capture's ring when capture is configured.
     */
    private FrameTap linkTap(SocketChannel channel, boolean validate) {
        ProxyConfig config = context.config();
        Captures captures = context.captures();
        FrameTap validator = !validate
                ? null
                : LinkValidation.install(
                        channel,
                        config.validate(),
                        config.limits().maxPacketSize(),
                        context.violations(),
                        captures == null ? null : captures::onViolation);
        // both see every packet, a withheld one too: a capture shows what the validator refused
        return FrameTap.both(validator, captures == null ? null : captures.tap(channel));
    }

    /** Client channels accepted and not yet closed (in the handshake or in a session). */
    int openConnections() {
        return open.get();
    }

    /**
     * What the greeting offers: the server's version and character set, and only capabilities it has; no TLS at all
     * when {@code withoutTls} (the hostile listener).
     */
    private FrontendSettings settings(HandshakeV10 server, boolean withoutTls) {
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
                withoutTls ? null : sslContext,
                !withoutTls && config.clientTls().required(),
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
                LinkValidation.loggedIn(ctx.channel(), client.sessionId(), client.sequence());
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
