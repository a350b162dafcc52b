package dev.sluice.protocol.compress;

import dev.sluice.protocol.wire.PacketSequence;

/**
 * The compressed protocol's sequence ids of one link: "reset in the same way as the packet's, but incremented
 * independently". It follows the link's {@link PacketSequence}: where that one restarts (a new command: 0; command
 * mode, a response: the id after the command's last packet), this one restarts at the same id, and what was written
 * before is sent first under the ids before (see {@link Compressing}), so that a compressed packet never carries the
 * end of one exchange and the start of the next under one id.
 *
 * <p>Inbound ids are not checked: the packets inside are, by the {@link dev.sluice.protocol.wire.PacketDecoder}
 * after decompression, and peers differ in how they number compressed packets after their first. In exchange mode
 * (the client side of the protocol) the next id written continues after the last one read, as MySQL's own client
 * does (LOCAL INFILE data answering a request); in command mode it does so only when the client's data ended.
 * Event loop only, like the packet sequence.
 */
public final class CompressedSequence implements PacketSequence.Follower {
    private final PacketSequence packets;
    private int next;
    private int lastInbound = -1;
    /** Sends what was written before a restart under the ids before it; null until the link's handlers are in. */
    private Runnable cut;

    /** A sequence that follows {@code packets} (registers itself with it). */
    public CompressedSequence(PacketSequence packets) {
        this.packets = packets;
        packets.follow(this);
    }

    @Override
    public void restart(int id) {
        if (cut != null) {
            cut.run();
        }
        next = id & 0xFF;
    }

    /** Runs {@code cut} at each restart, before the ids restart. */
    void onRestart(Runnable cut) {
        this.cut = cut;
    }

    @Override
    public void clientDataEnded() {
        if (lastInbound >= 0) {
            restart(lastInbound + 1);
        }
    }

    /** A compressed packet was read with {@code id}. */
    void inbound(int id) {
        lastInbound = id;
        if (!packets.isCommandMode()) {
            next = (id + 1) & 0xFF;
        }
    }

    /** The id for the next compressed packet written, and advances. */
    int stamp() {
        int id = next;
        next = (next + 1) & 0xFF;
        return id;
    }

    /** The id the next compressed packet written carries. */
    public int nextExpected() {
        return next;
    }

    /** Stops following the packet sequence (the link stops compressing). */
    void detach() {
        cut = null;
        packets.follow(null);
    }
}
