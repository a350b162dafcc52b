package dev.sluice.proxy.admin;

import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.backend.pool.Pools;
import dev.sluice.protocol.charset.Collations;
import dev.sluice.proxy.ops.OpsTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code SHOW POOLS}, {@code /api/pools}: one row per pool (server connections are pooled per server, server user,
 * database, collation and capabilities), with its sizes now, and the counters of its server.
 */
final class PoolsTable {
    private PoolsTable() {}

    private record Row(Pools.Key key, int open, int leased, int idle, int waiting) {}

    static OpsTable build(AdminContext admin) {
        Pools pools = admin.proxy().pools();
        PoolSettings settings = pools.settings();
        List<Row> rows = new ArrayList<>();
        pools.forEach((key, pool) ->
                rows.add(new Row(key, pool.openCount(), pool.leasedCount(), pool.idleCount(), pool.waitingCount())));
        rows.sort(Comparator.comparing((Row r) -> r.key().server())
                .thenComparing(r -> r.key().user())
                .thenComparing(r -> String.valueOf(r.key().database())));
        OpsTable.Builder t = OpsTable.builder()
                .text("server", "user", "database", "collation", "capabilities")
                .integer(
                        "open",
                        "leased",
                        "idle",
                        "waiting",
                        "max_size",
                        "server_acquire_waits",
                        "server_acquire_timeouts");
        for (Row r : rows) {
            var stats = pools.stats(r.key().server());
            t.row(
                    r.key().server(),
                    r.key().user(),
                    r.key().database(),
                    collation(r.key().collationId()),
                    "0x" + Long.toHexString(r.key().capabilities()),
                    r.open(),
                    r.leased(),
                    r.idle(),
                    r.waiting(),
                    settings.maxSize() == 0 ? null : (long) settings.maxSize(),
                    stats.acquireWaitCount(),
                    stats.acquireTimeoutCount());
        }
        return t.build();
    }

    private static String collation(int id) {
        return Collations.byId(id).map(c -> c.name()).orElse(String.valueOf(id));
    }
}
