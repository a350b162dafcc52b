package dev.sluice.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Payloads to physical packets. Accepts a {@link ByteBuf} payload, or a {@link Packet} being relayed from
 * another connection, whose sequence id belongs to that other connection and is ignored: every physical
 * packet is stamped from this channel's {@link PacketSequence}.
 *
 * <p>Small payloads (up to {@link #COPY_THRESHOLD}) are copied behind their header into one buffer; larger
 * ones are not copied: each physical packet is written as a small header buffer followed by a retained slice
 * of the payload. Payloads of 0xFFFFFF bytes or more are split into 0xFFFFFF-byte packets
 * plus a final shorter one, which is empty when the length is an exact multiple of 0xFFFFFF (the receiver
 * would otherwise wait for a continuation).
 */
public final class PacketEncoder extends MessageToMessageEncoder<Object> {
    private final PacketSequence sequence;
    private final int maxChunk;

    public PacketEncoder(PacketSequence sequence) {
        this(sequence, Framing.MAX_CHUNK);
    }

    /** {@code maxChunk} below 0xFFFFFF lets tests exercise splitting with tiny payloads. */
    public PacketEncoder(PacketSequence sequence, int maxChunk) {
        if (maxChunk < 1 || maxChunk > Framing.MAX_CHUNK) {
            throw new IllegalArgumentException("maxChunk: " + maxChunk + " (expected: 1.." + Framing.MAX_CHUNK + ")");
        }
        this.sequence = sequence;
        this.maxChunk = maxChunk;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof ByteBuf || msg instanceof Packet;
    }

    /**
     * Payloads up to this size are copied behind their header into one buffer: for the typical row a copy of
     * a few hundred bytes costs less than a second buffer object, its slice and its trip through the outbound
     * buffer (measured: two buffers per packet were ~14% of the relay's CPU).
     */
    static final int COPY_THRESHOLD = 2048;

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        ByteBuf payload = msg instanceof Packet ? ((Packet) msg).content() : (ByteBuf) msg;
        int length = payload.readableBytes();
        if (length <= COPY_THRESHOLD && length < maxChunk) {
            ByteBuf packet = ctx.alloc().ioBuffer(Framing.HEADER_SIZE + length);
            Framing.writeHeader(packet, length, sequence.stampOutbound());
            packet.writeBytes(payload, payload.readerIndex(), length);
            out.add(packet);
            return;
        }
        int offset = payload.readerIndex();
        int packets = Framing.physicalPackets(length, maxChunk);
        for (int i = 0; i < packets; i++) {
            int chunk = Math.min(maxChunk, length - (offset - payload.readerIndex()));
            ByteBuf header = ctx.alloc().buffer(Framing.HEADER_SIZE);
            Framing.writeHeader(header, chunk, sequence.stampOutbound());
            out.add(header);
            if (chunk > 0) {
                out.add(payload.retainedSlice(offset, chunk));
            }
            offset += chunk;
        }
    }
}
