package dev.sluice.backend.topology;

import java.time.Instant;
import java.util.Objects;

/**
 * One server as its last poll found it. A server that could not be polled is unreachable, with the reason; its other
 * fields then say nothing (read_only true, no replication, empty positions) so that no derivation can take it for a
 * writer or a reader.
 *
 * @param server which server
 * @param reachable the last poll got its answers within the deadline
 * @param failure why it is unreachable ("no answer within 500 ms", the connect error, ...); "" when reachable
 * @param readOnly {@code @@global.read_only}
 * @param replication {@code SHOW SLAVE STATUS}; null when the server replicates from nobody
 * @param binlogPos {@code @@gtid_binlog_pos}: what it wrote to its binary log (a writer's position)
 * @param slavePos {@code @@gtid_slave_pos}: what its replication applied
 * @param currentPos {@code @@gtid_current_pos}: per domain the later of the two, what a replica is compared by
 * @param polledAt when the poll that produced this state ended
 */
public record ServerState(
        MonitoredServer server,
        boolean reachable,
        String failure,
        boolean readOnly,
        ReplicationStatus replication,
        GtidPosition binlogPos,
        GtidPosition slavePos,
        GtidPosition currentPos,
        Instant polledAt) {

    public ServerState {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(polledAt, "polledAt");
        failure = failure == null ? "" : failure;
        binlogPos = binlogPos == null ? GtidPosition.EMPTY : binlogPos;
        slavePos = slavePos == null ? GtidPosition.EMPTY : slavePos;
        currentPos = currentPos == null ? GtidPosition.EMPTY : currentPos;
    }

    /** A server the poll did not reach, and why. */
    public static ServerState unreachable(MonitoredServer server, String failure, Instant at) {
        return new ServerState(server, false, failure, true, null, null, null, null, at);
    }

    /** A server not polled yet: unreachable until its first answer. */
    static ServerState notPolledYet(MonitoredServer server, Instant at) {
        return unreachable(server, "not polled yet", at);
    }

    public String name() {
        return server.name();
    }

    /** Reachable and read_only=OFF: it takes writes. */
    public boolean writable() {
        return reachable && !readOnly;
    }

    /** Reachable and has a replication status ({@code SHOW SLAVE STATUS} returned a row). */
    public boolean replica() {
        return reachable && replication != null;
    }

    /** A replica with both threads running. */
    public boolean replicating() {
        return replica() && replication.running();
    }

    /**
     * A replica within {@code maxLagSeconds} by Seconds_Behind_Master, with both threads running; a NULL
     * Seconds_Behind_Master (lag unknown) is not within any limit.
     */
    public boolean withinLag(long maxLagSeconds) {
        return replicating()
                && replication.secondsBehindMaster() != null
                && replication.secondsBehindMaster() <= maxLagSeconds;
    }
}
