package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.message.server.ErrPacket;

/**
 * Sluice's own answers about prepared statements, worded as MariaDB words them, with the client's ids (listed in
 * docs/ERRORS.md). They belong in ProxyErrors' table, which main reworked while this was built (rows
 * UNKNOWN_STATEMENT 1243 HY000 "Unknown prepared statement handler (%s) given to %s", NO_OPEN_CURSOR 1421 HY000 "The
 * statement (%s) has no open cursor", TOO_MANY_STATEMENTS 1461 42000 "Can't create more than max_prepared_stmt_count
 * statements (current value: %s)"); kept here until then so the two do not collide.
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
        return new ErrPacket(
                UNKNOWN_STATEMENT,
                "HY000",
                "Unknown prepared statement handler (" + Long.toUnsignedString(id) + ") given to " + where);
    }

    /** COM_STMT_FETCH of a statement without an open cursor. */
    static ErrPacket noOpenCursor(long id) {
        return new ErrPacket(
                NO_OPEN_CURSOR, "HY000", "The statement (" + Long.toUnsignedString(id) + ") has no open cursor");
    }

    /** A session holding {@code limit} prepared statements prepares one more. */
    static ErrPacket tooManyStatements(int limit) {
        return new ErrPacket(
                TOO_MANY_STATEMENTS,
                "42000",
                "Can't create more than max_prepared_stmt_count statements (current value: " + limit + ")");
    }
}
