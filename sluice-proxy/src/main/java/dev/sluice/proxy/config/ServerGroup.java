package dev.sluice.proxy.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A named set of servers with one role. The writer group lists the servers that may be the writer (in order of
 * preference: until the topology monitor exists, sessions use the first); a reader group lists replicas that may
 * serve reads. A server may be in the writer group and in reader groups (a primary that also takes reads).
 *
 * @param servers names of {@link ServerConfig}s, at least one, no repeats
 * @param maxReplicationLag reader groups: a replica further behind takes no reads; null for no limit (and always
 *     null for the writer group)
 * @param balance reader groups: how reads are spread; null for the writer group
 */
public record ServerGroup(
        String name, GroupRole role, List<String> servers, Duration maxReplicationLag, Balance balance) {
    /**
     * A limit that keeps reads off a replica minutes behind, yet several health-check intervals (2s) wide so that
     * the lag of one long transaction being applied does not flip reads to the writer and back at every poll.
     */
    public static final Duration DEFAULT_MAX_REPLICATION_LAG = Duration.ofSeconds(10);

    public static final Balance DEFAULT_BALANCE = Balance.LEAST_CONNECTIONS;

    public ServerGroup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("group '" + name + "': at least one server is required");
        }
        if (new HashSet<>(servers).size() != servers.size()) {
            throw new IllegalArgumentException("group '" + name + "': a server is listed twice: " + servers);
        }
        if (role == GroupRole.WRITER && (maxReplicationLag != null || balance != null)) {
            throw new IllegalArgumentException(
                    "group '" + name + "': max-replication-lag and balance are for reader groups only");
        }
        if (role == GroupRole.READER) {
            Objects.requireNonNull(balance, "balance");
            if (maxReplicationLag != null && (maxReplicationLag.isNegative() || maxReplicationLag.isZero())) {
                throw new IllegalArgumentException(
                        "group '" + name + "': max-replication-lag must be more than 0 (or null for no limit)");
            }
        }
    }

    public static ServerGroup writer(String name, List<String> servers) {
        return new ServerGroup(name, GroupRole.WRITER, servers, null, null);
    }

    /** A reader group with the default lag limit and balance. */
    public static ServerGroup reader(String name, List<String> servers) {
        return new ServerGroup(name, GroupRole.READER, servers, DEFAULT_MAX_REPLICATION_LAG, DEFAULT_BALANCE);
    }

    public boolean isWriter() {
        return role == GroupRole.WRITER;
    }
}
