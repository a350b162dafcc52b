package dev.sluice.proxy.admin;

import dev.sluice.backend.pool.HealthMonitor;
import dev.sluice.backend.pool.Pools;
import dev.sluice.backend.topology.ServerState;
import dev.sluice.backend.topology.Topology;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.ops.OpsTable;
import dev.sluice.proxy.routing.Router;
import java.util.HashMap;
import java.util.Map;

/** {@code SHOW SERVERS}, {@code /api/servers}: each configured server, its role, health, admin state and connections. */
final class ServersTable {
    private ServersTable() {}

    static OpsTable build(AdminContext admin) {
        Router router = admin.proxy().router();
        Pools pools = admin.proxy().pools();
        Topology topology = router.topology();
        ServerConfig writer = router.writer();
        Map<String, int[]> counts = new HashMap<>(); // leased, idle, waiting
        pools.forEach((key, pool) -> {
            int[] c = counts.computeIfAbsent(key.server(), k -> new int[3]);
            c[0] += pool.leasedCount();
            c[1] += pool.idleCount();
            c[2] += pool.waitingCount();
        });
        OpsTable.Builder t = OpsTable.builder()
                .text("name", "address", "role", "state", "admin_state")
                .integer(
                        "lag_seconds", "connections_open", "connections_leased", "connections_idle", "clients_waiting");
        for (ServerConfig s : admin.proxy().config().servers()) {
            ServerState polled =
                    topology == null ? null : topology.server(s.name()).orElse(null);
            int[] c = counts.getOrDefault(s.name(), new int[3]);
            t.row(
                    s.name(),
                    s.address(),
                    role(s, writer, topology, polled),
                    state(pools.health(s.name()), polled),
                    router.adminStates().state(s.name()).name(),
                    polled != null && polled.replication() != null
                            ? polled.replication().secondsBehindMaster()
                            : null,
                    pools.openCount(s.name()),
                    c[0],
                    c[1],
                    c[2]);
        }
        return t.build();
    }

    /**
     * writer (the one statements that write go to), replica (replicating from another server), read-only (reachable,
     * read_only, replicating from nobody), unreachable (the monitor's last poll failed), or none (not used: without a
     * monitor only the writer group's first server takes statements).
     */
    private static String role(ServerConfig s, ServerConfig writer, Topology topology, ServerState polled) {
        if (writer != null && writer.name().equals(s.name())) {
            return "writer";
        }
        if (topology == null || polled == null) {
            return "none";
        }
        if (!polled.reachable()) {
            return "unreachable";
        }
        return polled.replica() ? "replica" : polled.writable() ? "writable" : "read-only";
    }

    /** up or down by the pool's health check (full: up, refusing logins as full); unknown before the first check. */
    private static String state(HealthMonitor health, ServerState polled) {
        if (health == null) {
            return polled == null ? "unknown" : polled.reachable() ? "up" : "down";
        }
        if (health.isDown()) {
            return "down";
        }
        return health.isFull() ? "full" : "up";
    }
}
