package dev.sluice.proxy.session.prepared;

import dev.sluice.backend.pool.PooledConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The statements Sluice has prepared on one server connection, shared by every session that leases it: one per
 * ({@link StatementContext}: database and parse settings; SQL text), so a thousand sessions running the same statement cost the server one prepared statement per
 * connection, not one per session (ProxySQL's failure: one per client statement, until the server's global
 * {@code max_prepared_stmt_count} is exhausted). Travels with the pooled connection (its attachment).
 *
 * <p>Bounded: beyond {@link #limit()} the least recently used shared statement is closed. COM_STMT_CLOSE has no
 * answer, so a close is only queued here ({@link #writePendingCloses}) and goes out in front of the next command
 * written on the connection (never in the middle of a response: writing resets the sequence ids). A statement a
 * session holds exclusively ({@link #hold}: its long data is on it, or its cursor is open) is not shared and never
 * evicted; the session is pinned to the connection meanwhile, so nobody else could reach it anyway.
 *
 * <p>Used on the connection's event loop only (whoever holds the lease), no locking.
 */
public final class ServerStatements {
    /** Default bound per connection: see {@link #fairLimit} for the one that keeps the server's global count. */
    public static final int DEFAULT_LIMIT = 256;

    /** (context, text): what a server statement is, for sharing. */
    record Key(StatementContext context, byte[] sql) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(k.context, context) && Arrays.equals(k.sql, sql);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(context) * 31 + Arrays.hashCode(sql);
        }
    }

    /** One statement on the server. */
    static final class Entry {
        final Key key;
        final long serverId;
        final int params;
        /** The types the server holds for it (sent last with new_params_bound_flag 1 / SEND_TYPES); null: none yet. */
        byte[] boundTypes;

        Entry(Key key, long serverId, int params) {
            this.key = key;
            this.serverId = serverId;
            this.params = params;
        }
    }

    private final int limit;
    private final boolean lastPreparedId;
    private final LinkedHashMap<Key, Entry> shared = new LinkedHashMap<>(16, 0.75f, true);
    private final List<Entry> held = new ArrayList<>(1);
    private final List<Long> pendingCloses = new ArrayList<>();

    /**
     * @param limit statements kept on the connection, at least 1
     * @param lastPreparedId the server takes stmt_id 0xFFFFFFFF for "the statement prepared last" (MariaDB 10.2+), so
     *     a statement can be prepared and executed in one write
     */
    public ServerStatements(int limit, boolean lastPreparedId) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
        this.limit = limit;
        this.lastPreparedId = lastPreparedId;
    }

    /**
     * The statements of {@code connection}: its attachment, made on the lease that finds none (a new connection, or
     * one the pool reset, which closes every statement on the server and drops the attachment).
     */
    public static ServerStatements of(PooledConnection connection, int limit, boolean lastPreparedId) {
        if (connection.attachment() instanceof ServerStatements statements) {
            return statements;
        }
        ServerStatements statements = new ServerStatements(limit, lastPreparedId);
        connection.attach(statements);
        return statements;
    }

    /**
     * Whether a server of this greeting version takes stmt_id 0xFFFFFFFF for "the statement prepared last": MariaDB
     * from 10.2 ("10.11.6-MariaDB", or "5.5.5-10.11.6-MariaDB-log" as MariaDB announces itself to old clients); MySQL
     * does not.
     */
    public static boolean acceptsLastPreparedId(String serverVersion) {
        int end = serverVersion.indexOf("-MariaDB");
        if (end < 0) {
            return false;
        }
        String version = serverVersion.substring(0, end);
        if (version.startsWith("5.5.5-")) {
            version = version.substring("5.5.5-".length());
        }
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 10 || (major == 10 && minor >= 2);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * A per-connection bound that keeps Sluice's statements on one server under {@code maxPreparedStmtCount} (the
     * server's global {@code @@max_prepared_stmt_count}) with all {@code connections} full, leaving a tenth for
     * others (clients' SQL-level PREPARE, other tools); never above {@code configured}, never below 1.
     */
    public static int fairLimit(int configured, long maxPreparedStmtCount, int connections) {
        if (maxPreparedStmtCount < 0 || connections <= 0) {
            return configured;
        }
        long fair = maxPreparedStmtCount * 9 / 10 / connections;
        return (int) Math.max(1, Math.min(configured, fair));
    }

    public int limit() {
        return limit;
    }

    /** Whether the server accepts stmt_id 0xFFFFFFFF for "the statement prepared last". */
    public boolean lastPreparedId() {
        return lastPreparedId;
    }

    /** Statements on the server now (shared and held), closes not yet written not counted. */
    public int size() {
        return shared.size() + held.size();
    }

    public boolean hasPendingCloses() {
        return !pendingCloses.isEmpty();
    }

    /**
     * Hands a COM_STMT_CLOSE for each statement evicted since the last call to {@code out}, in order; the caller writes
     * them (each as its own command: sequence reset, id 0) before the next command, in the same flush. They have no
     * answer.
     */
    public void writePendingCloses(ByteBufAllocator alloc, java.util.function.Consumer<ByteBuf> out) {
        for (long id : pendingCloses) {
            out.accept(StatementPackets.close(alloc, id));
        }
        pendingCloses.clear();
    }

    /**
     * The server forgot every statement of the connection (COM_RESET_CONNECTION, COM_CHANGE_USER): so does this set.
     */
    public void forgetAll() {
        shared.clear();
        held.clear();
        pendingCloses.clear();
    }

    /**
     * The lease ended: a statement still held (its session ended while pinned, with long data sent or a cursor open)
     * is closed, so no later session executes with that long data or meets that cursor.
     */
    public void released() {
        for (Entry e : held) {
            pendingCloses.add(e.serverId);
        }
        held.clear();
    }

    /** The shared statement for (context, sql), now most recently used; null when the connection has none. */
    Entry find(Key key) {
        return shared.get(key);
    }

    /**
     * A statement the server just prepared: shared from now on. One already shared for the same key (the client
     * prepared the same text again) is closed; over the bound, the least recently used one is.
     */
    Entry added(Key key, long serverId, int params) {
        Entry entry = new Entry(key, serverId, params);
        Entry old = shared.put(key, entry);
        if (old != null) {
            pendingCloses.add(old.serverId);
        }
        evict();
        return entry;
    }

    /** Takes a shared statement out of sharing for one client statement (long data or a cursor on it). */
    void hold(Entry entry) {
        if (shared.get(entry.key) == entry) {
            shared.remove(entry.key);
            held.add(entry);
        }
    }

    /** A held statement is shared again (or closed, when the key has another one meanwhile). */
    void unhold(Entry entry) {
        if (!held.remove(entry)) {
            return;
        }
        if (shared.containsKey(entry.key)) {
            pendingCloses.add(entry.serverId);
        } else {
            shared.put(entry.key, entry);
            evict();
        }
    }

    /** A held statement is closed now (the client closed its statement): the caller sends the close itself. */
    void dropHeld(Entry entry) {
        held.remove(entry);
    }

    boolean isHeld(Entry entry) {
        return held.contains(entry);
    }

    private void evict() {
        Iterator<Map.Entry<Key, Entry>> eldest = shared.entrySet().iterator();
        while (size() > limit && eldest.hasNext()) {
            Entry e = eldest.next().getValue();
            eldest.remove();
            pendingCloses.add(e.serverId);
        }
    }

    @Override
    public String toString() {
        return "ServerStatements[" + shared.size() + " shared, " + held.size() + " held, " + pendingCloses.size()
                + " to close, limit " + limit + "]";
    }
}
