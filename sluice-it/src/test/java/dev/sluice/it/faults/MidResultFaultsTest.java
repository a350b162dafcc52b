package dev.sluice.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Errors in the middle of a result reach the client as errors (DESIGN invariants 3, 7, 9; seed 003): whatever
 * happens to the server connection while a large result streams through Sluice, MySQL Connector/J and MariaDB
 * Connector/J raise an SQLException, never a clean end, and every row they delivered before it is a row of
 * the correct result, in order (ids 1..n, payloads checked by CRC32).
 */
class MidResultFaultsTest {
    private static final int ROWS = 300_000;
    private static final int READ_BEFORE_FAULT = 2000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .option("innodb_buffer_pool_size", BigTable.BUFFER_POOL)
            .initSql("CREATE DATABASE test")
            .build();

    /** Default deadlines: no server-read-timeout. */
    static ProxyFixture plain;
    /** server-read-timeout 1 s, for the paused server. */
    static ProxyFixture impatient;
    /** Through a relay that can break the framing of what the server sends. */
    static HostileRelay tamperer;

    static ProxyFixture tampered;

    @BeforeAll
    static void start() throws Exception {
        MariaDbSandbox sandbox = db.sandbox();
        BigTable.create(sandbox.host(), sandbox.port(), sandbox.rootPassword(), ROWS);
        plain = new ProxyFixture(
                sandbox,
                ProxyFixture.config(
                        sandbox, sandbox.host(), sandbox.port(), Timeouts.defaults(), Limits.defaults(), false));
        Timeouts serverRead = new Timeouts(
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1), null);
        impatient = new ProxyFixture(
                sandbox,
                ProxyFixture.config(sandbox, sandbox.host(), sandbox.port(), serverRead, Limits.defaults(), false));
        tamperer =
                HostileRelay.start("server-side", sandbox.host(), sandbox.port(), 17, HostileRelay.Profile.NO_DELAYS);
        tampered = new ProxyFixture(
                sandbox,
                ProxyFixture.config(
                        sandbox, tamperer.host(), tamperer.port(), Timeouts.defaults(), Limits.defaults(), false));
    }

    @AfterAll
    static void stop() {
        if (plain != null) {
            plain.close();
        }
        if (impatient != null) {
            impatient.close();
        }
        if (tampered != null) {
            tampered.close();
        }
        if (tamperer != null) {
            tamperer.close();
        }
    }

    /** What a test does to the server once the client has read the first rows. */
    interface Fault {
        void inject(String marker) throws Exception;
    }

    /**
     * Streams the big table through {@code proxy}, reads {@link #READ_BEFORE_FAULT} rows, injects the fault,
     * then reads on: every row checked, and the result must end in an SQLException.
     */
    private static SQLException streamThroughFault(ProxyFixture proxy, String driver, String marker, Fault fault)
            throws Exception {
        BigTable.Checker checker = new BigTable.Checker(driver + " " + marker, 1);
        // closed quietly: after a lost connection, MySQL Connector/J's Statement.close() throws again
        Connection c = Jdbc.driver(driver, proxy.port(), "");
        try {
            Statement s = Jdbc.streaming(c, driver);
            ResultSet rs = s.executeQuery(BigTable.select(marker));
            for (int i = 0; i < READ_BEFORE_FAULT; i++) {
                assertThat(rs.next()).isTrue();
                checker.check(rs);
            }
            fault.inject(marker);
            long faulted = System.nanoTime();
            Throwable end = catchThrowable(() -> checker.drain(rs));
            System.out.printf(
                    "MidResultFaultsTest %s %s: %d rows, then after %d ms: %s%n",
                    driver, marker, checker.rows(), (System.nanoTime() - faulted) / 1_000_000, end);
            // an AssertionError here would be a wrong row: the checker throws those
            assertThat(end)
                    .as("how the result ended after %d good rows", checker.rows())
                    .isInstanceOf(SQLException.class);
            assertThat(checker.rows()).as("rows before the error").isBetween((long) READ_BEFORE_FAULT, (long) ROWS - 1);
            return (SQLException) end;
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already lost
        }
    }

    private static long serverThreadRunning(String marker) throws SQLException {
        try (Connection root = Jdbc.root(db.sandbox())) {
            return Jdbc.queryLong(
                    root,
                    "SELECT id FROM information_schema.processlist WHERE info LIKE '%" + marker
                            + "%' AND id <> CONNECTION_ID()");
        }
    }

    private static void asRoot(String sql) throws SQLException {
        try (Connection root = Jdbc.root(db.sandbox());
                Statement s = root.createStatement()) {
            s.execute(sql);
        }
    }

    private static void assertSluiceLostServer(SQLException e) {
        assertThat(e.getMessage())
                .contains("sluice: lost the connection to server sandbox during COM_QUERY after")
                .contains("rows");
        assertThat(e.getErrorCode()).isEqualTo(1158);
        assertThat(e.getSQLState()).isEqualTo("08S01");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void serverConnectionKilledMidResult(String driver) throws Exception {
        SQLException e = streamThroughFault(
                plain, driver, "killed-conn-" + driver, marker -> asRoot("KILL " + serverThreadRunning(marker)));
        assertSluiceLostServer(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void serverProcessKilledMidResult(String driver) throws Exception {
        try {
            SQLException e = streamThroughFault(
                    plain,
                    driver,
                    "killed-server-" + driver,
                    marker -> db.sandbox().kill());
            assertSluiceLostServer(e);
        } finally {
            db.sandbox().start(); // crash recovery; same port and data for the next test
            for (ProxyFixture f : List.of(plain, impatient, tampered)) {
                assertThat(f.recheckServer())
                        .as("server up again behind Sluice")
                        .isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void serverPausedPastServerReadTimeout(String driver) throws Exception {
        try {
            SQLException e = streamThroughFault(
                    impatient,
                    driver,
                    "paused-" + driver,
                    marker -> db.sandbox().pause());
            assertSluiceLostServer(e);
            assertThat(e.getMessage()).contains("no answer within server-read-timeout 1000 ms");
        } finally {
            db.sandbox().resume();
            for (ProxyFixture f : List.of(plain, impatient, tampered)) {
                assertThat(f.recheckServer())
                        .as("server answering again behind Sluice")
                        .isTrue();
            }
        }
    }

    /** A packet with a wrong sequence id from the server mid-result: Sluice cannot trust the rest. */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void protocolErrorFromServerMidResult(String driver) throws Exception {
        SQLException e = streamThroughFault(
                tampered, driver, "bad-sequence-" + driver, marker -> tamperer.tamperNextSequenceId());
        assertSluiceLostServer(e);
        assertThat(e.getMessage()).contains("protocol error: ");
    }

    /** KILL QUERY mid-scan: the server itself sends ERR 1317 after rows; Sluice relays it, the session lives on. */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void serverErrAfterRows(String driver) throws Exception {
        String marker = "killed-query-" + driver;
        BigTable.Checker checker = new BigTable.Checker(driver + " " + marker, 1);
        try (Connection c = Jdbc.driver(driver, plain.port(), "")) {
            try (Statement s = Jdbc.streaming(c, driver);
                    ResultSet rs = s.executeQuery(BigTable.select(marker))) {
                for (int i = 0; i < READ_BEFORE_FAULT; i++) {
                    assertThat(rs.next()).isTrue();
                    checker.check(rs);
                }
                asRoot("KILL QUERY " + serverThreadRunning(marker));
                Throwable end = catchThrowable(() -> checker.drain(rs));
                System.out.printf("MidResultFaultsTest %s %s: %d rows, then %s%n", driver, marker, checker.rows(), end);
                assertThat(end).isInstanceOf(SQLException.class);
                assertThat(((SQLException) end).getErrorCode())
                        .as("ER_QUERY_INTERRUPTED")
                        .isEqualTo(1317);
                assertThat(checker.rows()).isBetween((long) READ_BEFORE_FAULT, (long) ROWS - 1);
            } catch (SQLException closing) {
                // MySQL Connector/J may report the interrupted result again when the statement closes
                assertThat(closing.getErrorCode()).isEqualTo(1317);
            }
            // the server connection ended that response cleanly: the next statement gets its own answer
            assertThat(Jdbc.queryLong(c, "SELECT 42")).isEqualTo(42);
        }
    }
}
