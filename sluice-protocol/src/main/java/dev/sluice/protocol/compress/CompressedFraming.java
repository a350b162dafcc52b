package dev.sluice.protocol.compress;

import io.netty.buffer.ByteBuf;

/**
 * The compressed packet's header: int&lt;3&gt; length of the payload as sent, int&lt;1&gt; compressed sequence id,
 * int&lt;3&gt; length before compression (0: the payload is sent uncompressed). Both lengths fit 3 bytes, so one
 * compressed packet carries at most 16 MiB - 1 bytes of the packet stream; a longer stretch is cut into several.
 */
public final class CompressedFraming {
    public static final int HEADER_SIZE = 7;
    /** The most bytes of the packet stream one compressed packet carries. */
    public static final int MAX_PAYLOAD = 0xFFFFFF;
    /** Shorter stretches are sent uncompressed, as servers do (MySQL's MIN_COMPRESS_LENGTH). */
    public static final int MIN_COMPRESS_LENGTH = 50;

    private CompressedFraming() {}

    public static void writeHeader(ByteBuf out, int sentLength, int sequenceId, int uncompressedLength) {
        out.writeMediumLE(sentLength);
        out.writeByte(sequenceId);
        out.writeMediumLE(uncompressedLength);
    }
}
