package dev.sluice.protocol.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * The packet stream the {@link dev.sluice.protocol.wire.PacketEncoder} writes, as compressed packets. Placed
 * before TLS (or the socket), after the packet encoder in the outbound direction.
 *
 * <p>What is written between two flushes is collected (retained, not copied) and sent at the flush as compressed
 * packets of at most 16 MiB - 1 bytes each: the relay's batch of rows per server read becomes one compressed packet.
 * A new compressed packet also starts where the link's sequence restarts (a new command, a new response; see {@link
 * CompressedSequence}: {@link #cut}), and whenever 16 MiB - 1 bytes are collected. Stretches under {@value
 * CompressedFraming#MIN_COMPRESS_LENGTH} bytes, and those compression would not make smaller, are sent as they are
 * (uncompressed length 0). Promises complete when the compressed packet carrying the end of their write is written.
 */
public final class CompressionEncoder extends ChannelOutboundHandlerAdapter {
    private final Codec codec;
    private final CompressedSequence sequence;
    private final int maxPayload;

    private CompositeByteBuf pending;
    private ChannelHandlerContext context;
    private final List<ChannelPromise> promises = new ArrayList<>();

    public CompressionEncoder(Codec codec, CompressedSequence sequence) {
        this(codec, sequence, CompressedFraming.MAX_PAYLOAD);
    }

    /** {@code maxPayload} below 16 MiB - 1 lets tests cut compressed packets with small payloads. */
    public CompressionEncoder(Codec codec, CompressedSequence sequence, int maxPayload) {
        if (maxPayload < 1 || maxPayload > CompressedFraming.MAX_PAYLOAD) {
            throw new IllegalArgumentException(
                    "maxPayload: " + maxPayload + " (expected: 1.." + CompressedFraming.MAX_PAYLOAD + ")");
        }
        this.codec = codec;
        this.sequence = sequence;
        this.maxPayload = maxPayload;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    /** Sends what was collected now, unflushed: the link's sequence restarts after it. */
    void cut() {
        ChannelHandlerContext ctx = context;
        if (ctx != null && !ctx.isRemoved()) {
            send(ctx);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            send(ctx);
            ctx.write(msg, promise);
            return;
        }
        if (!buf.isReadable()) {
            buf.release();
            if (!promise.isVoid()) {
                promises.add(promise);
            }
            return;
        }
        if (pending == null) {
            pending = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        pending.addComponent(true, buf);
        if (!promise.isVoid()) {
            promises.add(promise);
        }
        if (pending.readableBytes() >= maxPayload) {
            sendFull(ctx);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        send(ctx);
        ctx.flush();
    }

    /** Sends the whole compressed packets collected so far, keeping the rest for later. */
    private void sendFull(ChannelHandlerContext ctx) {
        while (pending.readableBytes() >= maxPayload) {
            frame(ctx, pending.readSlice(maxPayload), ctx.voidPromise());
        }
        // the parts sent stay in the composite (slices of it may still be in the outbound buffer) until it is released
    }

    /** Sends everything collected; the promises of the writes collected complete with the last part. */
    private void send(ChannelHandlerContext ctx) {
        ChannelPromise done = aggregate(ctx);
        if (pending == null) {
            if (done != null) {
                done.setSuccess();
            }
            return;
        }
        CompositeByteBuf collected = pending;
        pending = null;
        try {
            while (collected.isReadable()) {
                int length = Math.min(maxPayload, collected.readableBytes());
                boolean last = length == collected.readableBytes();
                ChannelPromise promise = last && done != null ? done : ctx.voidPromise();
                frame(ctx, collected.readSlice(length), promise);
            }
        } finally {
            collected.release();
        }
    }

    private ChannelPromise aggregate(ChannelHandlerContext ctx) {
        if (promises.isEmpty()) {
            return null;
        }
        List<ChannelPromise> waiting = new ArrayList<>(promises);
        promises.clear();
        ChannelPromise done = ctx.newPromise();
        done.addListener(f -> {
            for (ChannelPromise p : waiting) {
                if (f.isSuccess()) {
                    p.trySuccess();
                } else {
                    p.tryFailure(f.cause());
                }
            }
        });
        return done;
    }

    /** One compressed packet carrying {@code stretch} (not released here: a slice of what was collected). */
    private void frame(ChannelHandlerContext ctx, ByteBuf stretch, ChannelPromise promise) {
        int length = stretch.readableBytes();
        ByteBuf compressed =
                length < CompressedFraming.MIN_COMPRESS_LENGTH ? null : codec.compress(stretch, ctx.alloc());
        ByteBuf header = ctx.alloc().buffer(CompressedFraming.HEADER_SIZE);
        int id = sequence.stamp();
        if (compressed == null) {
            CompressedFraming.writeHeader(header, length, id, 0);
            ctx.write(header, ctx.voidPromise());
            ctx.write(stretch.retain(), promise);
        } else {
            CompressedFraming.writeHeader(header, compressed.readableBytes(), id, length);
            ctx.write(header, ctx.voidPromise());
            ctx.write(compressed, promise);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        release(); // as the packet encoder: what was never flushed is dropped on close
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
        sequence.detach();
        codec.close();
    }

    private void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        for (ChannelPromise p : promises) {
            p.tryFailure(new ClosedChannelException());
        }
        promises.clear();
    }
}
