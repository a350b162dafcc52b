package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.message.server.ErrPacket;
import java.util.Set;

/**
 * A statement as one client sees it: Sluice's id for it (per session), what it is (text as the server got it,
 * database it was prepared in), its shape, and the types the client bound last. What is on a server connection
 * for it is found by (database, text) in that connection's {@link ServerStatements}, except while it holds one
 * exclusively (long data sent, cursor open), which pins the session to that connection.
 */
final class ClientStatement {
    final long clientId;
    final ServerStatements.Key key;
    final int params;
    final int columns;
    /** The 2n type bytes the client sent last (execute with new_params_bound_flag 1, bulk with types); null: none. */
    byte[] lastTypes;
    /** The server statement it holds alone (on the session's pinned connection), or null. */
    ServerStatements.Entry held;
    /** The connection {@link #held} is on. */
    ServerStatements heldOn;
    /** COM_STMT_SEND_LONG_DATA went to {@link #held} and no execution consumed it yet. */
    boolean longData;
    /** An execution opened a cursor on {@link #held} that is not closed or read to its end. */
    boolean cursor;
    /**
     * Long data could not be sent: re-preparing the statement for it failed. The next execution is answered with
     * this (what the server said to the prepare: what the execution itself would have met).
     */
    ErrPacket longDataFailure;
    /** Whether the text provably only reads (read/write split: its executions may go to a reader); null until asked. */
    Boolean readsOnly;

    /** The session's statements that hold one now (so pins are found without looking at every statement). */
    private final Set<ClientStatement> holders;

    ClientStatement(long clientId, ServerStatements.Key key, int params, int columns, Set<ClientStatement> holders) {
        this.holders = holders;
        this.clientId = clientId;
        this.key = key;
        this.params = params;
        this.columns = columns;
    }

    boolean pinsLongData() {
        return longData || longDataFailure != null;
    }

    /** Takes {@code entry} of {@code on} for this statement alone. */
    void hold(ServerStatements on, ServerStatements.Entry entry) {
        if (held != entry) {
            on.hold(entry);
            held = entry;
            heldOn = on;
            holders.add(this);
        }
    }

    /** Lets go of the held statement (shared again on its connection). */
    void unhold() {
        if (held != null) {
            heldOn.unhold(held);
        }
        forget();
    }

    /** Forgets the held statement without giving it back (closed, or its connection gone). */
    void forget() {
        held = null;
        heldOn = null;
        longData = false;
        cursor = false;
        holders.remove(this);
    }
}
