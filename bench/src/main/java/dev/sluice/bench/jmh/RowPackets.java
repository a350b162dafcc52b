package dev.sluice.bench.jmh;

import dev.sluice.protocol.Wire;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Framed text-protocol rows like bench/stream.sh's table: an INT id and a 192-character payload, ~200 bytes. */
final class RowPackets {
    /** One full turn of the sequence id, so a batch always starts again at 0. */
    static final int PER_BATCH = 256;

    private RowPackets() {}

    static ByteBuf payload(ByteBufAllocator alloc, int id) {
        ByteBuf row = alloc.buffer(200);
        Wire.writeLenencString(row, Integer.toString(id));
        Wire.writeLenencString(row, "0123456789abcdef0123456789abcdef".repeat(6));
        return row;
    }

    /** {@link #PER_BATCH} framed rows with sequence ids 0..255, in one direct buffer. */
    static ByteBuf framedBatch(ByteBufAllocator alloc) {
        ByteBuf batch = alloc.directBuffer(PER_BATCH * 210);
        for (int i = 0; i < PER_BATCH; i++) {
            ByteBuf payload = payload(alloc, 1_000_000 + i);
            Framing.writeHeader(batch, payload.readableBytes(), i);
            batch.writeBytes(payload);
            payload.release();
        }
        return batch;
    }
}
