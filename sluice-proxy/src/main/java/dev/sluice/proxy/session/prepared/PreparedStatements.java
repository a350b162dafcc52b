package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.ErrPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prepared statements of one client session, under ids Sluice hands out (from 1, per session), so that a
 * statement keeps working whichever server connection serves the session next: each command naming a statement is
 * mapped to the statement of the connection it goes to ({@link ServerStatements}), which Sluice prepares there
 * first when the connection does not have it ({@link Reprepare}).
 *
 * <p>Why the client's COM_STMT_PREPARE always goes to the server, even when the text is prepared on the connection
 * already: the answer carries the column and parameter definitions of now (a table altered since would show),
 * privileges are checked, and a failing prepare fails; an answer from a cache could tell the client something the
 * server no longer would. Sluice's own prepares (for a statement the client prepared elsewhere) are never shown.
 *
 * <p>Long data and cursors live on one server statement: a client statement that sent long data, or opened a cursor,
 * holds its server statement alone until the execution consumed the data, or the cursor was closed or read to its
 * end; meanwhile the session must stay on that connection ({@link #pinnedByLongData()}, {@link #pinnedByCursor()}).
 * Two client statements of the same text otherwise share one server statement, which keeps the parameter types of
 * whichever execution sent types last: an execution that sends none (new_params_bound_flag 0) gets the types its own
 * client statement sent last whenever they differ.
 *
 * <p>On the session's event loop only.
 */
public final class PreparedStatements {
    /** The server's default max_prepared_stmt_count: a session holds at most as many (Sluice's memory, not the server's). */
    public static final int DEFAULT_SESSION_LIMIT = 16382;

    private final int sessionLimit;
    private final Map<Long, ClientStatement> byId = new HashMap<>();
    /** The statements holding a server statement alone (long data, cursor): what pins the session. */
    private final Set<ClientStatement> holders = new HashSet<>();

    private long nextId = 1;
    /** The client id of the statement prepared last (for stmt_id 0xFFFFFFFF), -1 when the last prepare failed. */
    private long lastPrepared = -1;

    private ServerStatements.Key pending;

    public PreparedStatements() {
        this(DEFAULT_SESSION_LIMIT);
    }

    public PreparedStatements(int sessionLimit) {
        this.sessionLimit = sessionLimit;
    }

    /** Client statements open in this session. */
    public int size() {
        return byId.size();
    }

    // ---- COM_STMT_PREPARE --------------------------------------------------------------------------------------

    /**
     * Before a client's COM_STMT_PREPARE is sent: null to send it, or the ERR to answer instead (the session has as
     * many statements open as a server would allow: ER_MAX_PREPARED_STMT_COUNT_REACHED, as the server words it). Then
     * call {@link #prepareSent}.
     */
    public ErrPacket refusePrepare() {
        if (byId.size() < sessionLimit) {
            return null;
        }
        lastPrepared = -1;
        return StatementErrors.tooManyStatements(sessionLimit);
    }

    /**
     * A client's COM_STMT_PREPARE is written to the server: {@code payload} is the text as sent (after Sluice's own
     * rewrites, e.g. CONNECTION_ID()), {@code context} the session's database and parse settings at this point.
     */
    public void prepareSent(ByteBuf payload, StatementContext context) {
        pending = new ServerStatements.Key(context, StatementPackets.prepareText(payload));
    }

    /**
     * The first packet of the answer, a COM_STMT_PREPARE_OK, is in {@code prepareOk}: its statement id is replaced (in
     * place) by the new client id, which is returned; the server's statement joins {@code connection}'s. Relay the
     * packet and the rest of the answer unchanged.
     */
    public long prepareOk(ByteBuf prepareOk, ServerStatements connection) {
        if (pending == null) {
            throw new IllegalStateException("COM_STMT_PREPARE_OK without a COM_STMT_PREPARE sent");
        }
        long serverId = StatementPackets.statementId(prepareOk);
        int from = prepareOk.readerIndex();
        int columns = prepareOk.getUnsignedShortLE(from + 5);
        int params = prepareOk.getUnsignedShortLE(from + 7);
        long clientId = newId();
        byId.put(clientId, new ClientStatement(clientId, pending, params, columns, holders));
        connection.added(pending, serverId, params);
        pending = null;
        StatementPackets.setStatementId(prepareOk, clientId);
        lastPrepared = clientId;
        return clientId;
    }

    /** The client's COM_STMT_PREPARE failed (the server's ERR, or Sluice refused it): no statement is "last" now. */
    public void prepareFailed() {
        pending = null;
        lastPrepared = -1;
    }

    private long newId() {
        long id;
        do {
            id = nextId;
            nextId = nextId >= 0xFFFF_FFFEL ? 1 : nextId + 1;
        } while (byId.containsKey(id));
        return id;
    }

    // ---- commands naming a statement ----------------------------------------------------------------------------

    /**
     * Whether {@link #route} of this command needs a server connection: false when Sluice answers it or drops it
     * itself (an unknown id, a close or reset with nothing on the server, a fetch without a cursor, a statement whose
     * long data could not be sent), so a session holding none need not lease one for it. Reads only.
     */
    public boolean needsConnection(ByteBuf payload) {
        ClientStatement c = statementOf(payload);
        if (c == null) {
            return false;
        }
        return switch (StatementPackets.command(payload)) {
            case COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE, COM_STMT_SEND_LONG_DATA -> c.longDataFailure == null;
            case COM_STMT_FETCH -> c.held != null && c.cursor;
            default -> c.held != null; // reset, close
        };
    }

    /**
     * True when {@code payload} is a COM_STMT_EXECUTE of a statement whose text provably only reads ({@link
     * dev.sluice.proxy.session.ReadWriteClass#READ}) and that holds nothing on a connection: a reader may run it (the
     * read/write split routes prepared statements per execution). Reads only; the class is worked out once per
     * statement.
     */
    public boolean executesRead(ByteBuf payload) {
        if (payload.readableBytes() < 5 || StatementPackets.command(payload) != Command.COM_STMT_EXECUTE) {
            return false;
        }
        ClientStatement c = statementOf(payload);
        if (c == null || c.held != null || c.longDataFailure != null) {
            return false;
        }
        if (c.readsOnly == null) {
            byte[] sql = c.key.sql();
            String settings = c.key.context().settings();
            boolean noEscapes = settings != null && settings.contains("NO_BACKSLASH_ESCAPES");
            c.readsOnly = dev.sluice.proxy.session.ReadWriteClassifier.ofQuery(
                            io.netty.buffer.Unpooled.wrappedBuffer(sql), 0, sql.length, noEscapes)
                    == dev.sluice.proxy.session.ReadWriteClass.READ;
        }
        return c.readsOnly;
    }

    /** The text of the statement {@code payload} (a command naming one) names; null when none is known. */
    public byte[] textOf(ByteBuf payload) {
        if (payload.readableBytes() < 5) {
            return null;
        }
        ClientStatement c = statementOf(payload);
        return c == null ? null : c.key.sql();
    }

    private ClientStatement statementOf(ByteBuf payload) {
        long id = StatementPackets.statementId(payload);
        long resolved = id == StatementPackets.LAST_PREPARED ? lastPrepared : id;
        return resolved < 0 ? null : byId.get(resolved);
    }

    /**
     * A client's COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE, COM_STMT_SEND_LONG_DATA, COM_STMT_FETCH, COM_STMT_RESET or
     * COM_STMT_CLOSE, to go to {@code connection}: the leased one, or null when {@link #needsConnection} said none is
     * needed. Takes ownership of {@code payload}. With a held statement (long data, cursor) the session is pinned and
     * {@code connection} is the one it is pinned to.
     *
     * @param current the context the connection is in (the session's, re-applied)
     * @param capabilities the capabilities agreed with the server (for reading Sluice's own answers)
     */
    public Routing route(
            ByteBuf payload,
            ServerStatements connection,
            StatementContext current,
            long capabilities,
            ByteBufAllocator alloc) {
        Command command = StatementPackets.command(payload);
        long id = StatementPackets.statementId(payload);
        ClientStatement c = statementOf(payload);
        if (c == null) {
            payload.release();
            return unknown(command, id);
        }
        return switch (command) {
            case COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE ->
                ExecuteRouting.execute(c, payload, command, connection, current, capabilities, alloc);
            case COM_STMT_SEND_LONG_DATA ->
                ExecuteRouting.longData(c, payload, connection, current, capabilities, alloc);
            case COM_STMT_FETCH -> fetch(c, payload);
            case COM_STMT_RESET -> reset(c, payload);
            case COM_STMT_CLOSE -> close(c, payload);
            default -> throw new IllegalArgumentException(command + " does not name a prepared statement");
        };
    }

    private static Routing unknown(Command command, long id) {
        String where = switch (command) {
            // MariaDB 10.11 names the execute function for a bulk execution too (checked against it)
            case COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE -> "mysqld_stmt_execute";
            case COM_STMT_FETCH -> "mysqld_stmt_fetch";
            case COM_STMT_RESET -> "mysqld_stmt_reset";
            default -> null; // close and long data of an unknown statement: the server ignores them
        };
        if (where == null) {
            return new Routing.Drop();
        }
        return new Routing.Answer(StatementErrors.unknownStatement(id, where));
    }

    private static Routing fetch(ClientStatement c, ByteBuf payload) {
        if (c.held == null || !c.cursor) {
            payload.release();
            return new Routing.Answer(StatementErrors.noOpenCursor(c.clientId));
        }
        StatementPackets.setStatementId(payload, c.held.serverId);
        return new Routing.Forward(c.clientId, payload, true);
    }

    /**
     * COM_STMT_RESET discards the statement's long data and closes its cursor, nothing else: with neither (Sluice
     * knows both, they pin the session) the server would answer OK having done nothing, so Sluice does, without a
     * connection. With either, it goes to the statement holding them.
     */
    private static Routing reset(ClientStatement c, ByteBuf payload) {
        c.longDataFailure = null;
        if (c.held == null) {
            payload.release();
            return new Routing.AnswerOk();
        }
        StatementPackets.setStatementId(payload, c.held.serverId);
        c.unhold();
        return new Routing.Forward(c.clientId, payload, true);
    }

    /**
     * COM_STMT_CLOSE forgets the client statement; the server statement stays for the others that use the same text
     * (the bound closes it when it is least used), unless this one held it alone (long data, cursor): that one is
     * closed now, with the client's command, its id mapped.
     */
    private Routing close(ClientStatement c, ByteBuf payload) {
        byId.remove(c.clientId);
        if (lastPrepared == c.clientId) {
            lastPrepared = -1;
        }
        if (c.held == null) {
            payload.release();
            return new Routing.Drop();
        }
        StatementPackets.setStatementId(payload, c.held.serverId);
        c.heldOn.dropHeld(c.held);
        c.forget();
        return new Routing.Forward(c.clientId, payload, false);
    }

    // ---- answers the session reads ------------------------------------------------------------------------------

    /**
     * The answer to a COM_STMT_EXECUTE of {@code clientId} ended; {@code cursorOpen}: it opened a cursor (the
     * ResponseDecoder's {@code cursorOpen()}; false after an ERR).
     */
    public void executeEnded(long clientId, boolean cursorOpen) {
        ClientStatement c = byId.get(clientId);
        if (c != null && c.cursor && !cursorOpen) {
            c.unhold();
        }
    }

    /**
     * The answer to a COM_STMT_FETCH of {@code clientId} ended with {@code statusFlags} (its terminal EOF/OK); the
     * server closes the cursor once its last row was sent (SERVER_STATUS_LAST_ROW_SENT).
     */
    public void fetchEnded(long clientId, int statusFlags) {
        ClientStatement c = byId.get(clientId);
        if (c != null && c.cursor && ServerStatus.has(statusFlags, ServerStatus.LAST_ROW_SENT)) {
            c.unhold();
        }
    }

    /** Some statement holds long data on the leased connection: the session must keep it until the execution. */
    public boolean pinnedByLongData() {
        if (holders.isEmpty()) {
            return false; // the common case: no iterator for it
        }
        for (ClientStatement c : holders) {
            if (c.longData) {
                return true;
            }
        }
        return false;
    }

    /** Some statement has a cursor open on the leased connection: the session must keep it until it is closed. */
    public boolean pinnedByCursor() {
        if (holders.isEmpty()) {
            return false; // the common case: no iterator for it
        }
        for (ClientStatement c : holders) {
            if (c.cursor) {
                return true;
            }
        }
        return false;
    }

    /**
     * The session's lease ended (released, discarded, lost). Normally nothing is held then (holding pins the
     * session); if something was (the connection failed mid-statement, the session ends while pinned), it is
     * forgotten here, so no later command is mapped to a statement of a connection the session no longer has. Call
     * with {@link ServerStatements#released()} of that connection on a release.
     */
    public void leaseEnded() {
        if (holders.isEmpty()) {
            return;
        }
        for (ClientStatement c : List.copyOf(holders)) {
            c.forget();
        }
    }

    /** The client's COM_RESET_CONNECTION or COM_CHANGE_USER: the server would close all its statements. */
    public void clear() {
        for (ClientStatement c : List.copyOf(holders)) {
            c.unhold();
        }
        byId.clear();
        lastPrepared = -1;
        pending = null;
    }

    /** The types the client statement sent last, for tests. */
    byte[] lastTypes(long clientId) {
        ClientStatement c = byId.get(clientId);
        return c == null || c.lastTypes == null ? null : Arrays.copyOf(c.lastTypes, c.lastTypes.length);
    }
}
