package dev.sluice.proxy.session;

import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.pool.PooledConnection;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.SessionStateChange;
import dev.sluice.proxy.session.state.ClientTrackerView;
import dev.sluice.proxy.session.state.OkRewriter;
import dev.sluice.proxy.session.state.Reapply;
import dev.sluice.proxy.session.state.SessionState;
import dev.sluice.proxy.session.state.TrackerHandBack;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The session state that follows a transaction-mode session from connection to connection: what the session set
 * (database, character sets, session variables, the last insert id), learned from the trackers Sluice keeps on on
 * its connections; what each connection holds (kept on the {@link PooledConnection}); what makes a leased
 * connection hold the session's state ({@link Reapply}); and the OKs cut back to what this client's own trackers
 * would report ({@link dev.sluice.proxy.session.state.OkRewriter}).
 *
 * <p>A client statement naming its own {@code session_track_*} variables runs under the client's trackers and is
 * followed by a read-back of what it changed, after which Sluice's trackers go back on ({@link TrackerHandBack}): the
 * session stays multiplexed. A statement whose effects a read-back cannot cover, or a hand-back that fails, leaves the
 * client's trackers on its connection: its OKs then pass as the server sends them, and the session stays on that
 * connection (pin {@link PinReason#TRACKER_SETTINGS}).
 */
final class SessionTracker {

    private final long clientCapabilities;
    private final SessionState state;
    private ClientTrackerView view;
    /** The client took its connection's trackers over: OKs pass unchanged, the state no longer moves. */
    private boolean handedOver;
    /** A statement naming the client's trackers is under way on the connection, to be handed back; or null. */
    private TrackerHandBack handBack;
    /** Variables to read back before the connection goes back (the trackers did not report their value). */
    private List<String> readBack = List.of();

    SessionTracker(long clientCapabilities, int collation, String database) {
        this.clientCapabilities = clientCapabilities;
        this.state = SessionState.atLogin(collation, database, ignoreSpace());
    }

    /**
     * The client logged in with CLIENT_IGNORE_SPACE, which Sluice passes on to the server: the connections of its pool
     * (keyed by capabilities) start with IGNORE_SPACE in sql_mode, and so does the session.
     */
    private boolean ignoreSpace() {
        return Capability.has(clientCapabilities, Capability.CLIENT_IGNORE_SPACE);
    }

    /**
     * A connection was leased: what to send before the session's command, or null when it holds the session's state
     * already (the common case: a few field reads).
     *
     * @param poolCollation the collation of the pool's connections as opened or reset
     * @param poolDatabase their database
     */
    Reapply leased(
            PooledConnection connection,
            SessionTracking.TrackerDefaults defaults,
            int poolCollation,
            String poolDatabase) {
        if (view == null) {
            view = ClientTrackerView.atLogin(
                    clientCapabilities,
                    defaults != null ? defaults : SessionTracking.TrackerDefaults.mariaDbDefaults());
        }
        SessionState held = connectionState(connection, poolCollation, poolDatabase);
        if (handedOver) {
            return null;
        }
        if (state.sameAs(held)) {
            state.heldBy(held); // the give-back then copies nothing unless the session changes something
            return null;
        }
        return state.reapply(held);
    }

    /** The re-apply succeeded: the connection holds this session's state. */
    void reapplied(PooledConnection connection) {
        ((SessionState) connection.state()).assign(state);
    }

    /** The connection goes back as it is: it holds what the session left on it. */
    void givingBack(PooledConnection connection) {
        if (connection.state() instanceof SessionState held) {
            held.assign(state);
        }
    }

    private SessionState connectionState(PooledConnection connection, int collation, String database) {
        if (connection.state() instanceof SessionState held) {
            return held;
        }
        SessionState fresh = SessionState.atLogin(collation, database, ignoreSpace());
        connection.state(fresh);
        return fresh;
    }

    /**
     * An OK from the server (0x00, or the 0xFE that ends a result set under DEPRECATE_EOF), lent: applies what it
     * says to the session's state (pinning what cannot move) and returns what the client gets (the same buffer, or a
     * new one the caller writes).
     */
    ByteBuf ok(ByteBuf payload, long serverCapabilities, ByteBufAllocator alloc, LeaseKeeper keeper) {
        if (handedOver) {
            return payload;
        }
        TrackerHandBack under = handBack;
        int i = payload.readerIndex() + 1;
        ByteBuf peek = payload.duplicate().readerIndex(i);
        Wire.readLenencInt(peek, "OK affected_rows");
        long insertId = Wire.readLenencInt(peek, "OK last_insert_id");
        int status = peek.readableBytes() >= 2 ? peek.readUnsignedShortLE() : 0;
        if (ServerStatus.has(status, ServerStatus.SESSION_STATE_CHANGED)) {
            OkPacket ok = OkPacket.decode(payload.duplicate(), serverCapabilities);
            SessionState.Applied applied = state.apply(ok);
            // under a hand-back's SET, a bare state change is the SET's own (every variable it names is read back)
            if (!applied.movable()
                    && !(under != null && under.isSet() && SessionState.UNNAMED_CHANGE.equals(applied.reason()))) {
                keeper.pin(PinReason.UNCLASSIFIED_STATE, applied.reason());
            }
            if (applied.trackersChanged() && under == null) {
                keeper.pin(PinReason.TRACKER_SETTINGS, "the trackers were changed by a statement Sluice did not see");
                handedOver = true;
            }
            if (!applied.readBack().isEmpty()) {
                List<String> names = new ArrayList<>(readBack);
                names.addAll(applied.readBack());
                readBack = names;
            }
        } else if (insertId != 0) {
            state.apply(List.of(), insertId);
        }
        return OkRewriter.rewrite(payload, under != null ? under.during() : view, alloc);
    }

    /** Whether this COM_QUERY text names the client's trackers (a SET or a read of {@code session_track_*}). */
    boolean namesTrackers(ByteBuf payload) {
        if (handedOver || handBack != null) {
            return false;
        }
        // one pass for '_' (most statements have none, or few), then "session" before it and "track_" after it
        int from = payload.readerIndex() + 1;
        int to = payload.writerIndex();
        for (int at = from + 7; at < to; at++) {
            at = payload.indexOf(at, to, (byte) '_');
            if (at < 0) {
                return false;
            }
            if (at + 7 <= to
                    && SqlLexer.matches(payload, at - 7, at, "SESSION")
                    && SqlLexer.matches(payload, at + 1, at + 7, "TRACK_")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The statement that puts this client's own trackers on the connection before its tracker statement (the COM_QUERY
     * {@code payload}) runs. Then {@link #handingBack()} says whether the session hands them back afterwards or keeps
     * them on its connection (the caller pins).
     */
    String handOver(ByteBuf payload) {
        String sql = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, StandardCharsets.UTF_8);
        handBack = TrackerHandBack.of(sql, view);
        handedOver = handBack == null;
        return view.applyStatement();
    }

    /** A statement naming the client's trackers runs under them, and its session hands them back afterwards. */
    boolean handingBack() {
        return handBack != null;
    }

    /**
     * After the client's statement, what to read with the client's trackers still in place (one query each, to
     * pipeline): see {@link TrackerHandBack#readBack}.
     */
    List<String> handBackQueries() {
        return handBack.readBack(readBack);
    }

    /**
     * The answers to {@link #handBackQueries()}: the client's new view and the variables its statement set are
     * learned, and true is returned (Sluice's trackers may go back on); false when anything is unknown (the caller
     * pins, the client's trackers stay on the connection).
     */
    boolean handBackRead(List<OwnCommands.Answer> answers) {
        TrackerHandBack under = handBack;
        List<String> names = under.variables(readBack);
        int expected = 1 + (under.probes() ? 1 : 0) + (names.isEmpty() ? 0 : 1);
        if (answers.size() != expected) {
            return handBackFailed();
        }
        OwnCommands.Answer values = answers.get(0);
        OwnCommands.Answer probe = under.probes() ? answers.get(1) : null;
        OwnCommands.Answer variables = names.isEmpty() ? null : answers.get(expected - 1);
        if (values.err() != null || (variables != null && variables.err() != null)) {
            return handBackFailed();
        }
        List<String> order = probe == null || probe.err() != null || probe.ok() == null
                ? null
                : probe.ok().sessionStateChanges().stream()
                        .filter(c -> c.type() == SessionStateChange.SYSTEM_VARIABLES)
                        .map(c -> c.strings().get(0))
                        .toList();
        ClientTrackerView next = under.learn(values.row(), order);
        if (next == null) {
            return handBackFailed();
        }
        if (variables != null) {
            if (variables.row().size() != names.size()) {
                return handBackFailed();
            }
            for (int i = 0; i < names.size(); i++) {
                state.readBack(names.get(i), variables.row().get(i));
            }
        }
        readBack = List.of();
        view = next;
        return true;
    }

    /** Sluice's trackers are back on the connection: the session's OKs are cut to the client's view again. */
    void handedBack() {
        handBack = null;
    }

    /** The hand-back failed: the client's trackers stay on the connection, its OKs pass as they are (pin). */
    boolean handBackFailed() {
        handBack = null;
        handedOver = true;
        readBack = List.of(); // the session is pinned: nothing more to read
        return false;
    }

    /** The connection has no trackers: its OKs go to the client as they are (the session is pinned to it). */
    void untracked() {
        handedOver = true;
    }

    /** How the session's statements parse now (sql_mode, character sets), as one SET: see SessionState. */
    String parseSettings() {
        return state.parseSettings();
    }

    /** The session's current database. */
    /** The GTID of the session's last write (causal reads); null for none yet. */
    String lastGtid() {
        return state.lastGtid();
    }

    String database() {
        return state.database();
    }

    /** The query that reads back what the trackers did not report, or null. */
    String readBackQuery() {
        return readBack.isEmpty() ? null : SessionState.readBackQuery(readBack);
    }

    /** {@link #readBackQuery()} failed: the caller pins, and nothing is read again. */
    void readBackFailed() {
        readBack = List.of();
    }

    /** The values of {@link #readBackQuery()}, in order. */
    void readBack(List<String> values) {
        for (int i = 0; i < readBack.size() && i < values.size(); i++) {
            state.readBack(readBack.get(i), values.get(i));
        }
        readBack = List.of();
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER: the session starts over from {@code collation} and {@code database}. */
    void reset(int collation, String database) {
        state.assign(SessionState.atLogin(collation, database, ignoreSpace()));
        readBack = List.of();
        handedOver = false;
        handBack = null;
        view = null; // the client's trackers are the server's defaults again
    }
}
