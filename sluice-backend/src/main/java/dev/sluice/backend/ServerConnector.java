package dev.sluice.backend;

import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens {@link ServerConnection}s. One deadline, {@link ConnectOptions#connectTimeout()}, covers TCP
 * connect, the greeting, TLS and authentication together: a server that accepts TCP and then says nothing
 * fails the attempt when it expires (DESIGN invariant 6).
 *
 * <p>TLS follows {@link ConnectOptions#tls()}: its contexts, one per {@link ServerTls}, live in {@link
 * #tlsContexts()}, where a proxy prepares them at start.
 */
public final class ServerConnector {

    private final EventLoopGroup group;
    private final Transport transport;
    private final ServerTlsContexts tlsContexts = new ServerTlsContexts();

    /**
     * The context of {@code tls: preferred}/{@code required} is made on a thread of its own (the JDK's TLS set-up
     * takes a few hundred milliseconds of a proxy's start-up, which need not wait for it); a connection that
     * switches to TLS before it is ready waits for it.
     */
    public ServerConnector(EventLoopGroup group, Transport transport) {
        this.group = group;
        this.transport = transport;
        tlsContexts.prepare(ServerTls.of(TlsMode.PREFERRED));
    }

    /** The TLS contexts of server connections, and the once-per-server warning of unencrypted preferred links. */
    public ServerTlsContexts tlsContexts() {
        return tlsContexts;
    }

    public CompletableFuture<ServerConnection> connect(ConnectOptions options) {
        return connect(options, group);
    }

    public EventLoopGroup group() {
        return group;
    }

    public Transport transport() {
        return transport;
    }

    /**
     * Connects on a given event loop (or group): a proxy opens a session's server connection on the loop of
     * its client connection, so relaying between the two needs no locks and no hand-off between threads.
     */
    public CompletableFuture<ServerConnection> connect(ConnectOptions options, EventLoopGroup loop) {
        CompletableFuture<ServerConnection> connected = new CompletableFuture<>();
        PacketSequence sequence = new PacketSequence();
        LoginHandler handler = new LoginHandler(options, sequence, tlsContexts, connected);
        long deadlineMillis = options.connectTimeout().toMillis();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, deadlineMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("frame-decoder", new PacketDecoder(sequence, options.maxPacketSize()))
                                .addLast("frame-encoder", new PacketEncoder(sequence))
                                .addLast("login", handler);
                    }
                });
        ChannelFuture f = bootstrap.connect(options.host(), options.port());
        Channel channel = f.channel();
        ScheduledFuture<?> deadline = channel.eventLoop()
                .schedule(
                        () -> {
                            if (!connected.isDone()) {
                                handler.connectTimedOut(
                                        "no complete login within connect-timeout " + deadlineMillis + " ms");
                                channel.close();
                            }
                        },
                        deadlineMillis,
                        TimeUnit.MILLISECONDS);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connected.completeExceptionally(new ConnectionFailedException(
                        options.host() + ":" + options.port() + ": tcp connect failed: "
                                + done.cause().getMessage(),
                        done.cause(),
                        true));
            }
        });
        connected.whenComplete((c, e) -> deadline.cancel(false));
        return connected;
    }
}
