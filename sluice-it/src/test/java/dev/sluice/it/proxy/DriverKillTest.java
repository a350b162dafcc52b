package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KILL through Sluice names Sluice's connection ids (the ones drivers got in the greeting), which Sluice maps to
 * the server threads behind them: KILL QUERY and JDBC's Statement.cancel() (both drivers open a new connection
 * and send KILL QUERY) stop a running SLEEP(30) within seconds, KILL ends another session, an unknown id is
 * ERR 1094.
 */
class DriverKillTest {
    /** Far below the 30 s a statement would take if the KILL did not reach it. */
    private static final Duration STOPPED_WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static ProxyFixture fixture;
    private static ExecutorService executor;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
        fixture.close();
    }

    /** What a SLEEP statement ended with: its value, or the error. */
    private record Outcome(String value, int errorCode, String exception, long millis) {}

    private CompletableFuture<Outcome> sleepOn(Statement s, String marker) {
        return CompletableFuture.supplyAsync(
                () -> {
                    long start = System.nanoTime();
                    try (ResultSet rs = s.executeQuery("SELECT SLEEP(30) AS " + marker)) {
                        rs.next();
                        return new Outcome(rs.getString(1), 0, null, (System.nanoTime() - start) / 1_000_000);
                    } catch (SQLException e) {
                        return new Outcome(
                                null,
                                e.getErrorCode(),
                                e.getClass().getSimpleName(),
                                (System.nanoTime() - start) / 1_000_000);
                    }
                },
                executor);
    }

    /** Waits until the server runs the statement tagged {@code marker}. */
    private static void awaitRunning(String marker) throws SQLException {
        try (Connection root = Driver.MARIADB.connect(
                fixture.sandbox.port(), "", fixture.sandbox.rootUser(), fixture.sandbox.rootPassword())) {
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        try (Statement s = root.createStatement();
                                ResultSet rs = s.executeQuery(
                                        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(30) AS "
                                                + marker + "%' AND INFO NOT LIKE '%PROCESSLIST%'")) {
                            rs.next();
                            return rs.getInt(1) == 1;
                        }
                    });
        }
    }

    /** SLEEP returns 1 when its query is killed (MariaDB), or the statement fails with ER_QUERY_INTERRUPTED. */
    private static void assertInterrupted(Outcome outcome) {
        assertThat(outcome.millis())
                .as("statement ended after %d ms", outcome.millis())
                .isLessThan(STOPPED_WITHIN.toMillis());
        if (outcome.value() != null) {
            assertThat(outcome.value()).isEqualTo("1");
        } else {
            assertThat(outcome.errorCode()).as("%s", outcome).isEqualTo(1317);
        }
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void killQueryFromAnotherSessionStopsTheStatement(Driver driver) throws Exception {
        String marker = "kq_" + driver.name().toLowerCase();
        try (Connection a = driver.viaSluice(fixture, "");
                Connection b = driver.viaSluice(fixture, "");
                Statement sa = a.createStatement()) {
            long id = driver.connectionId(a);
            CompletableFuture<Outcome> running = sleepOn(sa, marker);
            awaitRunning(marker);
            try (Statement sb = b.createStatement()) {
                sb.execute("KILL QUERY " + id);
            }
            assertInterrupted(running.get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS));
            // only the query was killed: A goes on
            try (ResultSet rs = sa.executeQuery("SELECT 'still here'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
        }
    }

    /**
     * Both drivers cancel by sending KILL QUERY with the id from the greeting over a new connection, which through
     * Sluice is a Sluice session id. Connector/J sometimes reports its own cancel as MySQLStatementCancelledException
     * (error 0) instead of the server's 1317, directly as well; that race is the driver's.
     */
    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void statementCancelStopsTheStatement(Driver driver) throws Exception {
        String marker = "cancel_" + driver.name().toLowerCase();
        try (Connection a = driver.viaSluice(fixture, "");
                Statement sa = a.createStatement()) {
            CompletableFuture<Outcome> running = sleepOn(sa, marker);
            awaitRunning(marker);
            sa.cancel();
            Outcome outcome = running.get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            if (!"MySQLStatementCancelledException".equals(outcome.exception())) {
                assertInterrupted(outcome);
            }
            assertThat(outcome.millis()).as("%s", outcome).isLessThan(STOPPED_WITHIN.toMillis());
            try (ResultSet rs = sa.executeQuery("SELECT 2")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void killConnectionEndsTheOtherSession(Driver driver) throws Exception {
        try (Connection a = driver.viaSluice(fixture, "");
                Connection b = driver.viaSluice(fixture, "")) {
            long id = driver.connectionId(a);
            try (Statement sa = a.createStatement();
                    ResultSet rs = sa.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next(); // A's session has its server connection
            }
            int sessions = fixture.proxy.sessionCount();
            try (Statement sb = b.createStatement()) {
                sb.execute("KILL " + id);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy.sessionCount() == sessions - 1);
            assertThatThrownBy(() -> {
                        try (Statement sa = a.createStatement()) {
                            sa.executeQuery("SELECT 1");
                        }
                    })
                    .isInstanceOf(SQLException.class);
            assertThat(a.isValid(2)).isFalse();
            // B killed someone else, not itself
            try (Statement sb = b.createStatement();
                    ResultSet rs = sb.executeQuery("SELECT 3")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void killOfAnUnknownIdIsUnknownThread(Driver driver) throws Exception {
        for (String kill : new String[] {"KILL 987654", "KILL QUERY 987654", "KILL CONNECTION 987654"}) {
            for (boolean viaSluice : new boolean[] {false, true}) {
                try (Connection c = viaSluice ? driver.viaSluice(fixture, "") : driver.direct(fixture, "");
                        Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.execute(kill))
                            .as("%s %s", kill, viaSluice ? "through Sluice" : "direct")
                            .isInstanceOf(SQLException.class)
                            .satisfies(e -> assertThat(((SQLException) e).getErrorCode())
                                    .isEqualTo(1094))
                            .satisfies(e ->
                                    assertThat(((SQLException) e).getSQLState()).isEqualTo("HY000"));
                    // the connection is fine afterwards
                    try (ResultSet rs = s.executeQuery("SELECT 4")) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(4);
                    }
                }
            }
        }
    }
}
