package dev.sluice.proxy.ops;

import dev.sluice.backend.Transport;
import dev.sluice.proxy.config.HttpConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The operators' HTTP listener ({@code http.listen}): {@code /metrics}, {@code /health/live}, {@code /health/ready}
 * (see {@link OpsHttpHandler}), on an event loop of its own so that a slow scraper never delays the relay. Requests
 * are bounded: 4 KiB for the request line, 8 KiB of headers, 4 KiB of body, 10 s of silence.
 */
public final class OpsHttpServer implements AutoCloseable {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 4096;
    static final int IDLE_SECONDS = 10;

    private final EventLoopGroup group;
    private final Channel channel;

    private OpsHttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds the listener.
     *
     * @param ready whether the proxy accepts clients now (what {@code /health/ready} answers)
     */
    public static OpsHttpServer start(
            HttpConfig config, Transport transport, ProxyMetrics metrics, BooleanSupplier ready) {
        EventLoopGroup group = transport.newGroup(1);
        StatusRoutes status = new StatusRoutes(
                metrics.context().stats(), () -> metrics.context().registry().size());
        status.start(group.next());
        OpsHttpHandler handler = new OpsHttpHandler(metrics, ready, status);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY))
                                .addLast(new HttpObjectAggregator(MAX_BODY))
                                .addLast(handler);
                    }
                });
        String host = config.listen().host();
        int port = config.listen().port();
        try {
            Channel channel = bootstrap.bind(host, port).sync().channel();
            return new OpsHttpServer(group, channel);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + " (http.listen): " + e.getMessage(), e);
        }
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
