package dev.sluice.proxy.session.state;

import dev.sluice.backend.SessionTracking.TrackerDefaults;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.server.SessionStateChange;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a client would learn from the server's session trackers if it were connected directly: whether it
 * negotiated CLIENT_SESSION_TRACK, and the values its own {@code session_track_*} variables have (the server's
 * global defaults at login, then whatever the client set). Sluice's connections track everything (see {@code
 * SessionTracking}); {@link OkRewriter} uses this view to cut their OKs back to what this client asked for.
 *
 * <p>Immutable: a change of the client's trackers makes a new view ({@link #withSessionValues}).
 */
public final class ClientTrackerView {
    private final boolean sessionTrack;
    private final boolean schema;
    private final boolean stateChange;
    private final boolean allVariables;
    private final String systemVariables;
    private final Set<String> variables;
    private final String transactionInfo;
    private final Map<String, Integer> rank;
    private final List<String> order;

    private ClientTrackerView(
            boolean sessionTrack,
            boolean schema,
            boolean stateChange,
            String systemVariables,
            String transactionInfo,
            List<String> order) {
        this.sessionTrack = sessionTrack;
        this.schema = schema;
        this.stateChange = stateChange;
        this.systemVariables = systemVariables == null ? "" : systemVariables;
        String list = this.systemVariables.toLowerCase(Locale.ROOT);
        this.variables = Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.allVariables = variables.contains("*");
        this.transactionInfo = transactionInfo == null ? "OFF" : transactionInfo.toUpperCase(Locale.ROOT);
        Map<String, Integer> r = new HashMap<>();
        for (String name : order) {
            r.putIfAbsent(name.toLowerCase(Locale.ROOT), r.size());
        }
        this.rank = Map.copyOf(r);
        this.order = List.copyOf(order);
    }

    /** The view of a client that just logged in with {@code clientCapabilities} to a server with these defaults. */
    public static ClientTrackerView atLogin(long clientCapabilities, TrackerDefaults defaults) {
        return new ClientTrackerView(
                Capability.has(clientCapabilities, Capability.CLIENT_SESSION_TRACK),
                defaults.schema(),
                defaults.stateChange(),
                defaults.systemVariables(),
                defaults.transactionInfo(),
                defaults.order());
    }

    /**
     * The view after the client set its own trackers, from their session values as read back on the connection
     * ({@code SELECT @@session.session_track_schema, ...}); {@code order} as learned by {@code
     * SessionTracking.orderProbe()} while the client's list was in place after the client set it, or {@link
     * #order()} when the statement did not set the list, or empty.
     */
    public ClientTrackerView withSessionValues(
            boolean schema, boolean stateChange, String systemVariables, String transactionInfo, List<String> order) {
        return new ClientTrackerView(sessionTrack, schema, stateChange, systemVariables, transactionInfo, order);
    }

    public boolean sessionTrack() {
        return sessionTrack;
    }

    /** The order the server reports the client's list in, as learned (empty when unknown or for {@code *}). */
    public List<String> order() {
        return order;
    }

    /**
     * The statement that gives a connection this client's trackers (transaction info aside: Sluice leaves it as the
     * server has it). A client statement that changes its own trackers runs under them, so that it reads and changes
     * what it would directly ({@code CONCAT(@@session_track_system_variables, ...)}, as MariaDB Connector/J sends at
     * connect, reads the client's list, not Sluice's {@code *}); its OK is then already in the client's form.
     * Afterwards the session reads the new values back ({@code SessionTracking.SESSION_VALUES}, then {@link
     * #withSessionValues}) and sets Sluice's trackers again ({@code SessionTracking.TRACKERS_ON}), all pipelined.
     */
    public String applyStatement() {
        return "SET session_track_schema=" + (schema ? "ON" : "OFF") + ", session_track_state_change="
                + (stateChange ? "ON" : "OFF") + ", session_track_system_variables="
                + SetStatement.value("session_track_system_variables", systemVariables);
    }

    /** This client's view with its own trackers in place on the connection: only the capability is translated. */
    public ClientTrackerView asReported() {
        return asReported(false);
    }

    /**
     * As {@link #asReported()}; with {@code inOrder}, several variables of one OK are also put in this view's learned
     * order: the list Sluice puts in place for the client is the server's spelling of it, whose order can differ from
     * the client's own spelling (MariaDB orders by its hash of the list as it was set).
     */
    public ClientTrackerView asReported(boolean inOrder) {
        return new ClientTrackerView(sessionTrack, true, true, "*", transactionInfo, inOrder ? order : List.of());
    }

    /** Whether this client's trackers would report {@code change}. */
    public boolean reports(SessionStateChange change) {
        return change.type() == SessionStateChange.SYSTEM_VARIABLES
                ? reportsVariable(variableName(change))
                : reportsType(change.type());
    }

    /** Whether this client's trackers would report a change of the variable {@code name} (lower case). */
    boolean reportsVariable(String name) {
        return allVariables || variables.contains(name);
    }

    /** Whether this client's trackers would report an entry of {@code type} other than a system variable. */
    boolean reportsType(int type) {
        return switch (type) {
            case SessionStateChange.SCHEMA -> schema;
            case SessionStateChange.STATE_CHANGE -> stateChange;
            case SessionStateChange.TRANSACTION_STATE -> !"OFF".equals(transactionInfo);
            case SessionStateChange.TRANSACTION_CHARACTERISTICS -> "CHARACTERISTICS".equals(transactionInfo);
            default -> false; // GTIDS: MariaDB does not send them; anything newer the client did not ask for
        };
    }

    /**
     * Whether this client sees exactly what Sluice's trackers report (CLIENT_SESSION_TRACK, schema and state-change
     * on, every variable, no order to restore): its OKs need no rewrite at all. Transaction info is left as the server has it on both.
     */
    public boolean seesEverything() {
        return sessionTrack && schema && stateChange && allVariables && rank.isEmpty();
    }

    /**
     * Where the server would put variable {@code name} among several reported in one OK to this client, or {@link
     * Integer#MAX_VALUE} when unknown: MariaDB lists them in the order of its internal hash of the tracker list,
     * which differs between Sluice's {@code *} and the client's list.
     */
    int rank(String name) {
        return rank.getOrDefault(name, Integer.MAX_VALUE);
    }

    boolean ordered() {
        return !rank.isEmpty(); // empty for a list of '*' (no order to learn)
    }

    static String variableName(SessionStateChange change) {
        byte[] data = change.data();
        if (data.length == 0 || (data[0] & 0xFF) >= 0xFB) {
            return "";
        }
        int length = data[0] & 0xFF;
        return new String(data, 1, Math.min(length, data.length - 1), java.nio.charset.StandardCharsets.UTF_8)
                .toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "ClientTrackerView[sessionTrack=" + sessionTrack + ", schema=" + schema + ", stateChange=" + stateChange
                + ", variables=" + (allVariables ? "*" : variables) + ", transactionInfo=" + transactionInfo + "]";
    }
}
