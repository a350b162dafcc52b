package dev.sluice.backend;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads a server's greeting without logging in (TCP connect, one packet, close), to learn its version and
 * capabilities: what a proxy advertises to its clients must be what the servers behind it are, or drivers
 * pick the wrong dialect. No credentials are sent, so no failed login is counted against anyone.
 */
public final class GreetingProbe {
    private GreetingProbe() {}

    public static CompletableFuture<HandshakeV10> probe(
            EventLoopGroup group, Transport transport, String host, int port, Duration timeout) {
        CompletableFuture<HandshakeV10> result = new CompletableFuture<>();
        String where = host + ":" + port;
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new PacketDecoder(new PacketSequence(), 64 * 1024),
                                        new SimpleChannelInboundHandler<Packet>() {
                                            @Override
                                            protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
                                                ByteBuf payload = p.payload();
                                                if (payload.isReadable()
                                                        && payload.getUnsignedByte(payload.readerIndex())
                                                                == ErrPacket.HEADER) {
                                                    result.completeExceptionally(new ServerException(
                                                            ErrPacket.decode(payload, 0),
                                                            where + ": server refused the connection"));
                                                } else {
                                                    result.complete(HandshakeV10.decode(payload));
                                                }
                                                ctx.close();
                                            }

                                            @Override
                                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                                result.completeExceptionally(new ConnectionFailedException(
                                                        where + ": greeting: " + cause.getMessage(), cause));
                                                ctx.close();
                                            }

                                            @Override
                                            public void channelInactive(ChannelHandlerContext ctx) {
                                                result.completeExceptionally(new ConnectionFailedException(
                                                        where + ": closed before the greeting"));
                                            }
                                        });
                    }
                });
        b.connect(host, port).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new ConnectionFailedException(
                        where + ": tcp connect failed: " + f.cause().getMessage(), f.cause()));
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            ch.eventLoop()
                    .schedule(
                            () -> {
                                if (result.completeExceptionally(new ConnectionFailedException(where
                                        + ": no greeting within connect-timeout " + timeout.toMillis() + " ms"))) {
                                    ch.close();
                                }
                            },
                            timeout.toMillis(),
                            TimeUnit.MILLISECONDS);
        });
        return result;
    }
}
