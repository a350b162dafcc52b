package dev.sluice.proxy.frontend;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Framing;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.session.ProxyErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/** Writing an ERR of the connection phase (built by {@link ProxyErrors}), in place of the greeting or later. */
public final class Refusals {
    private Refusals() {}

    /**
     * Refuses a just-accepted client over the connection limit: writes ERR 1040 (sequence id 0, in place of
     * the greeting, as servers do) and closes. Works whether or not the pipeline already holds Sluice's
     * handlers: the packet is framed here and written from the head of the pipeline, past any encoder.
     */
    public static ChannelFuture refuseTooManyConnections(Channel channel) {
        return refuse(channel, ProxyErrors.tooManyConnections());
    }

    /** Writes {@code err} framed with sequence id 0 straight to the socket, then closes. */
    public static ChannelFuture refuse(Channel channel, ErrPacket err) {
        ByteBuf payload = channel.alloc().buffer();
        ByteBuf framed;
        try {
            err.encode(payload, CapabilityPolicy.BEFORE_LOGIN);
            framed = Framing.encode(payload, 0, channel.alloc());
        } finally {
            payload.release();
        }
        ChannelHandlerContext first = channel.pipeline().firstContext();
        // Writing from the first handler's context reaches only the pipeline's head: no encoder re-frames it.
        ChannelFuture future = first == null ? channel.writeAndFlush(framed) : first.writeAndFlush(framed);
        return future.addListener(ChannelFutureListener.CLOSE);
    }
}
