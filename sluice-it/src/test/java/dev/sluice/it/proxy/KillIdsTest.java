package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KILL never reaches the wrong session (issue 10, item 6): Sluice's ids cannot be server thread ids, so a thread id
 * read from the processlist kills nobody through Sluice; CONNECTION_ID() agrees with the greeting's id; a KILL after
 * a comment is translated, one that cannot be translated (in a multi-statement text, KILL USER, KILL QUERY ID, an
 * expression) is refused and nothing runs; another user's session is not the client's to kill.
 */
class KillIdsTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** The server thread behind a connection ({@code @@pseudo_thread_id} starts as the thread id). */
    private static long serverThreadOf(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@pseudo_thread_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void connectionIdAgreesWithTheGreetingAndIsNoServerThreadId(Driver driver) throws Exception {
        try (Connection c = driver.viaSluice(fixture, "");
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT CONNECTION_ID(), connection_id() + 0 AS plus, 'CONNECTION_ID()'")) {
            long greeting = driver.connectionId(c);
            assertThat(greeting).isBetween(1L << 30, (1L << 31) - 1);
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(greeting);
            assertThat(rs.getLong("plus")).isEqualTo(greeting);
            assertThat(rs.getString(3)).isEqualTo("CONNECTION_ID()"); // strings are left alone
            ResultSetMetaData md = rs.getMetaData();
            assertThat(md.getColumnLabel(1)).isEqualTo("CONNECTION_ID()");
            assertThat(serverThreadOf(c)).isNotEqualTo(greeting).isLessThan(1L << 30);
        }
    }

    /**
     * Server-side prepared statements too: CONNECTION_ID() is the session's id. A KILL prepared on the server would
     * run with the server's meaning of its id: Sluice refuses the prepare (1235), and MariaDB Connector/J's execute
     * pipelined behind it (statement id "the last prepared") gets the refusal too, never the statement prepared
     * before; the driver then sends the KILL as text, which Sluice maps (1094: no such Sluice session). MySQL
     * Connector/J prepares KILL on the client side and sends it as text.
     */
    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void preparedStatementsAgreeAndCannotPrepareAKill(Driver driver) throws Exception {
        try (Connection c = driver.viaSluice(fixture, "useServerPrepStmts=true");
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT CONNECTION_ID() + ?")) {
            ps.setInt(1, 0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(driver.connectionId(c));
            }
            // a server thread id from the processlist, in a KILL prepared on the server: never run with that meaning
            try (Connection victim = driver.viaSluice(fixture, "")) {
                long thread = serverThreadOf(victim);
                assertThatThrownBy(() -> {
                            try (java.sql.PreparedStatement kill = c.prepareStatement("KILL " + thread)) {
                                kill.execute();
                            }
                        })
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getErrorCode())
                                        .as(e.getMessage())
                                        .isIn(1094, 1235));
                assertThat(victim.isValid(2)).isTrue();
            }
            assertThat(c.isValid(2)).isTrue();
        }
    }

    /**
     * A DBA reads a server thread id from the processlist and sends KILL through Sluice. Sluice ids used to start at
     * 1 like thread ids: once a session had the same id, that KILL ended it. A fresh Sluice (ids from its start) and
     * sessions opened until one has an id up to the thread id make the coincidence certain where ids can collide.
     */
    @Test
    void aServerThreadIdFromTheProcesslistKillsNobody() throws Exception {
        List<Connection> clients = new ArrayList<>();
        try (ProxyFixture fresh = new ProxyFixture(
                        db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
                Connection dba = Driver.MARIADB.viaSluice(fresh, "")) {
            long thread = serverThreadOf(dba);
            long last = Driver.MARIADB.connectionId(dba);
            while (last < thread && clients.size() < 2000) {
                Connection c = Driver.MARIADB.viaSluice(fresh, "");
                clients.add(c);
                last = Driver.MARIADB.connectionId(c);
            }
            int sessions = fresh.proxy.sessionCount();
            try (Statement s = dba.createStatement()) {
                assertThatThrownBy(() -> s.execute("KILL " + thread))
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getErrorCode()).isEqualTo(1094));
            }
            for (Connection c : clients) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(fresh.proxy.sessionCount()).isEqualTo(sessions);
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aKillAfterACommentIsTranslated() throws Exception {
        try (Connection a = Driver.MARIADB.viaSluice(fixture, "");
                Connection b = Driver.MARIADB.viaSluice(fixture, "")) {
            long id = Driver.MARIADB.connectionId(a);
            CompletableFuture<Long> sleeping = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                try (Statement s = a.createStatement();
                        ResultSet rs = s.executeQuery("SELECT SLEEP(30) AS kill_after_comment")) {
                    rs.next();
                } catch (SQLException e) {
                    // 1317 or SLEEP's 1: either way it ended
                }
                return (System.nanoTime() - start) / 1_000_000;
            });
            awaitRunning("kill_after_comment");
            try (Statement s = b.createStatement()) {
                s.execute("/* cancel */ KILL QUERY " + id);
            }
            assertThat(sleeping.get(20, TimeUnit.SECONDS)).isLessThan(15_000);
            assertThat(a.isValid(2)).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "KILL QUERY %d; SELECT 1|KILL among several statements",
                "SELECT 1; KILL %d|KILL among several statements",
                "KILL QUERY ID %d|KILL QUERY ID",
                "KILL USER app|KILL USER",
                "KILL %d + 0|expression",
                "EXECUTE IMMEDIATE 'KILL %d'|PREPARE or EXECUTE IMMEDIATE",
                "PREPARE k FROM '/* x */ KILL QUERY %d'|PREPARE or EXECUTE IMMEDIATE",
            })
    void whatCannotBeTranslatedIsRefusedAndNothingRuns(String template, String what) throws Exception {
        try (Connection a = Driver.MARIADB.viaSluice(fixture, "allowMultiQueries=true");
                Connection b = Driver.MARIADB.viaSluice(fixture, "allowMultiQueries=true");
                Statement s = b.createStatement()) {
            String sql = String.format(template, Driver.MARIADB.connectionId(a));
            assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1235);
                assertThat(e.getMessage()).contains(what).contains("nothing of this statement text was run");
            });
            assertThat(a.isValid(2)).isTrue();
            assertThat(b.isValid(2)).isTrue();
        }
    }

    @Test
    void anotherUsersSessionIsNotTheClientsToKill() throws Exception {
        try (Connection a = Driver.MARIADB.viaSluice(fixture, "");
                Connection root = Driver.MARIADB.connect(fixture.port(), "", "root", fixture.sandbox.rootPassword());
                Statement s = root.createStatement()) {
            long id = Driver.MARIADB.connectionId(a);
            assertThatThrownBy(() -> s.execute("KILL " + id)).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1095);
                assertThat(e.getSQLState()).isEqualTo("HY000");
                assertThat(e.getMessage()).contains("You are not owner of thread " + id);
            });
            assertThat(a.isValid(2)).isTrue();
        }
    }

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
}
