package dev.sluice.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A COMMIT that fails is reported as an error, never as success (DESIGN invariant 3, seed 003). MariaDB has no
 * deferred constraints, so the COMMIT is made to fail by holding it at the commit lock: {@code BACKUP STAGE
 * BLOCK_COMMIT} on a root connection blocks every COMMIT of a transaction with changes. Held there, the COMMIT
 * (1) runs into lock_wait_timeout and the server answers ERR 1205, (2) has its connection killed on the server,
 * or (3) meets a server paused past Sluice's server-read-timeout.
 */
class FailedCommitTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.ledger (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB")
            .build();

    static ProxyFixture plain;
    static ProxyFixture impatient;

    @BeforeAll
    static void start() {
        MariaDbSandbox sandbox = db.sandbox();
        plain = new ProxyFixture(
                sandbox,
                ProxyFixture.config(
                        sandbox, sandbox.host(), sandbox.port(), Timeouts.defaults(), Limits.defaults(), false));
        Timeouts serverRead = new Timeouts(
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1), null);
        impatient = new ProxyFixture(
                sandbox,
                ProxyFixture.config(sandbox, sandbox.host(), sandbox.port(), serverRead, Limits.defaults(), false));
    }

    @AfterAll
    static void stop() {
        if (plain != null) {
            plain.close();
        }
        if (impatient != null) {
            impatient.close();
        }
    }

    /** A transaction through Sluice with one uncommitted row; returns its server thread id. */
    private static long openTransaction(Connection c, int id) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO test.ledger VALUES (" + id + ", 'pending')");
        }
        return Jdbc.queryLong(c, "SELECT @@pseudo_thread_id"); // the server thread (CONNECTION_ID() is Sluice's id)
    }

    private static Connection blockCommits() throws SQLException {
        Connection root = Jdbc.root(db.sandbox());
        try (Statement s = root.createStatement()) {
            s.execute("BACKUP STAGE START");
            s.execute("BACKUP STAGE FLUSH");
            s.execute("BACKUP STAGE BLOCK_DDL");
            s.execute("BACKUP STAGE BLOCK_COMMIT");
        }
        return root;
    }

    private static void unblock(Connection root) throws SQLException {
        try (Statement s = root.createStatement()) {
            s.execute("BACKUP STAGE END");
        }
        root.close();
    }

    private static long committedRows(int id) throws SQLException {
        try (Connection root = Jdbc.root(db.sandbox())) {
            return Jdbc.queryLong(root, "SELECT COUNT(*) FROM test.ledger WHERE id = " + id);
        }
    }

    private static void awaitThreadGone(long thread) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    try (Connection root = Jdbc.root(db.sandbox())) {
                        return Jdbc.queryLong(
                                        root,
                                        "SELECT COUNT(*) FROM information_schema.processlist WHERE id = " + thread)
                                == 0;
                    }
                });
    }

    private static void awaitCommitWaiting(long thread) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    try (Connection root = Jdbc.root(db.sandbox())) {
                        return Jdbc.queryLong(
                                        root,
                                        "SELECT COUNT(*) FROM information_schema.processlist WHERE id = " + thread
                                                + " AND info = 'COMMIT'")
                                == 1;
                    }
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void commitFailingOnTheServerIsAnError(String driver) throws Exception {
        int id = driver.equals("mysql") ? 1 : 2;
        try (Connection c = Jdbc.driver(driver, plain.port(), "")) {
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION lock_wait_timeout = 1");
            }
            openTransaction(c, id);
            Connection root = blockCommits();
            Throwable failed;
            try {
                failed = catchThrowable(c::commit);
            } finally {
                unblock(root);
            }
            System.out.println("FailedCommitTest " + driver + " lock wait at COMMIT: " + failed);
            assertThat(failed).isInstanceOf(SQLException.class);
            assertThat(((SQLException) failed).getErrorCode())
                    .as("ER_LOCK_WAIT_TIMEOUT")
                    .isEqualTo(1205);
            c.rollback();
        }
        assertThat(committedRows(id)).as("nothing was committed").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void connectionKilledDuringCommitIsAnError(String driver) throws Exception {
        int id = driver.equals("mysql") ? 11 : 12;
        Connection c = Jdbc.driver(driver, plain.port(), "");
        try {
            long thread = openTransaction(c, id);
            Connection root = blockCommits();
            try {
                CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
                    try {
                        c.commit();
                    } catch (SQLException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                awaitCommitWaiting(thread);
                try (Statement s = root.createStatement()) {
                    s.execute("KILL " + thread);
                }
                Throwable failed = catchThrowable(() -> commit.get(10, TimeUnit.SECONDS));
                System.out.println("FailedCommitTest " + driver + " connection killed at COMMIT: " + failed.getCause());
                assertThat(failed.getCause()).isInstanceOf(SQLException.class);
                assertThat(failed.getCause().getMessage())
                        .satisfiesAnyOf(
                                m -> assertThat(m)
                                        .contains("sluice: lost the connection to server sandbox during COM_QUERY")
                                        .contains("may or may not have run"),
                                m -> assertThat(m).containsIgnoringCase("connection was killed"));
            } finally {
                // the client hears of the KILL when the server closes the socket, which can be before the killed
                // thread left its wait: commits are unblocked only once it is gone, or it could take the lock yet
                awaitThreadGone(thread);
                unblock(root);
            }
        } finally {
            try {
                c.close();
            } catch (SQLException ignored) {
                // lost on purpose
            }
        }
        assertThat(committedRows(id))
                .as("a COMMIT killed while waiting for the commit lock did not commit")
                .isZero();
    }

    /** The server stops answering during COMMIT: ERR 1158 from Sluice after server-read-timeout, never OK. */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void commitWithoutAnswerPastServerReadTimeoutIsAnError(String driver) throws Exception {
        int id = driver.equals("mysql") ? 21 : 22;
        Connection c = Jdbc.driver(driver, impatient.port(), "");
        Throwable failed;
        long took;
        try {
            openTransaction(c, id);
            db.sandbox().pause();
            try {
                long begin = System.nanoTime();
                failed = catchThrowable(c::commit);
                took = (System.nanoTime() - begin) / 1_000_000;
            } finally {
                db.sandbox().resume();
            }
        } finally {
            try {
                c.close();
            } catch (SQLException ignored) {
                // lost on purpose
            }
        }
        System.out.println(
                "FailedCommitTest " + driver + " server paused at COMMIT, error after " + took + " ms: " + failed);
        assertThat(failed).isInstanceOf(SQLException.class);
        assertThat(((SQLException) failed).getErrorCode()).isEqualTo(1158);
        assertThat(failed.getMessage())
                .contains("no answer within server-read-timeout 1000 ms")
                .contains("may or may not have run");
        assertThat(took)
                .as("ms until the error (server-read-timeout counts from the COMMIT, not the last read)")
                .isGreaterThanOrEqualTo(1000)
                .isLessThan(5000);
        // whether the COMMIT ran once the server resumed is unknown to Sluice, and the message says so
    }
}
