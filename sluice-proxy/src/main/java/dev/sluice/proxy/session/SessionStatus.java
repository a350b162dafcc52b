package dev.sluice.proxy.session;

import dev.sluice.protocol.ServerStatus;

/**
 * The session-state bits of the server's latest status flags (see {@link ServerStatus#SESSION_STATE}): what the
 * packets Sluice writes itself carry, whether a transaction is open, how strings are escaped.
 */
final class SessionStatus {
    private int flags = ServerStatus.AUTOCOMMIT;

    /** The status flags of an OK or EOF the server sent on this session: its state from now on. */
    void server(int statusFlags) {
        flags = statusFlags & ServerStatus.SESSION_STATE;
    }

    int flags() {
        return flags;
    }

    boolean noBackslashEscapes() {
        return ServerStatus.has(flags, ServerStatus.NO_BACKSLASH_ESCAPES);
    }

    boolean autocommit() {
        return ServerStatus.has(flags, ServerStatus.AUTOCOMMIT);
    }

    boolean inTransaction() {
        return ServerStatus.has(flags, ServerStatus.IN_TRANS);
    }
}
