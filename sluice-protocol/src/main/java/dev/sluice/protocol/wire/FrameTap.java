package dev.sluice.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Sees every logical packet a channel's framing reads ({@link PacketDecoder}) or writes ({@link PacketEncoder}),
 * after TLS and decompression, before (reads) or as (writes) the packet moves on: the place the strict validator and
 * the session captures look at a connection.
 *
 * <p>{@code payload} is lent for the duration of the call: its readable bytes are exactly the logical packet's
 * payload (16 MiB continuations joined); a tap must neither release it, keep it, nor move its indices (a copy or a
 * retained slice may be kept). {@code sequenceId} is the id of the packet's first physical packet as it was read, or
 * as it is about to be stamped.
 *
 * <p>The return value lets a tap withhold a packet (the validator in {@code enforce} mode): {@code false} and the
 * packet goes no further. A withheld read is dropped; a withheld write is not framed and its promise, when it has a
 * real one, fails. What follows a withheld packet is the tap owner's business (typically: an ERR and a close).
 * Called on the channel's event loop only.
 */
public interface FrameTap {
    /** A logical packet read from the peer; false withholds it from the handlers after the decoder. */
    boolean read(ByteBuf payload, int sequenceId);

    /** A logical packet about to be written to the peer; false withholds it. */
    boolean written(ByteBuf payload, int sequenceId);

    /** Both taps see every packet, {@code first} first; a packet withheld by either is withheld. */
    static FrameTap both(FrameTap first, FrameTap second) {
        if (first == null) {
            return second;
        }
        if (second == null) {
            return first;
        }
        return new FrameTap() {
            @Override
            public boolean read(ByteBuf payload, int sequenceId) {
                int reader = payload.readerIndex();
                boolean a = first.read(payload, sequenceId);
                payload.readerIndex(reader);
                boolean b = second.read(payload, sequenceId);
                return a && b;
            }

            @Override
            public boolean written(ByteBuf payload, int sequenceId) {
                int reader = payload.readerIndex();
                boolean a = first.written(payload, sequenceId);
                payload.readerIndex(reader);
                boolean b = second.written(payload, sequenceId);
                return a && b;
            }
        };
    }

    /**
     * {@code next} sees only the packets {@code first} lets through, after it: what is really sent and read when
     * {@code first} changes the stream (the hostile listener's faults), as the validator and captures should see it.
     */
    static FrameTap then(FrameTap first, FrameTap next) {
        if (first == null) {
            return next;
        }
        if (next == null) {
            return first;
        }
        return new FrameTap() {
            @Override
            public boolean read(ByteBuf payload, int sequenceId) {
                int reader = payload.readerIndex();
                if (!first.read(payload, sequenceId)) {
                    return false;
                }
                payload.readerIndex(reader);
                return next.read(payload, sequenceId);
            }

            @Override
            public boolean written(ByteBuf payload, int sequenceId) {
                int reader = payload.readerIndex();
                if (!first.written(payload, sequenceId)) {
                    return false;
                }
                payload.readerIndex(reader);
                return next.written(payload, sequenceId);
            }
        };
    }
}
