package dev.sluice.proxy.session.state;

import dev.sluice.backend.SessionTracking;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One client statement that names its own trackers ({@code session_track_*}: a SET of them, or a read), run on a
 * shared connection without pinning the session (transaction mode). The steps, each a write of Sluice's own on the
 * session's connection:
 *
 * <ol>
 *   <li>{@link #handOver()}: the client's trackers go on the connection, so that the statement reads and changes
 *       what it would directly ({@code CONCAT(@@session_track_system_variables, ...)}, as MariaDB Connector/J sends at
 *       connect, reads the client's list, not Sluice's {@code *});
 *   <li>the client's statement, relayed as the server answers it under the client's trackers ({@link #during()}:
 *       only the capability is translated); its OKs still go to the session's state;
 *   <li>{@link #readBack()}: the client's new tracker values ({@code SessionTracking.SESSION_VALUES}), the order the
 *       server lists the new list's variables in ({@code SessionTracking.orderProbe()}, while the client's own
 *       spelling of the list is in place: MariaDB's order follows the spelling it was given, a list read back and set
 *       again may come out in another order), and the variables the statement assigned outside the client's list (no
 *       tracker of the client's reported them: {@link SetTargets});
 *   <li>with all of it read, {@link #learn} gives the client's new view, and {@code SessionTracking.TRACKERS_ON}
 *       puts Sluice's trackers back: the connection is like any other pooled one, and the session is not pinned.
 * </ol>
 *
 * <p>Only statements whose every effect a read-back covers take this path ({@link #of} returns null for the others,
 * and the session pins as before, {@code tracker-settings}): a SET of session variables ({@link SetTargets#of}, no
 * user variable, no {@code SET TRANSACTION} for the next transaction, no one-shot {@code insert_id} / {@code
 * rand_seed}), or one plain SELECT (a read of the trackers). Anything that fails on the way pins too: never a wrong
 * answer.
 */
public final class TrackerHandBack {
    /** Variables a read-back cannot move: they hold for the next statement only, or cannot be set. */
    private static final Set<String> NOT_MOVABLE = Set.of(
            "insert_id", "rand_seed1", "rand_seed2", "last_insert_id", "last_gtid", "in_transaction", "identity");

    private final ClientTrackerView view;
    private final SetTargets.Targets targets;

    private TrackerHandBack(ClientTrackerView view, SetTargets.Targets targets) {
        this.view = view;
        this.targets = targets;
    }

    /** The hand-back of statement {@code sql} under the client's {@code view}, or null when it must pin instead. */
    public static TrackerHandBack of(String sql, ClientTrackerView view) {
        if (view == null) {
            return null;
        }
        SetTargets.Targets targets = SetTargets.of(sql);
        if (targets == null) {
            return plainSelect(sql) ? new TrackerHandBack(view, null) : null;
        }
        if (!targets.movable()) {
            return null;
        }
        for (String name : targets.variables()) {
            if (NOT_MOVABLE.contains(name)) {
                return null;
            }
        }
        return new TrackerHandBack(view, targets);
    }

    /** One statement starting with SELECT, no {@code ;} outside strings and comments, no INTO. */
    private static boolean plainSelect(String sql) {
        List<String> tokens = SetTargets.tokens(sql);
        if (tokens.isEmpty() || !tokens.get(0).equalsIgnoreCase("SELECT")) {
            return false;
        }
        for (String token : tokens) {
            if (token.equals(";") || token.equalsIgnoreCase("INTO")) {
                return false;
            }
        }
        return true;
    }

    /** Whether the statement is a SET: every change it makes is a variable it names (read back afterwards). */
    public boolean isSet() {
        return targets != null;
    }

    /** The statement that puts the client's trackers on the connection before its statement. */
    public String handOver() {
        return view.applyStatement();
    }

    /**
     * What the client gets of the statement's OKs while its own trackers are on the connection: as the server sends
     * them, in the client's learned order unless the statement sets the list (it then runs under the client's own
     * spelling of it, as directly).
     */
    public ClientTrackerView during() {
        return view.asReported(!setsList());
    }

    /**
     * The queries to send after the client's statement, pipelined, with the client's trackers still in place: the
     * tracker values, the order probe when the statement set the list, the variables it assigned (plus {@code more},
     * what the session's trackers asked to be read back).
     */
    public List<String> readBack(List<String> more) {
        List<String> queries = new ArrayList<>(3);
        queries.add(SessionTracking.SESSION_VALUES);
        if (setsList()) {
            queries.add(SessionTracking.orderProbe().sql());
        }
        List<String> names = variables(more);
        if (!names.isEmpty()) {
            queries.add(SessionState.readBackQuery(names));
        }
        return queries;
    }

    /** The variables {@link #readBack} reads, in its query's column order. */
    public List<String> variables(List<String> more) {
        List<String> names = new ArrayList<>(targets != null ? targets.variables() : List.of());
        for (String name : more) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** Whether {@link #readBack} probes the order of the new list (the statement set it). */
    public boolean probes() {
        return setsList();
    }

    private boolean setsList() {
        return targets != null && targets.setsTrackerList();
    }

    /**
     * The client's view from what {@link #readBack} read, or null when it cannot be known (the caller pins).
     *
     * @param values the row of {@code SESSION_VALUES}
     * @param order the variables the order probe's OK named, in its order; null when the probe failed
     */
    public ClientTrackerView learn(List<String> values, List<String> order) {
        if (values == null || values.size() != 4) {
            return null;
        }
        String list = values.get(2) == null ? "" : values.get(2);
        List<String> learned = view.order();
        if (setsList()) {
            boolean noOrder = list.isBlank() || list.contains("*");
            if (order == null && !noOrder) {
                return null; // the list names a variable the probe could not set: its order is unknown
            }
            learned = order == null ? List.of() : lower(order);
        }
        return view.withSessionValues(on(values.get(0)), on(values.get(1)), list, values.get(3), learned);
    }

    private static boolean on(String value) {
        return "1".equals(value) || "ON".equalsIgnoreCase(value);
    }

    private static List<String> lower(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }
}
