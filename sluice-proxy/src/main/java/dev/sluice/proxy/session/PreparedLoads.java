package dev.sluice.proxy.session;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prepared statements of a session that are LOAD DATA LOCAL INFILE, by statement id, with the files they
 * named: MariaDB answers COM_STMT_EXECUTE of such a statement with a LOCAL INFILE request, which passes the same
 * guard as one in answer to COM_QUERY. Bounded: beyond {@link #LIMIT} the oldest is forgotten (a request for it is
 * then refused, never relayed unchecked). Used on the session's event loop only.
 */
final class PreparedLoads {
    static final int LIMIT = 64;
    /** COM_STMT_EXECUTE with this id runs the statement prepared last (MariaDB, for pipelined prepare + execute). */
    static final long LAST_PREPARED = 0xFFFF_FFFFL;

    private final Map<Long, LocalInfileGuard> byId = new LinkedHashMap<>(4, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, LocalInfileGuard> eldest) {
            return size() > LIMIT;
        }
    };
    private LocalInfileGuard last;

    /** A COM_STMT_PREPARE succeeded with {@code id}; {@code guard} is null for any other statement. */
    void prepared(long id, LocalInfileGuard guard) {
        last = guard;
        if (guard != null) {
            byId.put(id, guard);
        } else {
            byId.remove(id);
        }
    }

    void closed(long id) {
        byId.remove(id);
    }

    /** After COM_RESET_CONNECTION or COM_CHANGE_USER: the server closed every prepared statement. */
    void clear() {
        byId.clear();
        last = null;
    }

    /** The files statement {@code id} may ask for, or null. */
    LocalInfileGuard forExecute(long id) {
        return id == LAST_PREPARED ? last : byId.get(id);
    }
}
