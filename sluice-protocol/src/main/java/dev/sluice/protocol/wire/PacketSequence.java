package dev.sluice.protocol.wire;

import dev.sluice.protocol.ProtocolException;

/**
 * The sequence id of one connection. MySQL numbers the packets of one exchange (the handshake, or one
 * command and its response) 0, 1, 2, ... across BOTH directions: if a client sends id 0, the server's
 * first reply is 1 and a further client packet would be 2. So one counter serves both the decoder (which
 * checks and advances it on every physical packet read) and the encoder (which stamps and advances it on
 * every physical packet written). Ids wrap from 255 to 0; a result with a million rows wraps thousands of
 * times.
 *
 * <p>The session calls {@link #reset()} when a new command starts. The decoder and the encoder of a
 * channel run on that channel's event loop, so there is no locking; never share an instance between
 * channels. This is the only place sequence ids are checked or stamped (DESIGN invariant 1).
 */
public final class PacketSequence {
    private int next;

    /** A new command starts: the next packet in either direction carries id 0. */
    public void reset() {
        next = 0;
    }

    /** The id the next physical packet (in either direction) must carry. */
    public int nextExpected() {
        return next;
    }

    /** Checks an inbound id and advances; a gap is a protocol error. */
    public void checkInbound(int sequenceId) {
        if (sequenceId != next) {
            throw new ProtocolException("sequence id: got " + sequenceId + " (expected: " + next + ")");
        }
        next = (next + 1) & 0xFF;
    }

    /** Returns the id for the next outbound physical packet and advances. */
    public int stampOutbound() {
        int id = next;
        next = (next + 1) & 0xFF;
        return id;
    }

    @Override
    public String toString() {
        return "PacketSequence(next=" + next + ")";
    }
}
