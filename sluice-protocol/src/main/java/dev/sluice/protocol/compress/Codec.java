package dev.sluice.protocol.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One algorithm of the compressed protocol, with its state for one link (a zlib deflater and inflater, or zstd
 * contexts): used on that link's event loop only, {@link #close()}d when the link's handlers leave the pipeline.
 */
public interface Codec extends AutoCloseable {
    /** The algorithm. */
    Compression algorithm();

    /**
     * The compressed form of {@code source}'s readable bytes (not consumed), or null when it would not be smaller: the
     * caller then sends them uncompressed.
     */
    ByteBuf compress(ByteBuf source, ByteBufAllocator alloc);

    /**
     * Decompresses {@code source}'s readable bytes (all of them: one compressed payload) into {@code target}, which
     * must end up exactly {@code length} bytes longer. Never writes more than {@code length} bytes, however the
     * payload was made: output beyond the declared length, a short or corrupt payload, or bytes left over throw
     * {@link dev.sluice.protocol.ProtocolException}. {@code target}'s capacity grows with the output, not with the
     * declared length, where the algorithm allows.
     */
    void decompress(ByteBuf source, int length, ByteBuf target);

    @Override
    void close();
}
