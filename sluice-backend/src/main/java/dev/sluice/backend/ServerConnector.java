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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Opens {@link ServerConnection}s. One deadline, {@link ConnectOptions#connectTimeout()}, covers TCP
 * connect, the greeting, TLS and authentication together: a server that accepts TCP and then says nothing
 * fails the attempt when it expires (DESIGN invariant 6).
 *
 * <p>TLS to servers does not verify the server certificate yet (test sandboxes use self-signed ones);
 * verification arrives with the backend configuration of the proxy.
 */
public final class ServerConnector {

    private final EventLoopGroup group;
    private final Transport transport;
    private volatile SslContext sslContext;

    /**
     * The TLS context is made on a thread of its own (the JDK's TLS set-up, its default trust store included, takes
     * a few hundred milliseconds of a proxy's start-up, which need not wait for it); a connection that switches to
     * TLS before it is ready waits for it.
     */
    public ServerConnector(EventLoopGroup group, Transport transport) {
        this.group = group;
        this.transport = transport;
        Thread warm = new Thread(() -> {
            try {
                sslContext();
            } catch (RuntimeException e) {
                // reported to the first connection that needs it
            }
        }, "sluice-server-tls-init");
        warm.setDaemon(true);
        warm.start();
    }

    private SslContext sslContext() {
        SslContext c = sslContext;
        if (c == null) {
            synchronized (this) {
                c = sslContext;
                if (c == null) {
                    try {
                        c = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
                    } catch (SSLException e) {
                        throw new IllegalStateException("cannot create the client TLS context", e);
                    }
                    sslContext = c;
                }
            }
        }
        return c;
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
        ConnectionHandler handler = new ConnectionHandler(options, sequence, this::sslContext, connected);
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
                                .addLast("connection", handler);
                    }
                });
        ChannelFuture f = bootstrap.connect(options.host(), options.port());
        Channel channel = f.channel();
        ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> {
            if (!connected.isDone()) {
                handler.connectTimedOut("no complete login within connect-timeout " + deadlineMillis + " ms");
                channel.close();
            }
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connected.completeExceptionally(new ConnectionFailedException(options.host() + ":" + options.port()
                        + ": tcp connect failed: " + done.cause().getMessage(), done.cause(), true));
            }
        });
        connected.whenComplete((c, e) -> deadline.cancel(false));
        return connected;
    }
}
