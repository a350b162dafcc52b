package dev.sluice.backend.pool;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.SessionTracking;
import dev.sluice.protocol.charset.Collation;
import dev.sluice.protocol.charset.Collations;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComResetConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a pool sends on its own connections besides the clients' commands, each under a deadline (a server
 * that logs in and then stops answering must not hold a client or a pool slot): the set-up query of a new
 * connection, and the reset of a returned or re-leased one.
 */
final class ConnectionSetUp {
    /**
     * What the set-up query learned.
     *
     * @param trackers the server's global tracker settings, or null when the connection does not track
     */
    /** @param tracked the trackers were asked for and are on (a server may refuse them: an expired password's sandbox) */
    record Learned(
            long maxIdleNanos,
            int maxConnections,
            long maxPreparedStatements,
            SessionTracking.TrackerDefaults trackers,
            boolean tracked) {}

    private ConnectionSetUp() {}

    /**
     * Asks the server's wait_timeout (an idle connection is retired before the server closes it),
     * max_connections (the default limit of Sluice's connections to it) and max_prepared_stmt_count (what the proxy's
     * statements on its connections must stay under), within {@code limit} (what is left of
     * connect-timeout). With {@link ConnectOptions#sessionTracking()}, the same write (pipelined: one round trip)
     * first learns the order of the global tracker list ({@link SessionTracking#orderProbe}), turns Sluice's
     * trackers on, and the query also reads the global tracker settings.
     */
    static CompletableFuture<Learned> setUp(
            ServerConnection connection, ConnectOptions options, Duration limit, Duration connectTimeout) {
        boolean tracking = options.sessionTracking();
        // @@max_prepared_stmt_count last: the tracker columns keep their places
        String sql = "SELECT @@wait_timeout, @@max_connections"
                + (tracking ? ", " + SessionTracking.GLOBAL_DEFAULTS_COLUMNS : "")
                + ", @@max_prepared_stmt_count";
        List<ComQuery> commands = new ArrayList<>();
        if (tracking) {
            commands.addAll(SessionTracking.orderProbe("@@global.session_track_system_variables"));
            commands.add(ComQuery.of(SessionTracking.TRACKERS_ON));
        }
        commands.add(ComQuery.of(sql));
        List<CompletableFuture<QueryResult>> answers = connection.pipeline(commands);
        CompletableFuture<QueryResult> query = answers.get(answers.size() - 1);
        // the probe may fail alone (a list with '*' or a variable that cannot be set): the order is then unknown
        CompletableFuture<List<String>> order = tracking
                ? answers.get(1).handle((r, e) -> e == null ? SessionTracking.orderOf(r) : List.<String>of())
                : CompletableFuture.completedFuture(List.of());
        // a server may refuse the trackers with an ERR (an account with an expired password can run nothing but SET
        // PASSWORD): the connection is then used untracked, and its sessions stay on it (the proxy pins them)
        CompletableFuture<Throwable> refused =
                tracking ? answers.get(2).handle((on, e) -> e) : CompletableFuture.completedFuture(null);
        CompletableFuture<QueryResult> all = refused.thenCompose(t -> query);
        String what = (tracking ? SessionTracking.TRACKERS_ON + "; " : "") + sql;
        return connection
                .within(
                        all,
                        limit,
                        what + " (session set-up) within connect-timeout " + connectTimeout.toMillis() + " ms")
                .handle((r, e) -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause()
                            : e;
                    if (cause instanceof RuntimeException re
                            && !(cause instanceof dev.sluice.backend.ServerException)) {
                        throw re; // the connection is gone (deadline, closed)
                    }
                    Throwable trackersRefused = refused.join();
                    if (trackersRefused != null
                            && !(unwrap(trackersRefused) instanceof dev.sluice.backend.ServerException)) {
                        throw new java.util.concurrent.CompletionException(unwrap(trackersRefused));
                    }
                    boolean tracked = tracking && trackersRefused == null;
                    long seconds =
                            28800; // the servers' default, when the answer is not a number (an odd server, a fake)
                    int maxConnections = -1;
                    long maxPreparedStatements = -1;
                    SessionTracking.TrackerDefaults trackers = null;
                    if (e == null
                            && r.resultSets().size() == 1
                            && !r.resultSet().rows().isEmpty()) {
                        List<Object> row = r.resultSet().rows().get(0);
                        if (row.get(0) instanceof Number n && n.longValue() > 0) {
                            seconds = n.longValue();
                        }
                        if (row.size() > 1 && row.get(1) instanceof Number n && n.longValue() > 0) {
                            maxConnections = (int) Math.min(Integer.MAX_VALUE, n.longValue());
                        }
                        Object last = row.get(row.size() - 1);
                        if (row.size() > 2 && last instanceof Number n && n.longValue() > 0) {
                            maxPreparedStatements = n.longValue();
                        }
                        if (tracked && row.size() >= 6) {
                            trackers = new SessionTracking.TrackerDefaults(
                                    on(row.get(2)), on(row.get(3)), text(row.get(4)), text(row.get(5)), order.join());
                        }
                    }
                    // retire at half the server's timeout, and at most a second before it
                    long nanos = Math.max(
                            TimeUnit.SECONDS.toNanos(seconds) - TimeUnit.SECONDS.toNanos(1),
                            TimeUnit.SECONDS.toNanos(seconds) / 2);
                    return new Learned(nanos, maxConnections, maxPreparedStatements, trackers, tracked);
                });
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static boolean on(Object value) {
        return value instanceof Number n ? n.longValue() != 0 : "ON".equalsIgnoreCase(text(value));
    }

    private static String text(Object value) {
        return value instanceof byte[] b
                ? new String(b, StandardCharsets.UTF_8)
                : value == null ? null : value.toString();
    }

    /**
     * COM_RESET_CONNECTION resets session variables to the global values (as they are now: a SET GLOBAL since
     * the connection was opened shows) and rolls back and unlocks what the last session left; MariaDB 10.11
     * puts the character set back to the login's (verified; not assumed of every server) and keeps whatever
     * database the session last chose: both are set back to what the pool's key promises. The three commands go
     * in one write and their answers are read in order (pipelined: one round trip, not three); each starts at
     * sequence id 0 as always. The whole must answer within {@code limit} (pool.reset-timeout).
     */
    static CompletableFuture<QueryResult> reset(ServerConnection conn, ConnectOptions options, Duration limit) {
        List<ClientCommand> commands = new ArrayList<>(4);
        commands.add(new ComResetConnection());
        if (options.sessionTracking()) {
            // COM_RESET_CONNECTION puts session_track_* back to the global values: Sluice's trackers go on again
            commands.add(ComQuery.of(SessionTracking.TRACKERS_ON));
        }
        Collation collation = Collations.byId(options.collationId()).orElse(null);
        if (collation != null) {
            commands.add(ComQuery.of("SET NAMES " + collation.charsetName() + " COLLATE " + collation.name()));
        }
        // no database to go back to: a connection on which one was chosen cannot serve this pool any more
        commands.add(options.database() != null ? ComInitDb.of(options.database()) : ComQuery.of("SELECT DATABASE()"));
        List<CompletableFuture<QueryResult>> answers = conn.pipeline(commands);
        CompletableFuture<QueryResult> last = answers.get(answers.size() - 1);
        CompletableFuture<QueryResult> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(v -> last.join());
        return conn.within(
                        all,
                        limit,
                        "the reset (COM_RESET_CONNECTION, SET NAMES, database) within pool.reset-timeout "
                                + limit.toMillis() + " ms")
                .thenApply(r -> {
                    if (options.database() == null
                            && r.resultSet().rows().get(0).get(0) != null) {
                        throw new IllegalStateException("a database was chosen on a connection of a pool without one");
                    }
                    return r;
                });
    }
}
