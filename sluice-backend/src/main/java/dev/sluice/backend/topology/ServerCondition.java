package dev.sluice.backend.topology;

/**
 * What a server is good for, as far as routing cares: the state whose changes the monitor logs once and counts.
 * Derived from a {@link ServerState} and the lag limit.
 */
public enum ServerCondition {
    /** The last poll got no answer. */
    UNREACHABLE,
    /** read_only=OFF (also a replica that was made writable: that is a writer too). */
    WRITER,
    /** A replica with both threads running and within the lag limit. */
    READER,
    /** A replica with both threads running, above the lag limit or with an unknown lag (NULL). */
    LAGGING,
    /** A replica with its IO or SQL thread stopped. */
    REPLICATION_STOPPED,
    /** read_only=ON and replicating from nobody: neither writer nor reader (e.g. a demoted primary). */
    READ_ONLY;

    public static ServerCondition of(ServerState state, long maxLagSeconds) {
        if (!state.reachable()) {
            return UNREACHABLE;
        }
        if (!state.readOnly()) {
            return WRITER;
        }
        if (state.replication() == null) {
            return READ_ONLY;
        }
        if (!state.replication().running()) {
            return REPLICATION_STOPPED;
        }
        return state.withinLag(maxLagSeconds) ? READER : LAGGING;
    }
}
