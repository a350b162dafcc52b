package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.pool.PoolStats;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seed 001, bug 3 (DESIGN invariant 7): cancellation never corrupts what someone is still reading. Three client
 * threads on a pool of two server connections mix, at random, fully read checked statements, abrupt socket
 * closes mid-result (or right after sending) and client-issued KILL QUERY through Sluice from a second session.
 * Every row carries its statement's tag and a checksum verified client-side: zero foreign or corrupted rows;
 * afterwards no statement is left running on the server and the pool's counters add up.
 */
class CancellationTest {
    private static final int ACTIONS = 2_400;
    /** A KILL costs the most: the rows already in buffers are read and checked up to the ERR. */
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(70);

    private static final int THREADS = 3;
    private static final int BIG = 200_000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(2, Duration.ofSeconds(30), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    /** What the clients saw. */
    private static final class Tally {
        final AtomicInteger actions = new AtomicInteger();
        final AtomicInteger checked = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        final AtomicInteger killed = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        final AtomicLong rows = new AtomicLong();
        final AtomicInteger foreign = new AtomicInteger();
        final AtomicInteger corrupted = new AtomicInteger();
        final AtomicInteger unexpected = new AtomicInteger();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

        void problem(String what) {
            if (problems.size() < 10) {
                problems.add(what);
            }
        }
    }

    private static String statement(String tag, int rows) {
        return "SELECT '" + tag + "' AS tag, seq, SHA2(CONCAT('" + tag + "', seq), 256) FROM seq_1_to_" + rows;
    }

    /** Reads up to {@code limit} more rows after {@code already}, checking each; returns how many were read. */
    private static int readChecked(ResultSet rs, String tag, int already, int limit, Tally t) throws SQLException {
        int read = 0;
        while (read < limit && rs.next()) {
            read++;
            int n = already + read;
            t.rows.incrementAndGet();
            String rowTag = rs.getString(1);
            if (!tag.equals(rowTag)) {
                t.foreign.incrementAndGet();
                t.problem("foreign row: expected tag " + tag + ", got " + rowTag + " seq " + rs.getString(2));
            } else if (rs.getLong(2) != n || !Sha.sha256(tag + n).equals(rs.getString(3))) {
                t.corrupted.incrementAndGet();
                t.problem("corrupted row " + n + " of " + tag + ": seq " + rs.getString(2) + " sha " + rs.getString(3));
            }
        }
        return read;
    }

    private static void checkedStatement(Connection c, Random r, Tally t) throws SQLException {
        String tag = UUID.randomUUID().toString();
        int rows = 1 + r.nextInt(2000);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(statement(tag, rows))) {
            int n = readChecked(rs, tag, 0, Integer.MAX_VALUE, t);
            if (n != rows) {
                t.corrupted.incrementAndGet();
                t.problem(tag + ": " + n + " rows instead of " + rows);
            }
        }
        t.checked.incrementAndGet();
    }

    /** A streaming read of a big result, abandoned by closing the socket after a few rows (or none). */
    private static void abortMidResult(Random r, Tally t) throws SQLException {
        Connection c = sluice.mariadb("");
        String tag = UUID.randomUUID().toString();
        Statement st = c.createStatement();
        st.setFetchSize(50);
        ResultSet rs = st.executeQuery(statement(tag, BIG));
        readChecked(rs, tag, 0, r.nextInt(500), t);
        c.abort(Runnable::run);
        t.aborted.incrementAndGet();
    }

    /** A streaming read interrupted by KILL QUERY from another client session; the victim session goes on. */
    private static void killMidResult(Random r, Tally t) throws SQLException {
        try (Connection victim = sluice.mariadb("")) {
            long session = victim.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
            String tag = UUID.randomUUID().toString();
            try (Statement st = victim.createStatement()) {
                st.setFetchSize(50);
                try (ResultSet rs = st.executeQuery(statement(tag, BIG))) {
                    int read = readChecked(rs, tag, 0, r.nextInt(300), t);
                    try (Connection killer = sluice.mariadbAs(
                                    PoolProxy.USER, PoolProxy.PASSWORD, ""); // its own user: root may not
                            Statement k = killer.createStatement()) {
                        k.execute("KILL QUERY " + session);
                    }
                    t.killed.incrementAndGet();
                    try {
                        int rest = readChecked(rs, tag, read, Integer.MAX_VALUE, t);
                        if (read + rest != BIG) {
                            t.corrupted.incrementAndGet();
                            t.problem(tag + ": ended without error after " + (read + rest) + " rows");
                        }
                    } catch (SQLException e) {
                        if (e.getErrorCode() != 1317) {
                            throw e;
                        }
                        t.interrupted.incrementAndGet();
                    }
                }
            }
            checkedStatement(victim, r, t); // the killed session's next statement sees only its own rows
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void randomDisconnectsAndKillsNeverMixRows() throws Exception {
        long seed = Long.getLong("sluice.seed", System.nanoTime()); // -Dsluice.seed=<printed seed> replays the mix
        Tally t = new Tally();
        PoolStats stats = sluice.stats();
        long begin = System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        for (int i = 0; i < THREADS; i++) {
            Random r = new Random(seed + i);
            threads.execute(() -> {
                while (t.actions.getAndIncrement() < ACTIONS && System.nanoTime() - begin < BUDGET_NANOS) {
                    int dice = r.nextInt(100);
                    try {
                        if (dice < 35) {
                            try (Connection c = sluice.mariadb("")) {
                                checkedStatement(c, r, t);
                                if (r.nextBoolean()) {
                                    checkedStatement(c, r, t);
                                }
                            }
                        } else if (dice < 80) {
                            abortMidResult(r, t);
                        } else {
                            killMidResult(r, t);
                        }
                    } catch (SQLException | RuntimeException e) {
                        t.unexpected.incrementAndGet();
                        t.problem("action " + dice + ": " + e);
                    }
                }
            });
        }
        threads.shutdown();
        assertThat(threads.awaitTermination(150, TimeUnit.SECONDS)).isTrue();
        long seconds = (System.nanoTime() - begin) / 1_000_000_000L;

        List<String> running = new ArrayList<>();
        long pooledOnServer;
        try (Connection root = root()) {
            // Sluice's own KILL QUERYs (for aborted clients) run asynchronously: wait for them to land
            await().atMost(Duration.ofSeconds(15)).until(() -> running(root).isEmpty());
            running.addAll(running(root));
            long discardedTotal = 0;
            for (DiscardReason reason : DiscardReason.values()) {
                discardedTotal += stats.discardedCount(reason);
            }
            long expectedOpen = stats.createdCount() - discardedTotal;
            // created minus discarded is what the pools still hold, and the server sees exactly those
            await().atMost(Duration.ofSeconds(10)).until(() -> countPooled(root) == expectedOpen);
            pooledOnServer = countPooled(root);
        }
        System.out.printf(
                "cancellation: seed %d: %d actions in %d s: %d checked statements, %d aborted mid-result,"
                        + " %d KILL QUERY (%d interrupted mid-result), %d rows checked, %d foreign, %d corrupted, %d unexpected;"
                        + " %d pooled connections left; %s%n",
                seed,
                Math.min(t.actions.get(), ACTIONS),
                seconds,
                t.checked.get(),
                t.aborted.get(),
                t.killed.get(),
                t.interrupted.get(),
                t.rows.get(),
                t.foreign.get(),
                t.corrupted.get(),
                t.unexpected.get(),
                pooledOnServer,
                stats);
        assertThat(t.foreign.get())
                .as("foreign rows (seed %d): %s", seed, t.problems)
                .isZero();
        assertThat(t.corrupted.get())
                .as("corrupted rows (seed %d): %s", seed, t.problems)
                .isZero();
        assertThat(t.unexpected.get())
                .as("unexpected errors (seed %d): %s", seed, t.problems)
                .isZero();
        assertThat(running).as("statements left running on the server").isEmpty();
        assertThat(t.aborted.get()).isPositive();
        assertThat(t.killed.get()).isPositive();
        assertThat(stats.killCount())
                .as("Sluice killed the statements of clients that left: %s", stats)
                .isPositive();
        // discarded as cancelled: a connection whose statement Sluice killed, or one that went back between
        // statements while a client's KILL QUERY for its session was still on its way (the sessions multiplex)
        assertThat(stats.discardedCount(DiscardReason.CANCELLED))
                .as("connections of cancelled statements discarded")
                .isPositive()
                .isLessThanOrEqualTo(stats.killCount() + t.killed.get());
        assertThat(pooledOnServer)
                .as("at most max-size per pool (app and root)")
                .isLessThanOrEqualTo(4);
    }

    private static Connection root() throws SQLException {
        MariaDbSandbox s = db.sandbox();
        return DriverManager.getConnection(
                "jdbc:mariadb://" + s.host() + ":" + s.port() + "/", s.rootUser(), s.rootPassword());
    }

    /** Statements running on the server, other than this connection's own and the server's system threads. */
    private static List<String> running(Connection root) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = root.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT ID, USER, COMMAND, STATE, INFO FROM information_schema.PROCESSLIST"
                                + " WHERE COMMAND NOT IN ('Sleep', 'Daemon') AND ID <> CONNECTION_ID()")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                        + rs.getString(5));
            }
        }
        return out;
    }

    /** Server connections Sluice's pools hold (app and root users), not counting this connection. */
    private static long countPooled(Connection root) throws SQLException {
        try (Statement st = root.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                        + " WHERE USER IN ('app', 'root') AND ID <> CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
