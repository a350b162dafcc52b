package dev.sluice.proxy.admin;

import dev.sluice.proxy.ops.OpsTable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The tables both faces of the admin data show: the admin interface's {@code SHOW SERVERS|POOLS|SESSIONS|CONFIG}
 * and the HTTP listener's {@code /api/servers|pools|sessions|config}. Each is built once per request, from the same
 * code, whichever asks.
 */
public final class AdminTables {
    private final AdminContext admin;

    public AdminTables(AdminContext admin) {
        this.admin = admin;
    }

    public CompletableFuture<OpsTable> servers() {
        return now(() -> ServersTable.build(admin));
    }

    public CompletableFuture<OpsTable> pools() {
        return now(() -> PoolsTable.build(admin));
    }

    public CompletableFuture<OpsTable> sessions() {
        return SessionsTable.build(admin);
    }

    public CompletableFuture<OpsTable> config() {
        return now(() -> ConfigTable.build(admin.proxy().config()));
    }

    public CompletableFuture<OpsTable> metrics() {
        return now(() -> MetricsTable.build(admin.metrics()));
    }

    /** The tables under {@code /api/NAME}, by name. */
    public Map<String, Supplier<CompletableFuture<OpsTable>>> api() {
        Map<String, Supplier<CompletableFuture<OpsTable>>> api = new LinkedHashMap<>();
        api.put("servers", this::servers);
        api.put("pools", this::pools);
        api.put("sessions", this::sessions);
        api.put("config", this::config);
        return api;
    }

    private static CompletableFuture<OpsTable> now(Supplier<OpsTable> table) {
        try {
            return CompletableFuture.completedFuture(table.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
