package dev.sluice.proxy.session.state;

import dev.sluice.protocol.charset.Collation;
import dev.sluice.protocol.charset.Collations;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.SessionStateChange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The session state of one client session, or of one server connection, as the server's trackers reported it
 * (issue 11, DESIGN invariant 12): the database, the system variables set on it (lower-case name to the value as
 * the tracker reports it), and the id LAST_INSERT_ID() returns. Sluice keeps one per session and one per pooled
 * connection; {@link #reapply} says what makes a connection's state the session's.
 *
 * <p>{@link #apply} takes each OK of Sluice's (fully tracking) connection and tells whether everything that changed
 * can be re-applied elsewhere. What the trackers say, checked on MariaDB 10.11:
 *
 * <ul>
 *   <li>a bare state-change entry (no schema or variable entry with it) is a change Sluice cannot name: a user
 *       variable ({@code SET @u}), a temporary table, a prepared statement, ...: the session must stay (pin);
 *   <li>{@code SET NAMES x COLLATE y} reports the three character_set_* variables but not collation_connection,
 *       so a change of character_set_connection without collation_connection leaves the collation unknown: {@link
 *       Applied#readBack()} names it, and the caller reads it ({@code SELECT @@session.collation_connection}) before
 *       the connection is given back, or pins;
 *   <li>{@code insert_id}, {@code rand_seed1/2} hold for the next statement only and are consumed without a report:
 *       re-applying them later would be wrong, so they pin;
 *   <li>{@code session_track_*} variables belong to the client's view ({@link ClientTrackerView}) and are never
 *       re-applied; when one is reported, the client changed the connection's trackers: {@link
 *       Applied#trackersChanged()} (Sluice sets its own again). A client's change of the list that drops the list
 *       itself is reported only as a bare state change, which pins;
 *   <li>{@code last_insert_id} (the variable, settable) is the LAST_INSERT_ID() value; an OK's last_insert_id field
 *       above 0 sets it too (a statement that generates no id leaves it);
 *   <li>not seen by any tracker, so left to the statement recognition: {@code SELECT @u:=1} / {@code SELECT ...
 *       INTO @u} (no state-change entry), {@code SET TRANSACTION ...} for the next transaction, {@code SELECT
 *       LAST_INSERT_ID(n)}, and a user variable set in the same statement as a system variable ({@code SET @u=1,
 *       sql_mode=...}: the state-change entry is then "explained" by sql_mode).
 * </ul>
 *
 * <p>The character-set variables start from the login collation (they always have a value here, never "the
 * server's default"). Not thread-safe: a session's and its connection's states live on the session's event loop.
 */
public final class SessionState {
    /** One-shot variables: consumed by the next statement without a tracker report. */
    private static final Set<String> ONE_SHOT = Set.of("insert_id", "rand_seed1", "rand_seed2");
    /** Reported but read-only: nothing to re-apply (last_gtid changes with each commit when binlogging). */
    private static final Set<String> READ_ONLY = Set.of("last_gtid", "in_transaction");

    static final String CHARACTER_SET_CLIENT = "character_set_client";
    static final String SQL_MODE = "sql_mode";
    /**
     * The sql_mode of a login with CLIENT_IGNORE_SPACE while the session has not set its own: the global value plus
     * IGNORE_SPACE (not a value the server reports; {@link SetStatement} writes it as that expression).
     */
    public static final String LOGIN_SQL_MODE_IGNORE_SPACE = "(the global sql_mode, with IGNORE_SPACE)";

    static final String CHARACTER_SET_CONNECTION = "character_set_connection";
    static final String CHARACTER_SET_RESULTS = "character_set_results";
    static final String COLLATION_CONNECTION = "collation_connection";
    static final String LAST_INSERT_ID = "last_insert_id";

    /** {@link Applied#reason()} of a bare state-change entry, a change no tracker names. */
    public static final String UNNAMED_CHANGE =
            "a session state change the trackers do not name (user variable, temporary table, prepared statement, ...)";

    private String database;
    private final Map<String, String> variables = new HashMap<>();
    private long lastInsertId;
    /**
     * The GTID of the session's last write as the server reported it ({@code last_gtid}), for causal reads; null for
     * none yet. Not state to move: a connection's copy is never compared or re-applied.
     */
    private String lastGtid;
    /** Sum of the entries' hashes, kept as they change: unequal sums mean unequal maps, at no cost. */
    private long variablesHash;
    /** Counts changes, so that a connection can tell it still holds what it copied from a session. */
    private long version;
    /** The state this one was last made a copy of ({@link #assign}), its version then, and this one's. */
    private SessionState copiedFrom;

    private long copiedVersion;
    private long versionAtCopy;
    /** {@link #parseSettings()} as of {@link #parseSettingsVersion}. */
    private String parseSettings;

    private long parseSettingsVersion = -1;

    /**
     * What a tracker OK meant for the session.
     *
     * @param movable every change can be re-applied on another connection
     * @param reason why not, when not movable (for the pin's record)
     * @param trackersChanged the statement changed the connection's {@code session_track_*} variables
     * @param readBack variables whose new value the trackers did not give (see the class comment)
     */
    public record Applied(boolean movable, String reason, boolean trackersChanged, List<String> readBack) {
        public static final Applied UNCHANGED = new Applied(true, null, false, List.of());
    }

    private SessionState() {}

    /**
     * The state of a connection that just logged in with {@code collationId} (character_set_client, _connection,
     * _results are its character set, collation_connection is it) and {@code database} (null for none).
     */
    public static SessionState atLogin(int collationId, String database) {
        return atLogin(collationId, database, false);
    }

    /**
     * As {@link #atLogin(int, String)}, for a login with CLIENT_IGNORE_SPACE ({@code ignoreSpace}): the server then
     * adds IGNORE_SPACE to the session's sql_mode, so "the login's sql_mode" is not the global value (DEFAULT) but
     * {@link #LOGIN_SQL_MODE_IGNORE_SPACE}, which a re-apply writes as the global value plus IGNORE_SPACE.
     */
    public static SessionState atLogin(int collationId, String database, boolean ignoreSpace) {
        SessionState s = new SessionState();
        if (ignoreSpace) {
            s.put(SQL_MODE, LOGIN_SQL_MODE_IGNORE_SPACE);
        }
        s.database = database;
        Collation collation = Collations.byId(collationId)
                .orElseThrow(() -> new IllegalArgumentException("unknown collation id " + collationId));
        s.put(CHARACTER_SET_CLIENT, collation.charsetName());
        s.put(CHARACTER_SET_CONNECTION, collation.charsetName());
        s.put(CHARACTER_SET_RESULTS, collation.charsetName());
        s.put(COLLATION_CONNECTION, collation.name());
        return s;
    }

    public SessionState copy() {
        SessionState s = new SessionState();
        s.assign(this);
        return s;
    }

    /**
     * Becomes a copy of {@code other}: a connection after the session's state was re-applied on it, or when the
     * session gives it back. Nothing is copied when it is a copy of {@code other} as it is already (the session
     * changed nothing on it: most give-backs).
     */
    public void assign(SessionState other) {
        if (copiedFrom == other && copiedVersion == other.version && versionAtCopy == version) {
            return;
        }
        database = other.database;
        variables.clear();
        variables.putAll(other.variables);
        variablesHash = other.variablesHash;
        lastInsertId = other.lastInsertId;
        version++;
        copiedFrom = other;
        copiedVersion = other.version;
        versionAtCopy = version;
    }

    public String database() {
        return database;
    }

    /** The value as the tracker reported it ("" for NULL of character_set_results), or null when never set. */
    public String variable(String name) {
        return variables.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The settings that decide how a statement's text parses, as one SET (for a prepared statement's context):
     * sql_mode (DEFAULT while the session never set it), the client character set, the connection's character set
     * and collation. Kept until the state changes.
     */
    public String parseSettings() {
        if (parseSettingsVersion != version || parseSettings == null) {
            List<String[]> assignments = new ArrayList<>(4);
            for (String name :
                    List.of("sql_mode", CHARACTER_SET_CLIENT, CHARACTER_SET_CONNECTION, COLLATION_CONNECTION)) {
                assignments.add(new String[] {name, variables.get(name)});
            }
            parseSettings = SetStatement.of(assignments);
            parseSettingsVersion = version;
        }
        return parseSettings;
    }

    public Map<String, String> variables() {
        return Collections.unmodifiableMap(variables);
    }

    /** The GTID of the session's last write (causal reads); null for none yet. */
    public String lastGtid() {
        return lastGtid;
    }

    public long lastInsertId() {
        return lastInsertId;
    }

    public Applied apply(OkPacket ok) {
        return apply(ok.sessionStateChanges(), ok.lastInsertId());
    }

    /** Applies one OK's tracker entries and its last_insert_id field (unsigned; 0 leaves the value). */
    public Applied apply(List<SessionStateChange> changes, long okLastInsertId) {
        if (okLastInsertId != 0 && okLastInsertId != lastInsertId) {
            lastInsertId = okLastInsertId;
            version++;
        }
        if (changes.isEmpty()) {
            return Applied.UNCHANGED;
        }
        version++;
        boolean named = false;
        boolean bareStateChange = false;
        boolean trackers = false;
        boolean charsetConnection = false;
        boolean collation = false;
        String reason = null;
        for (SessionStateChange change : changes) {
            switch (change.type()) {
                case SessionStateChange.SCHEMA -> {
                    named = true;
                    String name = change.strings().get(0);
                    database = name.isEmpty() ? null : name;
                }
                case SessionStateChange.SYSTEM_VARIABLES -> {
                    named = true;
                    List<String> nameValue = change.strings();
                    String name = nameValue.get(0).toLowerCase(Locale.ROOT);
                    String value = nameValue.size() > 1 ? nameValue.get(1) : "";
                    if (name.startsWith("session_track_")) {
                        trackers = true;
                    } else if (name.equals(LAST_INSERT_ID)) {
                        lastInsertId = Long.parseUnsignedLong(value.isEmpty() ? "0" : value);
                    } else if (name.equals("last_gtid")) {
                        if (!value.isEmpty()) {
                            lastGtid = value;
                        }
                    } else if (ONE_SHOT.contains(name)) {
                        reason = "SET " + name + " holds for the next statement on this connection only";
                    } else if (!READ_ONLY.contains(name)) {
                        put(name, value);
                        charsetConnection |= name.equals(CHARACTER_SET_CONNECTION);
                        collation |= name.equals(COLLATION_CONNECTION);
                    }
                }
                case SessionStateChange.STATE_CHANGE -> bareStateChange = true;
                case SessionStateChange.TRANSACTION_STATE, SessionStateChange.GTIDS -> {
                    // the status flags tell the transaction; GTIDs are not state to move
                }
                case SessionStateChange.TRANSACTION_CHARACTERISTICS -> {
                    if (!change.strings().isEmpty() && !change.strings().get(0).isEmpty()) {
                        reason = "transaction characteristics set for the next transaction: "
                                + change.strings().get(0);
                    }
                }
                default -> reason = "a session state change of unknown type " + change.type();
            }
        }
        if (reason == null && bareStateChange && !named) {
            reason = UNNAMED_CHANGE;
        }
        List<String> readBack = charsetConnection && !collation ? List.of(COLLATION_CONNECTION) : List.of();
        if (reason == null && !trackers && readBack.isEmpty()) {
            return Applied.UNCHANGED;
        }
        return new Applied(reason == null, reason, trackers, readBack);
    }

    /** Records a value the caller read back (see {@link Applied#readBack()}): {@code SELECT @@session.name}. */
    public void readBack(String name, String value) {
        version++;
        put(name.toLowerCase(Locale.ROOT), value == null ? "" : value);
    }

    /** The query that reads back {@code names} (one row, a column each). */
    public static String readBackQuery(List<String> names) {
        return "SELECT "
                + String.join(", ", names.stream().map(n -> "@@session." + n).toList());
    }

    /**
     * Records that {@code connection} (a connection's state) holds what this one does now, as {@link #sameAs} found,
     * without copying: a later {@link #assign} or {@link #sameAs} between the two is a few field reads while neither
     * changes.
     */
    public void heldBy(SessionState connection) {
        connection.copiedFrom = this;
        connection.copiedVersion = version;
        connection.versionAtCopy = connection.version;
    }

    /**
     * Same database, variables and last insert id: a lease needs nothing re-applied. A few field reads when {@code
     * other} is a connection last made a copy of this state and neither changed since (the session comes back to the
     * connection it left), or when they differ; a map comparison only when their hashes agree.
     */
    public boolean sameAs(SessionState other) {
        if (other.copiedFrom == this && other.copiedVersion == version && other.versionAtCopy == other.version) {
            return true;
        }
        return variablesHash == other.variablesHash
                && lastInsertId == other.lastInsertId
                && Objects.equals(database, other.database)
                && variables.equals(other.variables);
    }

    /**
     * What to send on a connection whose state is {@code connection} so that it becomes this session's: null when
     * nothing differs (the common case; compared by a running hash first), otherwise at most one COM_INIT_DB and
     * one SET (see {@link Reapply}). After they succeed, {@code connection.assign(this)}.
     */
    public Reapply reapply(SessionState connection) {
        if (sameAs(connection)) {
            return null;
        }
        if (database == null && connection.database != null) {
            return Reapply.UNFIT; // MariaDB has no way back to "no database" on a connection
        }
        String initDb = Objects.equals(database, connection.database) ? null : database;
        List<String[]> assignments = new ArrayList<>();
        for (Map.Entry<String, String> e : variables.entrySet()) {
            if (!e.getValue().equals(connection.variables.get(e.getKey()))) {
                assignments.add(new String[] {e.getKey(), e.getValue()});
            }
        }
        for (String name : connection.variables.keySet()) {
            if (!variables.containsKey(name)) {
                assignments.add(new String[] {name, null}); // back to DEFAULT
            }
        }
        if (lastInsertId != connection.lastInsertId) {
            assignments.add(new String[] {LAST_INSERT_ID, Long.toUnsignedString(lastInsertId)});
        }
        return new Reapply(initDb, SetStatement.of(assignments));
    }

    private void put(String name, String value) {
        String old = variables.put(name, value);
        if (old != null) {
            variablesHash -= entryHash(name, old);
        }
        variablesHash += entryHash(name, value);
    }

    private static long entryHash(String name, String value) {
        long h = name.hashCode() * 0x9E3779B97F4A7C15L + value.hashCode();
        h ^= h >>> 29;
        return h * 0xBF58476D1CE4E5B9L;
    }

    @Override
    public String toString() {
        return "SessionState[database=" + database + ", variables=" + variables + ", lastInsertId="
                + Long.toUnsignedString(lastInsertId) + "]";
    }
}
