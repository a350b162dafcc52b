package dev.sluice.backend;

import dev.sluice.protocol.message.client.ComQuery;
import java.util.List;
import java.util.Locale;

/**
 * The server's session trackers on Sluice's own connections, for sessions that move between connections (issue
 * 11): with {@link ConnectOptions#sessionTracking()} on, a connection asks for CLIENT_SESSION_TRACK whatever its
 * client asked for, and its set-up turns on the trackers that tell Sluice every change of database and system
 * variable, and any other change of session state (user variables, temporary tables, ...: a bare state-change
 * entry), in the OK that ends the statement. What a client sees of them is rebuilt by the proxy from the client's
 * own view ({@code ClientTrackerView}), which starts from the server's global defaults learned here.
 *
 * <p>{@code session_track_transaction_info} stays as the server has it (OFF by default): on MariaDB 10.11 its STATE
 * level adds an entry to the OK of every statement inside a transaction ({@code T___W___}, ...), which the status
 * flags IN_TRANS / IN_TRANS_READONLY already tell, so every OK in a transaction would need a rewrite; and
 * CHARACTERISTICS (which also reports {@code SET TRANSACTION ...} for the next transaction only, invisible to the
 * other trackers) includes STATE. The proxy recognises {@code SET TRANSACTION} itself instead.
 */
public final class SessionTracking {
    /** What Sluice's connections track: everything, so that nothing of a session's state changes unseen. */
    public static final String TRACKERS_ON =
            "SET session_track_schema=ON, session_track_state_change=ON, session_track_system_variables='*'";

    /** The global values a direct client starts with (the set-up reads them in the same round trip). */
    public static final String GLOBAL_DEFAULTS_COLUMNS = "@@global.session_track_schema,"
            + " @@global.session_track_state_change, @@global.session_track_system_variables,"
            + " @@global.session_track_transaction_info";

    /**
     * Reads a session's own tracker settings back, after a client's statement changed them ({@code SET
     * session_track_...}): the client's new view; Sluice then sets {@link #TRACKERS_ON} again.
     */
    public static final String SESSION_VALUES = "SELECT @@session.session_track_schema,"
            + " @@session.session_track_state_change, @@session.session_track_system_variables,"
            + " @@session.session_track_transaction_info";

    private SessionTracking() {}

    /**
     * The server's global tracker settings: what a client connecting directly would have before it changes any.
     *
     * @param systemVariables as the server spells the list, e.g. {@code
     *     autocommit,character_set_client,character_set_connection,character_set_results,time_zone}
     * @param transactionInfo OFF, STATE or CHARACTERISTICS
     * @param order the global list's variables in the order the server reports them in an OK when several change in
     *     one statement (learned at set-up; empty when it could not be learned): it follows the server's internal
     *     hash of the list, not the list's spelling
     */
    public record TrackerDefaults(
            boolean schema, boolean stateChange, String systemVariables, String transactionInfo, List<String> order) {
        public TrackerDefaults {
            systemVariables = systemVariables == null ? "" : systemVariables;
            transactionInfo = transactionInfo == null ? "OFF" : transactionInfo.toUpperCase(Locale.ROOT);
            order = List.copyOf(order);
        }

        /** MariaDB 10.11's compiled-in defaults, for a server that could not be asked. */
        public static TrackerDefaults mariaDbDefaults() {
            return new TrackerDefaults(
                    true,
                    false,
                    "autocommit,character_set_client,character_set_connection,character_set_results,time_zone",
                    "OFF",
                    List.of());
        }
    }

    /**
     * The commands that learn in which order the server reports the variables of the tracker list {@code
     * listExpression} (an SQL expression such as {@code @@global.session_track_system_variables}): the list is put
     * in place, then {@link #orderProbe()}. Pipelined; the second command fails (and only it) when the list holds
     * {@code *}, nothing, or a variable that cannot be set. The caller sets its own trackers again afterwards.
     */
    public static List<ComQuery> orderProbe(String listExpression) {
        return List.of(ComQuery.of("SET session_track_system_variables=" + listExpression), orderProbe());
    }

    /**
     * Sets every variable of the connection's current tracker list to its own value in one statement, whose OK then
     * names them all in the server's order. That order follows MariaDB's internal hash of the list as it was set
     * (the variables' addresses in the server, and the spelling's order): a list read back ({@code SELECT
     * @@session_track_system_variables} gives it sorted) and set again may come out in another order, so after a
     * client set its own list, this runs while the client's list is still in place.
     */
    public static ComQuery orderProbe() {
        return ComQuery.of("EXECUTE IMMEDIATE CONCAT('SET ', REGEXP_REPLACE(@@session.session_track_system_variables,"
                + " '([A-Za-z0-9_]+)', '\\\\1=@@\\\\1'), '" + KEEP_COLLATIONS + "')");
    }

    /**
     * Appended to the probe's SET: setting a character set to itself resets its collation to the set's default
     * ({@code character_set_connection} in MariaDB Connector/J's list would turn a client's {@code utf8mb4_bin} into
     * {@code utf8mb4_general_ci}); the values of a SET are read before any is assigned, so these put the collations
     * back as they were. Not in the list, they are not reported, and the order of the others does not depend on
     * where an assignment stands in the statement.
     */
    private static final String KEEP_COLLATIONS = ", collation_connection=@@collation_connection,"
            + " collation_database=@@collation_database, collation_server=@@collation_server";

    /** The variable names of a probe's OK, in the order the server reported them. */
    public static List<String> orderOf(QueryResult probe) {
        return probe.ok().sessionStateChanges().stream()
                .filter(c -> c.type() == dev.sluice.protocol.message.server.SessionStateChange.SYSTEM_VARIABLES)
                .map(c -> c.strings().get(0).toLowerCase(Locale.ROOT))
                .toList();
    }
}
