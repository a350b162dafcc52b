package dev.sluice.proxy.ops;

import dev.sluice.backend.Transport;
import dev.sluice.proxy.config.ListenerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A listener for operators (the HTTP listener, the admin interface) on an event loop of its own: what its clients ask
 * never delays the relay, and the relay's load never delays them. A small backlog: operators are few.
 */
public final class OwnLoopListener implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private OwnLoopListener(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code listen}; a failure names {@code key} (the configuration key, e.g. {@code http.listen}).
     *
     * @param init sets up each accepted channel's pipeline
     */
    public static OwnLoopListener bind(
            Transport transport, ListenerConfig listen, String key, Consumer<SocketChannel> init) {
        EventLoopGroup group = transport.newGroup(1);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        init.accept(ch);
                    }
                });
        try {
            return new OwnLoopListener(
                    group, bootstrap.bind(listen.host(), listen.port()).sync().channel());
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "cannot listen on " + listen.host() + ":" + listen.port() + " (" + key + "): " + e.getMessage(), e);
        }
    }

    /** The listener's event loop (for its own timers). */
    public io.netty.channel.EventLoop loop() {
        return channel.eventLoop();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
