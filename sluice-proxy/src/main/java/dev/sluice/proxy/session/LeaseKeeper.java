package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a session in {@code pool.mode: transaction} may give its server connection back after a command, and
 * why not: a transaction is open, or something of the session lives only on that connection (a pin). Each pin
 * keeps its reason, the statement that caused it and since when, and is logged at debug.
 */
final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private static final Set<String> STATELESS = Set.of(
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "REPLACE",
            "BEGIN",
            "START",
            "COMMIT",
            "ROLLBACK",
            "SHOW",
            "DESC",
            "DESCRIBE",
            "EXPLAIN",
            "WITH",
            "VALUES",
            "TABLE");
    private static final String[] STATEFUL_WORDS = {
        ";", "SQL_CALC_FOUND_ROWS", "FOUND_ROWS", "ROW_COUNT", "LAST_INSERT_ID", "GET_LOCK", "TEMPORARY", "LOCK"
    };

    private final long sessionId;
    private String reason;
    private String statement;
    private long sinceNanos;

    LeaseKeeper(long sessionId) {
        this.sessionId = sessionId;
    }

    /** A command is about to go to the server: what it leaves on the connection. */
    void command(Command command, ByteBuf payload) {
        if (reason != null) {
            return;
        }
        switch (command) {
            case COM_QUERY -> {
                if (!stateless(payload)) {
                    pin("unclassified-state", payload);
                }
            }
            case COM_STMT_PREPARE -> pin("prepared-statement", payload);
            case COM_INIT_DB, COM_SET_OPTION -> pin("unclassified-state", payload);
            default -> {}
        }
    }

    /** The server's state flags said the session's state changed in a way not re-applied elsewhere. */
    void stateChanged() {
        if (reason == null) {
            pin("unclassified-state", null);
        }
    }

    /** COM_RESET_CONNECTION succeeded: nothing of the session is left on the connection. */
    void reset() {
        reason = null;
        statement = null;
    }

    /** True when the connection may go back: no transaction open, nothing of the session left on it. */
    boolean mayRelease(SessionStatus status) {
        return reason == null && !status.inTransaction();
    }

    /** Why the session keeps its connection, for logs; null when it does not. */
    String why(SessionStatus status) {
        if (reason != null) {
            return reason + " (since " + (System.nanoTime() - sinceNanos) / 1_000_000 + " ms, by: " + statement + ")";
        }
        return status.inTransaction() ? "transaction" : null;
    }

    private void pin(String why, ByteBuf payload) {
        reason = why;
        sinceNanos = System.nanoTime();
        statement = payload == null ? "-" : text(payload, 100);
        LOG.debug("session {}: pinned to its server connection: {} ({})", sessionId, why, statement);
    }

    private static boolean stateless(ByteBuf payload) {
        String text = text(payload, 4096).toUpperCase(Locale.ROOT);
        String trimmed = text.strip();
        int end = 0;
        while (end < trimmed.length() && Character.isLetter(trimmed.charAt(end))) {
            end++;
        }
        if (!STATELESS.contains(trimmed.substring(0, end)) || payload.readableBytes() > 4097) {
            return false;
        }
        for (int i = text.indexOf('@'); i >= 0; i = text.indexOf('@', i + 2)) {
            if (i + 1 >= text.length() || text.charAt(i + 1) != '@') {
                return false; // a user variable (@@name is a system variable)
            }
        }
        for (String word : STATEFUL_WORDS) {
            if (text.contains(word)) {
                return false;
            }
        }
        return true;
    }

    private static String text(ByteBuf payload, int max) {
        int length = Math.min(payload.readableBytes() - 1, max);
        return payload.toString(payload.readerIndex() + 1, Math.max(length, 0), StandardCharsets.UTF_8);
    }
}
