package dev.sluice.proxy.admin;

import dev.sluice.proxy.ops.OpsTable;
import dev.sluice.proxy.session.SessionViews;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code SHOW SESSIONS}, {@code /api/sessions}: one row per client session. Each session is read on its own event
 * loop ({@link SessionViews}); a loop that does not answer within {@link #WAIT_MILLIS} leaves its sessions as rows
 * with state {@code unknown}, instead of holding the answer.
 */
final class SessionsTable {
    static final long WAIT_MILLIS = 2000;

    private SessionsTable() {}

    static CompletableFuture<OpsTable> build(AdminContext admin) {
        List<Long> ids = new ArrayList<>();
        List<String> users = new ArrayList<>();
        List<CompletableFuture<SessionViews.View>> views = new ArrayList<>();
        admin.proxy().registry().all().forEach(s -> {
            ids.add(s.id());
            users.add(s.user());
            views.add(SessionViews.view(s));
        });
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                .handle((ok, failed) -> null) // a session that failed to answer is still a row
                .completeOnTimeout(null, WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(ignored -> table(ids, users, views));
    }

    private static OpsTable table(
            List<Long> ids, List<String> users, List<CompletableFuture<SessionViews.View>> futures) {
        List<SessionViews.View> views = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            SessionViews.View v = futures.get(i).isDone() && !futures.get(i).isCompletedExceptionally()
                    ? futures.get(i).join()
                    : new SessionViews.View(
                            ids.get(i), users.get(i), null, null, "unknown", null, null, null, null, null);
            views.add(v);
        }
        views.sort(Comparator.comparingLong(SessionViews.View::id));
        OpsTable.Builder t = OpsTable.builder()
                .integer("id")
                .text("user", "client", "database", "state", "pinned", "statement")
                .integer("statement_ms")
                .text("server")
                .integer("server_thread");
        for (SessionViews.View v : views) {
            t.row(
                    v.id(),
                    v.user(),
                    v.client(),
                    v.database(),
                    v.state(),
                    v.pinned(),
                    v.statement(),
                    v.statementMillis(),
                    v.server(),
                    v.serverThread());
        }
        return t.build();
    }
}
