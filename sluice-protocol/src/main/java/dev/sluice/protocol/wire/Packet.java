package dev.sluice.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One logical packet: the payload without its 4-byte header(s). A payload of 16 MiB or more arrives as
 * several physical packets (each full one exactly 0xFFFFFF bytes); {@link PacketDecoder} joins them and
 * this object carries the sequence id of the first one.
 *
 * <p>The payload is reference-counted; whoever receives a {@code Packet} owns one reference and must
 * release it (or pass it on to a writer, which then owns it).
 */
public final class Packet extends DefaultByteBufHolder {
    private final int sequenceId;
    private final int lastSequenceId;

    /** A packet that came in one physical packet (or whose continuation ids do not matter). */
    public Packet(int sequenceId, ByteBuf payload) {
        this(sequenceId, sequenceId, payload);
    }

    /** @param lastSequenceId the id of the last physical packet (differs for payloads of 16 MiB or more) */
    public Packet(int sequenceId, int lastSequenceId, ByteBuf payload) {
        super(payload);
        if (sequenceId < 0 || sequenceId > 0xFF) {
            throw new IllegalArgumentException("sequenceId: " + sequenceId + " (expected: 0..255)");
        }
        if (lastSequenceId < 0 || lastSequenceId > 0xFF) {
            throw new IllegalArgumentException("lastSequenceId: " + lastSequenceId + " (expected: 0..255)");
        }
        this.sequenceId = sequenceId;
        this.lastSequenceId = lastSequenceId;
    }

    public int sequenceId() {
        return sequenceId;
    }

    /** The id of the last physical packet of this logical packet: a reply continues after it. */
    public int lastSequenceId() {
        return lastSequenceId;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public Packet replace(ByteBuf content) {
        return new Packet(sequenceId, lastSequenceId, content);
    }

    @Override
    public Packet copy() {
        return replace(content().copy());
    }

    @Override
    public Packet duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public Packet retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public Packet retain() {
        super.retain();
        return this;
    }

    @Override
    public Packet retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Packet touch() {
        super.touch();
        return this;
    }

    @Override
    public Packet touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet && ((Packet) o).sequenceId == sequenceId && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + sequenceId;
    }

    @Override
    public String toString() {
        ByteBuf p = content();
        int shown = Math.min(p.readableBytes(), 64);
        return "Packet(seq=" + sequenceId + ", length=" + p.readableBytes() + ", payload="
                + ByteBufUtil.hexDump(p, p.readerIndex(), shown) + (shown < p.readableBytes() ? "..." : "") + ")";
    }
}
