package dev.sluice.proxy.session;

import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The session's handler on its server channel: hands every packet and event to the {@link ClientSession}. Payloads
 * come as the decoder's {@link PacketDecoder.Sink}; only joined payloads of 16 MiB or more arrive as {@link Packet}s.
 */
@ChannelHandler.Sharable // one per session, on the one connection the session holds at a time
final class ServerHandler extends ChannelInboundHandlerAdapter implements PacketDecoder.Sink {
    private final ClientSession session;

    ServerHandler(ClientSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Packet packet) {
            try {
                session.onServerPayload(packet.payload());
            } finally {
                packet.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void onPayload(ByteBuf payload, int sequenceId) {
        session.onServerPayload(payload);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.onServerReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.onServerWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.onServerInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.onServerFailure(cause);
    }
}
