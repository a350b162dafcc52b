package dev.sluice.protocol.wire;

import dev.sluice.protocol.ProtocolException;

/**
 * The sequence ids of one connection; the only place they are checked or stamped (DESIGN invariant 1).
 *
 * <p><b>Exchange mode</b> (the default, and always on the client side of the protocol): MySQL numbers the
 * packets of one exchange (the handshake, or one command and its response) 0, 1, 2, ... across BOTH
 * directions: if a client sends id 0, the server's first reply is 1 and a further client packet would be 2.
 * One counter serves the decoder (which checks and advances it on every physical packet read) and the
 * encoder (which stamps and advances it on every physical packet written). The session calls {@link
 * #reset()} when it sends a new command. Ids wrap from 255 to 0.
 *
 * <p><b>Command mode</b> (the server side of the protocol once the client is logged in): clients may send
 * the next command before the previous response is complete (MariaDB Connector/J pipelines, e.g. a prepare
 * and its execute, or a batch). Every new command starts at id 0 whatever the other direction is doing, so
 * inbound and outbound are counted separately: a logical packet that starts a command must carry 0 (its
 * continuation packets 1, 2, ...); the response to a command is stamped from the id after the command's
 * last packet ({@link #beginResponse}); only inside an exchange where the client sends more than one
 * packet (LOCAL INFILE data) do the client's ids continue from the server's ({@link #expectClientData}).
 *
 * <p>The decoder and the encoder of a channel run on that channel's event loop, so there is no locking;
 * never share an instance between channels.
 */
public final class PacketSequence {
    private int next;
    private boolean commandMode;
    private boolean clientData;
    private int inboundNext;
    /** A sequence of another layer restarted with this one (the compressed protocol's); null for none. */
    private Follower follower;

    /**
     * A sequence restarted where this one restarts: the compressed protocol's, which is "reset in the same way as the
     * packet's, but incremented independently".
     */
    public interface Follower {
        /** This sequence restarted: the next packet written carries {@code id} (0 for a new command). */
        void restart(int id);

        /** Command mode: the client's data ended; what is written next answers the client's last packet. */
        void clientDataEnded();
    }

    /** Restarts {@code follower} (or none, for null) wherever this sequence restarts from now on. */
    public void follow(Follower follower) {
        this.follower = follower;
    }

    /** A new command starts (exchange mode): the next packet in either direction carries id 0. */
    public void reset() {
        next = 0;
        if (follower != null) {
            follower.restart(0);
        }
    }

    /** Switches to command mode (server side, after authentication). */
    public void commandMode() {
        commandMode = true;
        clientData = false;
    }

    public boolean isCommandMode() {
        return commandMode;
    }

    /**
     * Command mode: the response to a command whose last physical packet carried {@code lastCommandId}
     * starts now; outbound ids continue from there.
     */
    public void beginResponse(int lastCommandId) {
        next = (lastCommandId + 1) & 0xFF;
        if (follower != null) {
            follower.restart(next);
        }
    }

    /**
     * Command mode: the server asked the client for data (LOCAL INFILE); the client's packets continue the
     * sequence after the last packet written, until {@link #endClientData()}.
     */
    public void expectClientData() {
        clientData = true;
        inboundNext = next;
    }

    /** Command mode: the client's data ended; the server's answer continues after the client's last id. */
    public void endClientData() {
        clientData = false;
        next = inboundNext;
        if (follower != null) {
            follower.clientDataEnded();
        }
    }

    /**
     * Command mode: the next packet written answers the inbound packet checked last (e.g. an ERR refusing a
     * packet whose header was read but whose length is over the maximum), so it carries the id after that
     * one's. In exchange mode the shared counter already is there.
     */
    public void respondToLastInbound() {
        if (commandMode) {
            next = inboundNext;
        }
    }

    /** The id the next physical packet written (or, in exchange mode, read) carries. */
    public int nextExpected() {
        return next;
    }

    /** Checks an inbound id and advances (exchange mode); a gap is a protocol error. */
    public void checkInbound(int sequenceId) {
        checkInbound(sequenceId, true);
    }

    /**
     * Checks an inbound id and advances; {@code firstOfPacket} is false for the continuation packets of a
     * payload of 0xFFFFFF bytes or more.
     */
    public void checkInbound(int sequenceId, boolean firstOfPacket) {
        if (!commandMode) {
            next = check(sequenceId, next);
        } else if (firstOfPacket && !clientData) {
            inboundNext = check(sequenceId, 0);
        } else {
            inboundNext = check(sequenceId, inboundNext);
        }
    }

    private static int check(int got, int expected) {
        if (got != expected) {
            throw new ProtocolException("sequence id: got " + got + " (expected: " + expected + ")");
        }
        return (expected + 1) & 0xFF;
    }

    /** Returns the id for the next outbound physical packet and advances. */
    public int stampOutbound() {
        int id = next;
        next = (next + 1) & 0xFF;
        return id;
    }

    @Override
    public String toString() {
        return "PacketSequence(next=" + next + (commandMode ? ", command mode, inbound=" + inboundNext : "") + ")";
    }
}
