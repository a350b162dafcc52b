package dev.sluice.proxy.session;

import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;

/**
 * What a session is in the middle of for one client command: relaying its response ({@link ResponseRelay})
 * or re-authenticating both sides ({@link ChangeUserExchange}). Packets of either side go to the current
 * exchange until it is complete; the next queued command starts only then.
 */
interface Exchange {
    /**
     * A packet's payload from the server, lent for the call (not to be released or kept; see
     * {@link dev.sluice.protocol.wire.PacketDecoder.Sink}); a ProtocolException means the server side can no
     * longer be trusted.
     */
    void onServerPayload(ByteBuf payload);

    /** A client packet that belongs to this exchange (see {@link #awaitingClientData()}). */
    void onClientData(Packet packet);

    boolean awaitingClientData();

    boolean isComplete();

    /** Rows relayed so far (for error messages and logs). */
    long rows();

    String commandName();

    /** Whether the response ended in an ERR (for one that is complete). */
    default boolean failed() {
        return false;
    }

    /** The session ends with this exchange unfinished. */
    void abandon();
}
