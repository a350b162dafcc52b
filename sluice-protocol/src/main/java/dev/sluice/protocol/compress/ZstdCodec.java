package dev.sluice.protocol.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * zstd frames through zstd-jni, one compression and one decompression context per link. A frame that states its
 * content size (zstd's one-shot compression, as MySQL uses, always does) must state the declared length, checked
 * before any output is allocated; the output is then exactly the declared length, and zstd refuses to write past it.
 */
final class ZstdCodec implements Codec {
    /** What the frame-size query answers for a frame that does not state its size; below it: not a frame. */
    private static final long CONTENT_SIZE_UNKNOWN = -1;

    private final ZstdCompressCtx compressor = new ZstdCompressCtx();
    private final ZstdDecompressCtx decompressor = new ZstdDecompressCtx();
    private boolean closed;

    ZstdCodec(int level) {
        compressor.setLevel(level);
        compressor.setContentSize(true);
    }

    @Override
    public Compression algorithm() {
        return Compression.ZSTD;
    }

    @Override
    public ByteBuf compress(ByteBuf source, ByteBufAllocator alloc) {
        int length = source.readableBytes();
        byte[] input = bytes(source);
        int offset = source.hasArray() ? source.arrayOffset() + source.readerIndex() : 0;
        int bound = (int) Math.min(Integer.MAX_VALUE - 16, Zstd.compressBound(length));
        byte[] output = new byte[bound];
        int n;
        try {
            n = compressor.compressByteArray(output, 0, bound, input, offset, length);
        } catch (ZstdException e) {
            throw new IllegalStateException("zstd compression failed: " + e.getMessage(), e);
        }
        if (n >= length) {
            return null;
        }
        return alloc.heapBuffer(n, n).writeBytes(output, 0, n);
    }

    @Override
    public void decompress(ByteBuf source, int length, ByteBuf target) {
        byte[] input = bytes(source);
        int offset = source.hasArray() ? source.arrayOffset() + source.readerIndex() : 0;
        int size = source.readableBytes();
        long stated = Zstd.getFrameContentSize(input, offset, size);
        if (stated < CONTENT_SIZE_UNKNOWN) {
            throw new ProtocolException("compressed payload: not a zstd frame (" + size + " bytes)");
        }
        if (stated >= 0 && stated != length) {
            throw new ProtocolException("compressed payload: zstd frame states " + stated
                    + " bytes of content (expected: " + length + ", as its header declares)");
        }
        byte[] output = new byte[length];
        int n;
        try {
            n = decompressor.decompressByteArray(output, 0, length, input, offset, size);
        } catch (ZstdException e) {
            throw new ProtocolException("compressed payload: malformed zstd data or longer than the " + length
                    + " bytes its header declares (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new ProtocolException("compressed payload: malformed zstd data (" + e.getMessage() + ")");
        }
        if (n != length) {
            throw new ProtocolException("compressed payload: zstd data decompresses to " + n + " bytes (expected: "
                    + length + ", as its header declares)");
        }
        target.writeBytes(output, 0, n);
    }

    /** The readable bytes as an array: the buffer's own when it has one (see the offset computed with it). */
    private static byte[] bytes(ByteBuf buf) {
        if (buf.hasArray()) {
            return buf.array();
        }
        return ByteBufUtil.getBytes(buf);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        compressor.close();
        decompressor.close();
    }
}
