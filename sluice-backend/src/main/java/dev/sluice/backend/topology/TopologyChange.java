package dev.sluice.backend.topology;

/** The kinds of change the monitor logs and counts ({@link TopologyMonitor#changeCount}). */
public enum TopologyChange {
    /** A server stopped answering. */
    DOWN,
    /** A server answers again after being unreachable. */
    UP,
    /** A server became writable (read_only=OFF). */
    BECAME_WRITER,
    /** A replica became eligible for reads (not counted when it was lagging before: that is {@link #CAUGHT_UP}). */
    BECAME_READER,
    /** A replica fell above the lag limit, or its lag became unknown. */
    LAGGING,
    /** A lagging replica is within the limit again. */
    CAUGHT_UP,
    /** A replica's IO or SQL thread stopped. */
    REPLICATION_STOPPED,
    /** A server became read-only without replicating from anyone. */
    BECAME_READ_ONLY,
    /** Two or more servers are writable at once. */
    WRITER_CONFLICT,
    /** The conflict is over: at most one writer again. */
    WRITER_CONFLICT_RESOLVED;

    /** The change of one server from {@code before} (null: first poll) to {@code after}, which differ. */
    static TopologyChange entering(ServerCondition before, ServerCondition after) {
        return switch (after) {
            case UNREACHABLE -> DOWN;
            case WRITER -> BECAME_WRITER;
            case READER -> before == ServerCondition.LAGGING ? CAUGHT_UP : BECAME_READER;
            case LAGGING -> LAGGING;
            case REPLICATION_STOPPED -> REPLICATION_STOPPED;
            case READ_ONLY -> BECAME_READ_ONLY;
        };
    }
}
