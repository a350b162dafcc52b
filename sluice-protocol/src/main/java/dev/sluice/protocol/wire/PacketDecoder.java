package dev.sluice.protocol.wire;

import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Bytes to {@link Packet}s: reads each 4-byte header, checks its sequence id against the connection's
 * {@link PacketSequence}, bounds the length by {@code maxPacketSize} before waiting for (or allocating) the
 * payload, and joins 0xFFFFFF-byte continuation packets into one logical packet.
 *
 * <p>Chunking of the input never changes the output (DESIGN invariant 1): the state machine keeps the
 * header it already checked, so a header split across reads is checked exactly once. At most one packet is
 * emitted per {@code decode} call, so the handler after this one sees (and may {@link PacketSequence#reset()}
 * on) each packet before the next header is checked.
 *
 * <p>The common case, a payload in one physical packet, is a retained slice of the input (no copy). A
 * continued payload is a composite of retained slices whose total is checked against the maximum before
 * each part is added.
 *
 * <p>Errors: a sequence gap or an oversized length throws {@link ProtocolException}, which Netty's
 * {@link ByteToMessageDecoder} delivers to {@code exceptionCaught} wrapped in a
 * {@link io.netty.handler.codec.DecoderException}. The decoder then stays in a terminal bad state and
 * discards all further input: after a framing error the stream has no trustworthy packet boundary left, so
 * the session must close the connection.
 */
public final class PacketDecoder extends ByteToMessageDecoder {
    /**
     * Takes payloads that arrived in one physical packet without a {@link Packet} or slice being made for them:
     * {@code payload} is the decoder's own input, its readable bytes exactly the payload, lent for the duration of
     * the call. The sink must neither release it nor keep it (a retained slice of it may be kept); its indices
     * are put back afterwards whatever the sink did. Continued payloads (16 MiB or more) still arrive as
     * {@link Packet}s through the pipeline.
     */
    public interface Sink {
        void onPayload(ByteBuf payload, int sequenceId);
    }

    private enum State {
        HEADER,
        PAYLOAD,
        BAD
    }

    private final PacketSequence sequence;
    private int maxPacketSize;
    private final int maxChunk;

    private State state = State.HEADER;
    private int length;
    private int firstSequenceId;
    private int lastSequenceId;
    /** Parts of a logical packet whose physical packets so far were all exactly maxChunk long. */
    private CompositeByteBuf pending;

    private Sink sink;
    private FrameTap tap;
    /** Since the last read complete: input arrived / a payload was emitted or lent. */
    private boolean readSinceComplete;

    private boolean deliveredSinceComplete;

    public PacketDecoder(PacketSequence sequence, int maxPacketSize) {
        this(sequence, maxPacketSize, Framing.MAX_CHUNK);
    }

    /** {@code maxChunk} below 0xFFFFFF lets tests exercise continuation with tiny payloads. */
    public PacketDecoder(PacketSequence sequence, int maxPacketSize, int maxChunk) {
        if (maxPacketSize < 0) {
            throw new IllegalArgumentException("maxPacketSize: " + maxPacketSize + " (expected: >= 0)");
        }
        if (maxChunk < 1 || maxChunk > Framing.MAX_CHUNK) {
            throw new IllegalArgumentException("maxChunk: " + maxChunk + " (expected: 1.." + Framing.MAX_CHUNK + ")");
        }
        this.sequence = sequence;
        this.maxPacketSize = maxPacketSize;
        this.maxChunk = maxChunk;
    }

    /**
     * Bounds the packets whose headers are read from now on: e.g. a small limit until the peer is authenticated, then
     * the configured one.
     */
    public void maxPacketSize(int maxPacketSize) {
        if (maxPacketSize < 0) {
            throw new IllegalArgumentException("maxPacketSize: " + maxPacketSize + " (expected: >= 0)");
        }
        this.maxPacketSize = maxPacketSize;
    }

    /** Lends single-packet payloads to {@code sink} from now on; null goes back to emitting {@link Packet}s. */
    public void sink(Sink sink) {
        this.sink = sink;
    }

    /** Shows every logical packet read from now on to {@code tap} (null: none), before it moves on. */
    public void tap(FrameTap tap) {
        this.tap = tap;
    }

    /** The tap shown every packet read, or null. */
    public FrameTap tap() {
        return tap;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            for (; ; ) {
                switch (state) {
                    case HEADER:
                        if (in.readableBytes() < Framing.HEADER_SIZE) {
                            return;
                        }
                        readHeader(in);
                        break;
                    case PAYLOAD:
                        if (in.readableBytes() < length) {
                            return;
                        }
                        if (readPayload(ctx, in, out)) {
                            return;
                        }
                        break;
                    case BAD:
                        in.skipBytes(in.readableBytes());
                        return;
                    default:
                        throw new IllegalStateException("state: " + state);
                }
            }
        } catch (ProtocolException e) {
            state = State.BAD;
            releasePending();
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void readHeader(ByteBuf in) {
        int declared = in.readUnsignedMediumLE();
        int id = in.readUnsignedByte();
        // The id first, as MariaDB's server does: a packet refused for its length has then been counted, so
        // the ERR refusing it carries the id after it (a client expecting that id reads the ERR instead of
        // reporting packets out of order).
        sequence.checkInbound(id, pending == null);
        if (declared > maxChunk) {
            throw new ProtocolException(
                    "packet length: " + declared + " (expected: <= " + maxChunk + " per physical packet)");
        }
        long total = (pending == null ? 0L : pending.readableBytes()) + declared;
        if (total > maxPacketSize) {
            throw new ProtocolException("packet length: " + total + " (expected: <= max packet size " + maxPacketSize
                    + ")" + (pending == null ? "" : ", after joining continuation packets"));
        }
        if (pending == null) {
            firstSequenceId = id;
        }
        lastSequenceId = id;
        length = declared;
        state = State.PAYLOAD;
    }

    /** Returns true when a logical packet was emitted. */
    private boolean readPayload(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        state = State.HEADER;
        if (sink != null && pending == null && length < maxChunk) {
            deliveredSinceComplete = true;
            if (tap == null || tapLent(in)) {
                lend(in);
            } else {
                in.skipBytes(length);
            }
            return true;
        }
        ByteBuf part = in.readRetainedSlice(length);
        if (length == maxChunk) {
            // A full chunk: the payload continues in the next physical packet. When the total length is an
            // exact multiple of maxChunk, the sender ends it with an empty packet, handled by the else branch.
            if (pending == null) {
                pending = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            }
            pending.addComponent(true, part);
            return false;
        }
        ByteBuf payload;
        if (pending == null) {
            payload = part;
        } else {
            pending.addComponent(true, part);
            payload = pending;
            pending = null;
        }
        deliveredSinceComplete = true;
        if (tap != null && !tapPacket(payload)) {
            payload.release();
            return true;
        }
        out.add(new Packet(firstSequenceId, lastSequenceId, payload));
        return true;
    }

    private boolean tapPacket(ByteBuf payload) {
        int reader = payload.readerIndex();
        int writer = payload.writerIndex();
        try {
            return tap.read(payload, firstSequenceId);
        } finally {
            payload.setIndex(reader, writer);
        }
    }

    /** Shows the payload at the reader index to the tap; the input's indices are put back whatever it did. */
    private boolean tapLent(ByteBuf in) {
        int start = in.readerIndex();
        int writerIndex = in.writerIndex();
        in.writerIndex(start + length);
        try {
            return tap.read(in, firstSequenceId);
        } finally {
            in.setIndex(start, writerIndex);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf) {
            readSinceComplete = true;
        }
        super.channelRead(ctx, msg);
    }

    /**
     * As {@link ByteToMessageDecoder} does, except that a payload lent to the sink counts as delivered. Its rule
     * (a read that delivered nothing asks for another read even when the channel is not auto-reading, as the decoder
     * is still short of a whole packet) would otherwise override a session that stopped reading the server because
     * its client is not taking the rows.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        discardSomeReadBytes();
        if (readSinceComplete
                && !deliveredSinceComplete
                && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        readSinceComplete = false;
        deliveredSinceComplete = false;
        ctx.fireChannelReadComplete();
    }

    private void lend(ByteBuf in) {
        int start = in.readerIndex();
        int end = start + length;
        int writerIndex = in.writerIndex();
        in.writerIndex(end);
        try {
            sink.onPayload(in, firstSequenceId);
        } finally {
            in.setIndex(end, writerIndex);
        }
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releasePending();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelInactive(ctx);
        } finally {
            releasePending();
        }
    }
}
