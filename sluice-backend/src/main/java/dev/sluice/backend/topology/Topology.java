package dev.sluice.backend.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An immutable snapshot of the servers' roles as the {@link TopologyMonitor} last polled them, and the routing facts
 * derived from it: which server takes writes, which take reads.
 *
 * <p>The writer is the one reachable server with read_only=OFF. Two or more such servers are a {@link
 * #writerConflict() conflict}: {@link #writer()} is then empty, so that nothing is written anywhere until an operator
 * resolves it (two servers taking writes through Sluice would be split brain).
 *
 * @param servers every monitored server, in the order given to the monitor
 * @param at when this snapshot was made (each server's own poll time is in its state)
 */
public record Topology(List<ServerState> servers, Instant at) {
    public Topology {
        servers = List.copyOf(servers);
    }

    /** Every reachable server with read_only=OFF. */
    public List<ServerState> writers() {
        return servers.stream().filter(ServerState::writable).toList();
    }

    /** The writer when exactly one server is writable; empty when none is, or during a {@link #writerConflict()}. */
    public Optional<ServerState> writer() {
        List<ServerState> writers = writers();
        return writers.size() == 1 ? Optional.of(writers.get(0)) : Optional.empty();
    }

    /** More than one reachable server has read_only=OFF: no writer until only one remains. */
    public boolean writerConflict() {
        return writers().size() > 1;
    }

    /**
     * The servers that may take reads: reachable replicas with both replication threads running and
     * Seconds_Behind_Master at most {@code maxLag} (whole seconds, as the server counts). A replica whose
     * Seconds_Behind_Master is NULL has an unknown lag and is not eligible.
     */
    public List<ServerState> readers(Duration maxLag) {
        long maxSeconds = maxLag.toSeconds();
        return servers.stream().filter(s -> s.withinLag(maxSeconds)).toList();
    }

    /** The state of the server of this name. */
    public Optional<ServerState> server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * How many transactions a reachable server lacks of the writer's {@code @@gtid_binlog_pos}, by its
     * {@code @@gtid_current_pos} (see {@link GtidPosition#transactionsBehind}); a measure of lag that also works
     * while the SQL thread is stopped. Empty without a single writer or when the server is unreachable; 0 for the
     * writer itself.
     */
    public OptionalLong transactionsBehindWriter(String name) {
        Optional<ServerState> writer = writer();
        Optional<ServerState> server = server(name).filter(ServerState::reachable);
        if (writer.isEmpty() || server.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(
                server.get().currentPos().transactionsBehind(writer.get().binlogPos()));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("topology at ").append(at).append(':');
        for (ServerState s : servers) {
            text.append(' ').append(s.name()).append('=');
            if (!s.reachable()) {
                text.append("unreachable(").append(s.failure()).append(')');
            } else {
                text.append(s.readOnly() ? "ro" : "rw")
                        .append(s.replication() == null ? "" : "," + s.replication())
                        .append(",gtid ")
                        .append(s.currentPos());
            }
            text.append(';');
        }
        return text.toString();
    }
}
