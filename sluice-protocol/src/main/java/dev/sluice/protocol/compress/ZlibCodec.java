package dev.sluice.protocol.compress;

import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib (RFC 1950: deflate with the zlib header and checksum, what zlib's {@code compress()} makes) through
 * java.util.zip, one deflater and one inflater per link, reset for each packet.
 */
final class ZlibCodec implements Codec {
    /** The first output capacity of an inflation; doubled as the output grows, never past the declared length. */
    private static final int FIRST_OUTPUT = 16 * 1024;

    private final Deflater deflater;
    private final Inflater inflater = new Inflater();

    ZlibCodec(int level) {
        deflater = new Deflater(level);
    }

    @Override
    public Compression algorithm() {
        return Compression.ZLIB;
    }

    @Override
    public ByteBuf compress(ByteBuf source, ByteBufAllocator alloc) {
        int length = source.readableBytes();
        deflater.reset();
        // part by part: what the encoder collected is a composite, whose single NIO view would be a copy
        ByteBuffer[] parts = source.nioBuffers(source.readerIndex(), length);
        // anything not smaller than the input is sent as it is: the output may stop there
        ByteBuf out = alloc.heapBuffer(Math.min(length, Math.max(64, length / 2)), length);
        try {
            for (int i = 0; i < parts.length; i++) {
                deflater.setInput(parts[i]);
                boolean last = i == parts.length - 1;
                if (last) {
                    deflater.finish();
                }
                while (last ? !deflater.finished() : !deflater.needsInput()) {
                    if (!deflateInto(out, length)) {
                        out.release();
                        return null;
                    }
                }
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        if (out.readableBytes() >= length) {
            out.release();
            return null;
        }
        return out;
    }

    /** One deflate step into {@code out}; false when the output reached the input's length (not worth sending). */
    private boolean deflateInto(ByteBuf out, int length) {
        if (!out.isWritable()) {
            if (out.writerIndex() >= length - 1) {
                return false;
            }
            out.ensureWritable(Math.min(out.capacity(), length - out.writerIndex()));
        }
        ByteBuffer room = out.nioBuffer(out.writerIndex(), out.writableBytes());
        int n = deflater.deflate(room);
        out.writerIndex(out.writerIndex() + n);
        return true;
    }

    @Override
    public void decompress(ByteBuf source, int length, ByteBuf target) {
        inflater.reset();
        inflater.setInput(source.nioBuffer(source.readerIndex(), source.readableBytes()));
        int produced = 0;
        int room = Math.min(length, FIRST_OUTPUT);
        try {
            while (produced < length) {
                target.ensureWritable(room);
                ByteBuffer out = target.nioBuffer(target.writerIndex(), room);
                int n = inflater.inflate(out);
                target.writerIndex(target.writerIndex() + n);
                produced += n;
                if (inflater.finished()) {
                    break;
                }
                if (n == 0) {
                    // with all its input and room for output, an inflater that produces nothing is stuck: never loop
                    throw new ProtocolException("compressed payload: zlib data ends after " + produced
                            + " bytes of the " + length + " its header declares"
                            + (inflater.needsDictionary() ? " (it asks for a preset dictionary)" : ""));
                }
                room = Math.min(length - produced, Math.max(room, produced));
            }
            if (!inflater.finished()) {
                // the declared length is reached: one more byte would be past it
                byte[] probe = new byte[1];
                if (inflater.inflate(probe) > 0 || !inflater.finished()) {
                    throw new ProtocolException(
                            "compressed payload: zlib data inflates past the " + length + " bytes its header declares");
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolException("compressed payload: malformed zlib data (" + e.getMessage() + ")");
        }
        if (produced != length) {
            throw new ProtocolException("compressed payload: zlib data inflates to " + produced + " bytes (expected: "
                    + length + ", as its header declares)");
        }
        if (inflater.getRemaining() > 0) {
            throw new ProtocolException(
                    "compressed payload: " + inflater.getRemaining() + " bytes after the end of the zlib data");
        }
    }

    @Override
    public void close() {
        deflater.end();
        inflater.end();
    }
}
