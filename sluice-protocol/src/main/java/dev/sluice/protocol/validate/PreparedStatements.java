package dev.sluice.protocol.validate;

import dev.sluice.protocol.binary.ColumnType;
import java.util.HashMap;
import java.util.Map;

/**
 * The statements a link has prepared and not closed: their result column types (for binary rows whose metadata the
 * server skips) and whether a cursor is open on them (for COM_STMT_FETCH). Bounded: past {@link #MAX} statements it
 * stops tracking (servers refuse far fewer), and from then on answers "unknown" rather than guess.
 */
final class PreparedStatements {
    static final int MAX = 65_536;

    static final class Statement {
        ColumnType.Shape[] shapes;
        boolean cursor;
        /** Its text may change the session's modes ({@link ModeChanges}). */
        boolean mayChangeModes;
    }

    private final Map<Long, Statement> byId = new HashMap<>();
    private long lastPrepared = -1;
    private boolean overflowed;

    /** A PREPARE_OK announced this id. */
    Statement prepared(long id) {
        lastPrepared = id;
        if (byId.size() >= MAX && !byId.containsKey(id)) {
            overflowed = true;
            return new Statement();
        }
        Statement s = new Statement();
        byId.put(id, s);
        return s;
    }

    /** The statement of an id as sent (0xFFFFFFFF: the last prepared); null when unknown. */
    Statement get(long id) {
        return byId.get(id == 0xFFFFFFFFL ? lastPrepared : id);
    }

    /** True when an unknown id may still be a real statement (tracking stopped at the bound). */
    boolean incomplete() {
        return overflowed;
    }

    void closed(long id) {
        byId.remove(id);
    }

    /** COM_RESET_CONNECTION, COM_CHANGE_USER: the server dropped them all. */
    void clear() {
        byId.clear();
        overflowed = false;
    }
}
