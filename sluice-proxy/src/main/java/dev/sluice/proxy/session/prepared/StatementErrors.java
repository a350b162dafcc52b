package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.proxy.session.ProxyErrors;

/**
 * Sluice's own answers about prepared statements, worded as MariaDB words them, with the client's ids: rows of
 * {@link ProxyErrors}' table (UNKNOWN_STATEMENT 1243, NO_OPEN_CURSOR 1421, TOO_MANY_STATEMENTS 1461), listed in
 * docs/ERRORS.md.
 */
final class StatementErrors {
    /** ER_UNKNOWN_STMT_HANDLER. */
    static final int UNKNOWN_STATEMENT = 1243;
    /** ER_STMT_HAS_NO_OPEN_CURSOR. */
    static final int NO_OPEN_CURSOR = 1421;
    /** ER_MAX_PREPARED_STMT_COUNT_REACHED. */
    static final int TOO_MANY_STATEMENTS = 1461;

    private StatementErrors() {}

    /**
     * A statement id the session never handed out (or closed), or "the last prepared" after a failed prepare; {@code
     * where} is the server function's name the server puts in the text (mysqld_stmt_execute, _fetch, _reset).
     */
    static ErrPacket unknownStatement(long id, String where) {
        return ProxyErrors.unknownStatement(id, where);
    }

    /** COM_STMT_FETCH of a statement without an open cursor. */
    static ErrPacket noOpenCursor(long id) {
        return ProxyErrors.noOpenCursor(id);
    }

    /** A session holding {@code limit} prepared statements prepares one more. */
    static ErrPacket tooManyStatements(int limit) {
        return ProxyErrors.tooManyStatements(limit);
    }
}
