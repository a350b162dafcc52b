package dev.sluice.protocol.compress;

import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Compressed packets to the packet stream they carry, for the {@link dev.sluice.protocol.wire.PacketDecoder} after
 * it (which frames, checks and taps the packets as on any link). Placed after TLS (or the socket).
 *
 * <p>Bounded memory: a header's lengths are checked before anything is allocated or awaited; an uncompressed length
 * over {@code maxUncompressed} (at most 16 MiB - 1, and the link's max packet size plus its header) is refused at
 * once. Decompression writes at most the declared length (a payload that would inflate further is refused when it
 * gets there) and a zlib payload's output grows with what it actually produces. Output is emitted one compressed
 * packet per {@code decode} call, so the handlers after this one see each before the next header is read.
 *
 * <p>Chunking never changes the output: the state machine keeps a header it read until its payload is complete.
 * After an error the decoder discards all further input (the stream has no trustworthy boundary left) and the
 * {@link ProtocolException} reaches {@code exceptionCaught}, as the packet decoder's do.
 */
public final class CompressionDecoder extends ByteToMessageDecoder {
    private enum State {
        HEADER,
        PAYLOAD,
        BAD
    }

    private final Codec codec;
    private final CompressedSequence sequence;
    private final int maxUncompressed;

    private State state = State.HEADER;
    private int sentLength;
    private int uncompressedLength;

    /** {@code maxUncompressed}: the largest stretch of the packet stream one compressed packet may carry. */
    public CompressionDecoder(Codec codec, CompressedSequence sequence, int maxUncompressed) {
        if (maxUncompressed < 1 || maxUncompressed > CompressedFraming.MAX_PAYLOAD) {
            throw new IllegalArgumentException(
                    "maxUncompressed: " + maxUncompressed + " (expected: 1.." + CompressedFraming.MAX_PAYLOAD + ")");
        }
        this.codec = codec;
        this.sequence = sequence;
        this.maxUncompressed = maxUncompressed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            switch (state) {
                case HEADER -> {
                    if (in.readableBytes() < CompressedFraming.HEADER_SIZE) {
                        return;
                    }
                    readHeader(in);
                    if (in.readableBytes() >= sentLength) {
                        readPayload(ctx, in, out);
                    }
                }
                case PAYLOAD -> {
                    if (in.readableBytes() >= sentLength) {
                        readPayload(ctx, in, out);
                    }
                }
                case BAD -> in.skipBytes(in.readableBytes());
                default -> throw new IllegalStateException("state: " + state);
            }
        } catch (ProtocolException e) {
            state = State.BAD;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void readHeader(ByteBuf in) {
        sentLength = in.readUnsignedMediumLE();
        int id = in.readUnsignedByte();
        uncompressedLength = in.readUnsignedMediumLE();
        int carried = uncompressedLength == 0 ? sentLength : uncompressedLength;
        if (carried > maxUncompressed) {
            throw new ProtocolException("compressed packet: carries " + carried + " bytes (expected: <= "
                    + maxUncompressed + ", the link's limit)" + (uncompressedLength == 0 ? "" : ", refused unread"));
        }
        if (uncompressedLength != 0 && sentLength == 0) {
            throw new ProtocolException(
                    "compressed packet: an empty payload declares " + uncompressedLength + " bytes uncompressed");
        }
        sequence.inbound(id);
        state = State.PAYLOAD;
    }

    private void readPayload(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        state = State.HEADER;
        if (uncompressedLength == 0) {
            if (sentLength > 0) {
                out.add(in.readRetainedSlice(sentLength));
            }
            return;
        }
        ByteBuf source = in.readSlice(sentLength);
        ByteBuf target = ctx.alloc().heapBuffer(Math.min(uncompressedLength, 16 * 1024), uncompressedLength);
        try {
            codec.decompress(source, uncompressedLength, target);
        } catch (RuntimeException e) {
            target.release();
            throw e instanceof ProtocolException ? e : new ProtocolException("compressed payload: " + e);
        }
        out.add(target);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        codec.close();
    }
}
