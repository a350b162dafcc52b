package dev.sluice.proxy.admin;

import dev.sluice.proxy.digest.DigestTable;
import dev.sluice.proxy.ops.DigestsTable;
import dev.sluice.proxy.session.ProxyErrors;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code SHOW DIGESTS [ORDER BY column [ASC|DESC]] [LIMIT n]} and {@code RESET DIGESTS}. */
final class DigestCommands {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.admin");

    private DigestCommands() {}

    /** Ordered by {@code column} (total_us by default), descending unless ASC, every row unless a limit. */
    static CompletableFuture<AdminReply> show(AdminContext admin, String column, String direction, String limit) {
        DigestTable table = admin.proxy().stats().digests();
        if (table == null) {
            return done(AdminReply.error(
                    ProxyErrors.adminNotAvailable("SHOW DIGESTS: digests are off (digests.enabled: false)")));
        }
        String order = column == null ? DigestsTable.DEFAULT_ORDER : column.toLowerCase(Locale.ROOT);
        if (!DigestsTable.ORDERS.containsKey(order)) {
            return done(AdminReply.error(ProxyErrors.adminFailed("SHOW DIGESTS: no column '" + column
                    + "' to order by; one of " + String.join(", ", DigestsTable.ORDERS.keySet()))));
        }
        boolean descending = direction == null || direction.equalsIgnoreCase("DESC");
        int rows = limit == null ? Integer.MAX_VALUE : Integer.parseInt(limit);
        return done(new AdminReply.Table(DigestsTable.build(table, order, descending, rows)));
    }

    static CompletableFuture<AdminReply> reset(AdminContext admin, String who) {
        DigestTable table = admin.proxy().stats().digests();
        if (table == null) {
            return done(AdminReply.error(
                    ProxyErrors.adminNotAvailable("RESET DIGESTS: digests are off (digests.enabled: false)")));
        }
        int rows = table.size();
        table.reset();
        LOG.info("admin {}: RESET DIGESTS ({} rows)", who, rows);
        return done(AdminReply.ok(rows, null));
    }

    private static CompletableFuture<AdminReply> done(AdminReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
