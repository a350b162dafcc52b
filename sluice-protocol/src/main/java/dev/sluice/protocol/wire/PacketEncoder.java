package dev.sluice.protocol.wire;

import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Payloads to physical packets. Accepts a {@link ByteBuf} payload, or a {@link Packet} being relayed from
 * another connection, whose sequence id belongs to that other connection and is ignored: every physical
 * packet is stamped from this channel's {@link PacketSequence}.
 *
 * <p>Small payloads (up to {@link #COPY_THRESHOLD}) are framed into a shared outgoing buffer that collects
 * consecutive packets until the next flush, until it holds {@link #BATCH_LIMIT} bytes, or until a write that
 * carries a promise (which then completes with that buffer). A relayed result therefore costs one buffer and
 * one outbound entry per read of the server, not one per row; at most {@link #BATCH_LIMIT} bytes sit outside the
 * channel's outbound buffer (and its writability watermarks) at any time.
 *
 * <p>Larger payloads are not copied: each physical packet is written as a small header buffer followed by a
 * retained slice of the payload, after whatever was collected before them. Payloads of 0xFFFFFF bytes or more
 * are split into 0xFFFFFF-byte packets plus a final shorter one, which is empty when the length is an exact
 * multiple of 0xFFFFFF (the receiver would otherwise wait for a continuation).
 */
public final class PacketEncoder extends ChannelOutboundHandlerAdapter {
    /**
     * Payloads up to this size are copied behind their header: for the typical row a copy of a few hundred bytes
     * costs less than a second buffer object, its slice and its trip through the outbound buffer.
     */
    static final int COPY_THRESHOLD = 2048;
    /** The most bytes collected before they are handed on without waiting for a flush. */
    static final int BATCH_LIMIT = 64 * 1024;
    /** First capacity of a collecting buffer; it grows (doubling) towards BATCH_LIMIT as packets come. */
    private static final int INITIAL_BATCH = 512;

    private final PacketSequence sequence;
    private final int maxChunk;
    private ByteBuf batch;
    private ChannelHandlerContext context;
    private FrameTap tap;

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

    /** Shows every logical packet written from now on to {@code tap} (null: none), as it is framed. */
    public void tap(FrameTap tap) {
        this.tap = tap;
    }

    /** The tap shown every packet written, or null. */
    public FrameTap tap() {
        return tap;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    /**
     * Writes a payload lent by another connection's decoder (see {@link PacketDecoder.Sink}) as a packet of this
     * channel, without its trip through the handlers in front of this one (none of which transforms writes):
     * a small one is copied into the batch, a larger one written as retained slices. The payload is not released
     * or kept. Off the channel's event loop, or once this encoder has left the pipeline, a retained slice takes
     * the ordinary path.
     */
    public void writeRelayed(ByteBuf payload) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            throw new IllegalStateException("PacketEncoder is not in a pipeline");
        }
        if (!ctx.executor().inEventLoop() || ctx.isRemoved()) {
            ctx.channel().write(payload.retainedSlice(), ctx.channel().voidPromise());
            return;
        }
        frame(ctx, payload, ctx.voidPromise());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ByteBuf payload;
        if (msg instanceof Packet packet) {
            payload = packet.content();
        } else if (msg instanceof ByteBuf buf) {
            payload = buf;
        } else {
            handOn(ctx);
            ctx.write(msg, promise);
            return;
        }
        try {
            frame(ctx, payload, promise);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Frames a payload (neither released nor kept beyond retained slices): a small one is collected, and handed on
     * at once with a real promise; a larger one goes as header buffers and slices after what was collected.
     */
    private void frame(ChannelHandlerContext ctx, ByteBuf payload, ChannelPromise promise) {
        if (tap != null && !tapWritten(payload)) {
            if (!promise.isVoid()) {
                promise.tryFailure(new ProtocolException("packet withheld before it was written"));
            }
            return;
        }
        int length = payload.readableBytes();
        if (length <= COPY_THRESHOLD && length < maxChunk) {
            collect(ctx, payload, length);
            if (!promise.isVoid()) {
                ByteBuf out = batch;
                batch = null;
                ctx.write(out, promise);
            }
        } else {
            handOn(ctx);
            writeSplit(ctx, payload, length, promise);
        }
    }

    private boolean tapWritten(ByteBuf payload) {
        int reader = payload.readerIndex();
        int writer = payload.writerIndex();
        try {
            return tap.written(payload, sequence.nextExpected());
        } finally {
            payload.setIndex(reader, writer);
        }
    }

    private void collect(ChannelHandlerContext ctx, ByteBuf payload, int length) {
        int size = Framing.HEADER_SIZE + length;
        if (batch != null && batch.readableBytes() + size > BATCH_LIMIT) {
            handOn(ctx);
        }
        if (batch == null) {
            batch = ctx.alloc().ioBuffer(Math.max(INITIAL_BATCH, size));
        }
        Framing.writeHeader(batch, length, sequence.stampOutbound());
        batch.ensureWritable(length);
        int at = batch.writerIndex();
        // getBytes into the batch copies memory to memory; batch.writeBytes(payload) goes through an NIO view of
        // the payload, a ByteBuffer object per packet (the relay's largest allocation when measured)
        payload.getBytes(payload.readerIndex(), batch, at, length);
        batch.writerIndex(at + length);
    }

    /** Each physical packet as a header buffer and a retained slice; the promise goes with the last part. */
    private void writeSplit(ChannelHandlerContext ctx, ByteBuf payload, int length, ChannelPromise promise) {
        int offset = payload.readerIndex();
        int packets = Framing.physicalPackets(length, maxChunk);
        for (int i = 0; i < packets; i++) {
            int chunk = Math.min(maxChunk, length - (offset - payload.readerIndex()));
            ByteBuf header = ctx.alloc().buffer(Framing.HEADER_SIZE);
            Framing.writeHeader(header, chunk, sequence.stampOutbound());
            boolean last = i == packets - 1;
            ctx.write(header, last && chunk == 0 ? promise : ctx.voidPromise());
            if (chunk > 0) {
                ctx.write(payload.retainedSlice(offset, chunk), last ? promise : ctx.voidPromise());
            }
            offset += chunk;
        }
    }

    /**
     * Passes what was collected so far on to the handlers in front of this one, unflushed: the compressed protocol
     * cuts its packets where the sequence restarts, and needs the bytes stamped before the restart first.
     */
    public void handOnCollected() {
        ChannelHandlerContext ctx = context;
        if (ctx != null && !ctx.isRemoved() && ctx.executor().inEventLoop()) {
            handOn(ctx);
        }
    }

    /** Passes what was collected on to the next handler (unflushed). */
    private void handOn(ChannelHandlerContext ctx) {
        if (batch != null) {
            ByteBuf out = batch;
            batch = null;
            ctx.write(out, ctx.voidPromise());
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        handOn(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        // what was never flushed is dropped on close, as the outbound buffer drops unflushed writes
        releaseBatch();
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBatch();
    }

    private void releaseBatch() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }
}
