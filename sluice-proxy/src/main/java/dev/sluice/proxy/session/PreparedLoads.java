package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prepared statements of a session that are LOAD DATA LOCAL INFILE, by statement id, with the files they
 * named (and whether the last COM_STMT_PREPARE was refused by Sluice, for commands naming "the last one"): MariaDB answers COM_STMT_EXECUTE of such a statement with a LOCAL INFILE request, which passes the same
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
    /** The last COM_STMT_PREPARE was answered by Sluice with an ERR: the server's "last prepared" is another one. */
    private boolean lastRefused;

    /** A COM_STMT_PREPARE succeeded with {@code id}; {@code guard} is null for any other statement. */
    void prepared(long id, LocalInfileGuard guard) {
        last = guard;
        lastRefused = false;
        if (guard != null) {
            byId.put(id, guard);
        } else {
            byId.remove(id);
        }
    }

    /** Sluice refused the last COM_STMT_PREPARE itself (the server never saw it). */
    void refused() {
        lastRefused = true;
        last = null;
    }

    /**
     * Whether a statement command names "the statement prepared last" (id 0xFFFFFFFF, which MariaDB Connector/J
     * pipelines right behind its COM_STMT_PREPARE) while that was one Sluice refused: the server would take the one
     * it prepared before.
     */
    boolean refusedLast(Command command, ByteBuf payload) {
        return lastRefused
                && command != Command.COM_SET_OPTION
                && command != Command.COM_RESET_CONNECTION
                && payload.readableBytes() >= 5
                && payload.getUnsignedIntLE(payload.readerIndex() + 1) == LAST_PREPARED;
    }

    void closed(long id) {
        byId.remove(id);
    }

    /** After COM_RESET_CONNECTION or COM_CHANGE_USER: the server closed every prepared statement. */
    void clear() {
        byId.clear();
        last = null;
        lastRefused = false;
    }

    /** The files statement {@code id} may ask for, or null. */
    LocalInfileGuard forExecute(long id) {
        return id == LAST_PREPARED ? last : byId.get(id);
    }
}
