package dev.sluice.backend.topology;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares each new {@link Topology} with the conditions seen before and logs each change once, with its reason
 * (a server polled every half second that stays down is one warning, not one a poll), and counts it by kind for
 * metrics. Not thread-safe: the monitor calls it under its own lock.
 */
final class TopologyChanges {
    private static final Logger LOG = LoggerFactory.getLogger(TopologyMonitor.class);

    private final long maxLagSeconds;
    private final Map<String, ServerCondition> conditions = new HashMap<>();
    private final Map<TopologyChange, LongAdder> counts = new EnumMap<>(TopologyChange.class);
    private boolean conflict;

    TopologyChanges(long maxLagSeconds) {
        this.maxLagSeconds = maxLagSeconds;
        for (TopologyChange kind : TopologyChange.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    /** Logs and counts what changed with {@code polled}, the server whose poll made {@code topology}. */
    void observe(Topology topology, ServerState polled) {
        ServerCondition after = ServerCondition.of(polled, maxLagSeconds);
        ServerCondition before = conditions.put(polled.name(), after);
        if (before != after) {
            changed(topology, polled, before, after);
        }
        boolean nowConflict = topology.writerConflict();
        if (nowConflict != conflict) {
            conflict = nowConflict;
            List<String> writers =
                    topology.writers().stream().map(ServerState::name).toList();
            if (nowConflict) {
                increment(TopologyChange.WRITER_CONFLICT);
                LOG.error(
                        "two writers: servers {} all have read_only=OFF; no server is the writer until only one"
                                + " remains (Sluice sends writes to none of them: no split brain)",
                        writers);
            } else {
                increment(TopologyChange.WRITER_CONFLICT_RESOLVED);
                LOG.warn("writer conflict over: writable servers now {}", writers);
            }
        }
    }

    long count(TopologyChange kind) {
        return counts.get(kind).sum();
    }

    private void increment(TopologyChange kind) {
        counts.get(kind).increment();
    }

    private void changed(Topology topology, ServerState state, ServerCondition before, ServerCondition after) {
        if (before == ServerCondition.UNREACHABLE) {
            increment(TopologyChange.UP);
        }
        TopologyChange kind = TopologyChange.entering(before, after);
        increment(kind);
        String from = before == null
                ? "first poll"
                : before.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        String message = "server {}: {} -> {}: {}";
        String to = after.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        String why = reason(topology, state, after);
        if (after == ServerCondition.UNREACHABLE
                || after == ServerCondition.REPLICATION_STOPPED
                || after == ServerCondition.LAGGING) {
            LOG.warn(message, state.server(), from, to, why);
        } else {
            LOG.info(message, state.server(), from, to, why);
        }
    }

    private String reason(Topology topology, ServerState state, ServerCondition condition) {
        ReplicationStatus replication = state.replication();
        return switch (condition) {
            case UNREACHABLE -> state.failure();
            case WRITER ->
                "read_only=OFF, gtid_binlog_pos " + state.binlogPos()
                        + (replication == null ? "" : " (and still a replica: " + replication + ")");
            case READER -> replication + ", within " + maxLagSeconds + " s" + behind(topology, state);
            case LAGGING ->
                (replication.secondsBehindMaster() == null
                                ? "lag unknown (Seconds_Behind_Master NULL)"
                                : "Seconds_Behind_Master " + replication.secondsBehindMaster() + " above "
                                        + maxLagSeconds + " s")
                        + behind(topology, state);
            case REPLICATION_STOPPED -> replication.stoppedReason() + behind(topology, state);
            case READ_ONLY -> "read_only=ON and replicating from nobody";
        };
    }

    private static String behind(Topology topology, ServerState state) {
        OptionalLong behind = topology.transactionsBehindWriter(state.name());
        return behind.isPresent() ? "; " + behind.getAsLong() + " transactions behind the writer by GTID" : "";
    }
}
