package dev.sluice.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The packet header and the 16 MiB split rule, usable without a channel (tests, golden vectors, tools).
 *
 * <p>A header is int&lt;3&gt; payload length + int&lt;1&gt; sequence id. A payload of 0xFFFFFF bytes or more
 * is sent as full 0xFFFFFF-byte packets followed by one shorter packet; when the length is an exact multiple
 * of 0xFFFFFF that last packet is empty, which is how the receiver knows the payload ended.
 */
public final class Framing {
    public static final int HEADER_SIZE = 4;
    /** Largest payload of one physical packet; a physical packet this long is continued by the next. */
    public static final int MAX_CHUNK = 0xFFFFFF;

    private Framing() {}

    public static void writeHeader(ByteBuf out, int payloadLength, int sequenceId) {
        out.writeMediumLE(payloadLength);
        out.writeByte(sequenceId);
    }

    /** Number of physical packets a payload of {@code length} bytes needs with chunks of {@code maxChunk}. */
    public static int physicalPackets(long length, int maxChunk) {
        return (int) (length / maxChunk) + 1;
    }

    /**
     * Returns a new buffer holding {@code payload}'s readable bytes framed as physical packets whose ids
     * start at {@code sequenceId}. Does not consume or release {@code payload}.
     */
    public static ByteBuf encode(ByteBuf payload, int sequenceId, ByteBufAllocator alloc) {
        return encode(payload, sequenceId, alloc, MAX_CHUNK);
    }

    static ByteBuf encode(ByteBuf payload, int sequenceId, ByteBufAllocator alloc, int maxChunk) {
        int length = payload.readableBytes();
        int packets = physicalPackets(length, maxChunk);
        ByteBuf out = alloc.buffer(length + packets * HEADER_SIZE);
        int offset = payload.readerIndex();
        int seq = sequenceId;
        for (int i = 0; i < packets; i++) {
            int chunk = Math.min(maxChunk, length - (offset - payload.readerIndex()));
            writeHeader(out, chunk, seq);
            out.writeBytes(payload, offset, chunk);
            offset += chunk;
            seq = (seq + 1) & 0xFF;
        }
        return out;
    }
}
