package dev.sluice.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that stops reading in the middle of a large result (DESIGN invariants 4, 7, 8; seed 002): with
 * client-write-timeout 2 s Sluice closes that client about 2 s after its last read, kills the statement on the
 * server, and other sessions are served normally meanwhile. The timeline of each run is printed.
 */
class SlowClientTest {
    private static final int ROWS = 300_000; // ~60 MB: far more than every buffer on the way
    private static final Duration CLIENT_WRITE = Duration.ofSeconds(2);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .option("innodb_buffer_pool_size", BigTable.BUFFER_POOL)
            .initSql("CREATE DATABASE test")
            .build();

    static HostileRelay serverSide;
    static ProxyFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        BigTable.create(db.sandbox().host(), db.sandbox().port(), db.sandbox().rootPassword(), ROWS);
        // a relay on the server side only for cut(); no delays, so it does not slow the timeline down
        serverSide = HostileRelay.start(
                "server-side", db.sandbox().host(), db.sandbox().port(), 4, HostileRelay.Profile.NO_DELAYS);
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), CLIENT_WRITE, null, null);
        fixture = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(
                        db.sandbox(), serverSide.host(), serverSide.port(), timeouts, Limits.defaults(), false));
    }

    /** Every test leaves Sluice without clients, so the next one can count its own. */
    @AfterEach
    void noClientLeft() {
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy.clientConnections() == 0);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        if (serverSide != null) {
            serverSide.close();
        }
    }

    private static long ms(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1_000_000;
    }

    private static long runningStatements(String marker) throws SQLException {
        try (Connection root = Jdbc.root(db.sandbox())) {
            return Jdbc.queryLong(
                    root,
                    "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE '%" + marker
                            + "%' AND id <> CONNECTION_ID()");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void clientThatStopsReadingIsClosedAtTheDeadline(String driver) throws Exception {
        String marker = "stalled-" + driver;
        List<Long> baseline = new ArrayList<>();
        List<Long> duringStall = new ArrayList<>();
        try (Connection other = fixture.mariadb("")) {
            for (int i = 0; i < 20; i++) {
                baseline.add(timedQuery(other));
            }
            BigTable.Checker checker = new BigTable.Checker(driver + " stalled client", 1);
            Connection slow = Jdbc.driver(driver, fixture.port(), "");
            Statement s = Jdbc.streaming(slow, driver);
            ResultSet rs = s.executeQuery(BigTable.select(marker));
            for (int i = 0; i < 5000; i++) {
                assertThat(rs.next()).isTrue();
                checker.check(rs);
            }
            long stopped = System.nanoTime(); // from here on the client reads nothing
            int connections = fixture.proxy.clientConnections();
            assertThat(runningStatements(marker))
                    .as("the statement runs on the server")
                    .isEqualTo(1);
            // the other session keeps working while the stalled one waits for its deadline
            await().atMost(Duration.ofSeconds(8))
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        duringStall.add(timedQuery(other));
                        return fixture.proxy.clientConnections() == connections - 1;
                    });
            long closedAfter = ms(stopped);
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> runningStatements(marker) == 0);
            long killedAfter = ms(stopped);
            for (int i = 0; i < 20; i++) {
                duringStall.add(timedQuery(other));
            }
            // the stalled client, reading again, gets what was already on its socket and then an error
            Throwable end = catchThrowable(() -> checker.drain(rs));
            long drainedAfter = ms(stopped);
            Collections.sort(baseline);
            Collections.sort(duringStall);
            System.out.printf(
                    "SlowClientTest %s timeline: stopped reading after %d rows at t=0; Sluice closed the"
                            + " client at t=%d ms; server statement gone at t=%d ms; client read %d more rows then %s"
                            + " at t=%d ms;"
                            + " other session: %d queries during the stall, median %d ms, max %d ms (baseline median %d"
                            + " ms, max %d ms)%n",
                    driver,
                    5000,
                    closedAfter,
                    killedAfter,
                    checker.rows() - 5000,
                    end == null ? "a clean end" : end.getClass().getSimpleName(),
                    drainedAfter,
                    duringStall.size(),
                    duringStall.get(duringStall.size() / 2),
                    duringStall.get(duringStall.size() - 1),
                    baseline.get(baseline.size() / 2),
                    baseline.get(baseline.size() - 1));
            // the deadline runs from the last write progress, a moment before the client's last read at most
            assertThat(closedAfter)
                    .as("closed after client-write-timeout, not before")
                    .isGreaterThanOrEqualTo(CLIENT_WRITE.toMillis() - 300);
            assertThat(closedAfter)
                    .as("closed within client-write-timeout plus slack")
                    .isLessThan(6000);
            assertThat(end).as("the client never sees a complete result").isInstanceOf(SQLException.class);
            assertThat(checker.rows()).isLessThan(ROWS);
            assertThat(duringStall.get(duringStall.size() - 1))
                    .as("slowest query of the other session, ms")
                    .isLessThan(1000);
            closeQuietly(slow);
        }
    }

    /**
     * The server connection fails while the client is not reading: Sluice queues an ERR behind the rows the
     * client has not taken, but that write has a deadline too; the client must not be held open forever
     * waiting to read it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void serverLostWhileTheClientDoesNotReadStillClosesAtTheDeadline(String driver) throws Exception {
        String marker = "stalled-then-cut-" + driver;
        BigTable.Checker checker = new BigTable.Checker(driver + " stalled client, server cut", 1);
        Connection slow = Jdbc.driver(driver, fixture.port(), "");
        try {
            Statement s = Jdbc.streaming(slow, driver);
            ResultSet rs = s.executeQuery(BigTable.select(marker));
            for (int i = 0; i < 5000; i++) {
                assertThat(rs.next()).isTrue();
                checker.check(rs);
            }
            long stopped = System.nanoTime();
            // Sluice's writes to the client stall, so it stops reading the server: the relay goes quiet
            long[] last = {-1, System.nanoTime()};
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        long now = serverSide.bytesForwarded();
                        if (now != last[0]) {
                            last[0] = now;
                            last[1] = System.nanoTime();
                        }
                        return ms(last[1]) >= 300;
                    });
            long quietAfter = ms(stopped);
            long cut = System.nanoTime();
            serverSide.cut(); // RST towards Sluice: the server connection is gone, the client still not reading
            await().atMost(Duration.ofSeconds(8))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> fixture.proxy.clientConnections() == 0);
            long closedAfter = ms(stopped);
            long closedAfterCut = ms(cut);
            Throwable end = catchThrowable(() -> checker.drain(rs));
            System.out.printf(
                    "SlowClientTest %s, server cut while the client stalls: t=0 stopped reading, server side"
                            + " quiet at t=%d ms, cut at t=%d ms, Sluice closed the client at t=%d ms; the client then"
                            + " read %d rows in all and %s%n",
                    driver, quietAfter, quietAfter, closedAfter, checker.rows(), end);
            assertThat(closedAfterCut)
                    .as("closed within client-write-timeout plus slack")
                    .isLessThan(6000);
            assertThat(end).as("the client never sees a complete result").isInstanceOf(SQLException.class);
            assertThat(checker.rows()).isLessThan(ROWS);
        } finally {
            closeQuietly(slow);
        }
    }

    /** A client whose connection dies mid-result (RST from a relay): its statement does not run on. */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void clientVanishingMidResultHasItsStatementKilled(String driver) throws Exception {
        String marker = "vanished-" + driver;
        try (HostileRelay clientSide =
                HostileRelay.start("client-side", "127.0.0.1", fixture.port(), 8, HostileRelay.Profile.NO_DELAYS)) {
            Connection c = Jdbc.driver(driver, clientSide.port(), "");
            try {
                ResultSet rs = Jdbc.streaming(c, driver).executeQuery(BigTable.select(marker));
                BigTable.Checker checker = new BigTable.Checker(driver + " vanishing client", 1);
                for (int i = 0; i < 5000; i++) {
                    assertThat(rs.next()).isTrue();
                    checker.check(rs);
                }
                assertThat(runningStatements(marker))
                        .as("the statement runs on the server")
                        .isEqualTo(1);
                long cut = System.nanoTime();
                clientSide.cut();
                await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> runningStatements(marker) == 0);
                System.out.printf(
                        "SlowClientTest %s: client connection reset mid-result; statement gone from the"
                                + " server %d ms later%n",
                        driver, ms(cut));
                assertThat(catchThrowable(() -> checker.drain(rs))).isInstanceOf(SQLException.class);
            } finally {
                closeQuietly(c);
            }
        }
    }

    /** One round trip on the other session, in ms; it must also return the right answer. */
    private static long timedQuery(Connection c) throws SQLException {
        long t = System.nanoTime();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM test.big WHERE id <= 100")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(100);
        }
        return ms(t);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection is already gone; that is the point
        }
    }
}
