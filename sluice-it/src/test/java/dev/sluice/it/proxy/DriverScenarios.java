package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.EveryTypeTable;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Result-shaped scenarios run by both drivers through Sluice and straight against the sandbox, whose
 * transcripts must be identical: every column type over the text and the binary protocol, multi-statement
 * results, CALL with OUT/INOUT parameters and with several result sets, and server-side cursors. Subclasses
 * choose how Sluice talks to the server ({@link #serverCapabilityMask()}), so the same scenarios also cover
 * the relay's CLIENT_DEPRECATE_EOF translation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DriverScenarios {
    static final long SEED = 0x5EED_D41BL;
    static final int CURSOR_ROWS = 1000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            .build();

    ProxyFixture fixture;
    List<EveryTypeTable.Column> columns;

    /** Capabilities Sluice must never ask the server for (see {@code ProxyServer.start}). */
    abstract long serverCapabilityMask();

    /** How long a session holds its server connection (both modes must give the same answers as direct). */
    PoolMode mode() {
        return PoolMode.TRANSACTION;
    }

    @BeforeAll
    void start() throws SQLException {
        fixture = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.withMode(ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), mode()),
                serverCapabilityMask());
        columns = EveryTypeTable.columns(new Random(SEED));
        try (Connection c = Driver.MARIADB.direct(fixture, "");
                Statement s = c.createStatement()) {
            for (String sql : EveryTypeTable.setupSql("types", columns)) {
                s.execute(sql);
            }
            s.execute("CREATE TABLE thousand (id INT PRIMARY KEY, label VARCHAR(40), amount DECIMAL(12,3), "
                    + "at DATETIME(6))");
            StringBuilder insert = new StringBuilder("INSERT INTO thousand VALUES ");
            Random random = new Random(SEED);
            for (int i = 1; i <= CURSOR_ROWS; i++) {
                insert.append(i == 1 ? "" : ", ")
                        .append('(')
                        .append(i)
                        .append(", 'row ")
                        .append(i)
                        .append(' ')
                        .append(Long.toHexString(random.nextLong()))
                        .append("', ")
                        .append(random.nextInt(1_000_000))
                        .append(".")
                        .append(random.nextInt(1000))
                        .append(", TIMESTAMP'2024-01-01 00:00:00' + INTERVAL ")
                        .append(random.nextInt(1_000_000))
                        .append(" SECOND)");
            }
            s.execute(insert.toString());
            s.execute("CREATE PROCEDURE p_out(IN a INT, OUT b VARCHAR(40), INOUT c BIGINT) "
                    + "BEGIN SET b = CONCAT('a=', a, ' c=', c); SET c = c * 2 + a; END");
            s.execute("CREATE PROCEDURE p_two(IN n INT) BEGIN SELECT n AS first, 'one' AS label; "
                    + "SELECT id, id * n AS product FROM thousand WHERE id <= 3 ORDER BY id; END");
            s.execute("CREATE PROCEDURE p_mixed(OUT x INT) BEGIN SELECT 'before' AS phase; SET x = 42; END");
        }
    }

    /** Real drivers over real traffic: the strict validator (observe, the default) reports nothing (no false positive). */
    @AfterEach
    void noProtocolViolations() {
        fixture.assertNoProtocolViolations();
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---- every column type --------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} useServerPrepStmts={1}")
    @CsvSource({"CONNECTOR_J, false", "CONNECTOR_J, true", "MARIADB, false", "MARIADB, true"})
    void everyColumnTypeReadsTheSameThroughSluice(Driver driver, boolean serverPrepared) throws Exception {
        String params = "useServerPrepStmts=" + serverPrepared;
        List<List<String>> direct;
        List<List<String>> directText;
        try (Connection c = driver.direct(fixture, params)) {
            direct = EveryTypeTable.jdbcRows(c, "SELECT * FROM types ORDER BY id", columns);
            directText = textRows(c);
        }
        List<List<String>> proxied;
        List<List<String>> proxiedText;
        try (Connection c = driver.viaSluice(fixture, params)) {
            proxied = EveryTypeTable.jdbcRows(c, "SELECT * FROM types ORDER BY id", columns);
            proxiedText = textRows(c);
        }
        String what = driver + " " + params + " (seed " + SEED + ")";
        assertThat(direct).hasSize(EveryTypeTable.valueRows(columns) + 1);
        assertThat(EveryTypeTable.differences(what + " prepared, Sluice vs direct", columns, direct, proxied))
                .isEmpty();
        assertThat(EveryTypeTable.differences(what + " Statement, Sluice vs direct", columns, directText, proxiedText))
                .isEmpty();
        assertThat(EveryTypeTable.differences(what + " Statement vs prepared", columns, direct, proxiedText))
                .isEmpty();
    }

    /** The table read with a plain Statement: always COM_QUERY, text rows. */
    private List<List<String>> textRows(Connection c) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM types ORDER BY id")) {
            while (rs.next()) {
                out.add(EveryTypeTable.jdbcRow(rs, columns));
            }
        }
        return out;
    }

    // ---- multi-statements ------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void multiStatementResultsWalkTheSame(Driver driver) throws Exception {
        // a temporary table keeps each run's changes to its own session, so both runs see the same counts
        String sql = "CREATE TEMPORARY TABLE m (id INT PRIMARY KEY, v VARCHAR(10)); "
                + "INSERT INTO m VALUES (1, 'a'), (2, NULL), (3, 'c'); "
                + "SELECT 1 AS one, 'x' AS txt, NULL AS nothing; "
                + "UPDATE m SET v = CONCAT(IFNULL(v, ''), '!') WHERE id >= 2; "
                + "SELECT * FROM m WHERE id > 100; "
                + "DO 1; "
                + "SELECT * FROM m ORDER BY id";
        List<String> seen = Transcript.sameBothWays(fixture, driver, "allowMultiQueries=true", (c, out) -> {
            try (Statement s = c.createStatement()) {
                Transcript.allResults(s, s.execute(sql), out);
                // both drivers read every result at execute(), so an error in the middle surfaces there
                try {
                    s.execute("SELECT 1; SELECT * FROM no_such_table; SELECT 'never'");
                    out.add("no error");
                } catch (SQLException e) {
                    out.add(Transcript.error(e));
                }
            }
            // the connection is usable afterwards
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM m")) {
                Transcript.rows(rs, out);
            }
        });
        assertThat(seen)
                .containsExactly(
                        "update count: 0",
                        "update count: 3",
                        "columns: one txt nothing",
                        "row: '1' 'x' NULL",
                        "update count: 2",
                        "columns: id v",
                        "update count: 0",
                        "columns: id v",
                        "row: '1' 'a'",
                        "row: '2' '!'",
                        "row: '3' 'c!'",
                        "error 1146 42S02",
                        "columns: COUNT(*)",
                        "row: '3'");
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void multiStatementsWithoutErrorEndOnTheLastResult(Driver driver) throws Exception {
        List<String> seen = Transcript.sameBothWays(fixture, driver, "allowMultiQueries=true", (c, out) -> {
            try (Statement s = c.createStatement()) {
                boolean first = s.execute("SELECT id FROM thousand WHERE id <= 2 ORDER BY id; SET @a = 1; "
                        + "SELECT @a AS a, @@session.autocommit AS ac");
                Transcript.allResults(s, first, out);
            }
        });
        assertThat(seen)
                .containsExactly(
                        "columns: id", "row: '1'", "row: '2'", "update count: 0", "columns: a ac", "row: '1' '1'");
    }

    // ---- stored procedures -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0} useServerPrepStmts={1}")
    @CsvSource({"CONNECTOR_J, false", "CONNECTOR_J, true", "MARIADB, false", "MARIADB, true"})
    void procedureOutAndInOutParameters(Driver driver, boolean serverPrepared) throws Exception {
        List<String> seen =
                Transcript.sameBothWays(fixture, driver, "useServerPrepStmts=" + serverPrepared, (c, out) -> {
                    try (CallableStatement call = c.prepareCall("{call p_out(?, ?, ?)}")) {
                        for (long inout : new long[] {1L << 40, -3}) {
                            call.setInt(1, 7);
                            call.registerOutParameter(2, Types.VARCHAR);
                            call.setLong(3, inout);
                            call.registerOutParameter(3, Types.BIGINT);
                            call.execute();
                            out.add("b=" + call.getString(2) + " c=" + call.getLong(3));
                        }
                    }
                    try (CallableStatement call = c.prepareCall("{call p_mixed(?)}")) {
                        call.registerOutParameter(1, Types.INTEGER);
                        Transcript.allResults(call, call.execute(), out);
                        out.add("x=" + call.getInt(1));
                    }
                });
        assertThat(seen).startsWith("b=a=7 c=" + (1L << 40) + " c=" + ((1L << 41) + 7), "b=a=7 c=-3 c=1");
        assertThat(seen).contains("row: 'before'", "x=42");
    }

    @ParameterizedTest(name = "{0} useServerPrepStmts={1}")
    @CsvSource({"CONNECTOR_J, false", "CONNECTOR_J, true", "MARIADB, false", "MARIADB, true"})
    void procedureReturningTwoResultSets(Driver driver, boolean serverPrepared) throws Exception {
        List<String> seen =
                Transcript.sameBothWays(fixture, driver, "useServerPrepStmts=" + serverPrepared, (c, out) -> {
                    try (CallableStatement call = c.prepareCall("{call p_two(?)}")) {
                        call.setInt(1, 5);
                        Transcript.allResults(call, call.execute(), out);
                    }
                    try (Statement s = c.createStatement()) {
                        Transcript.allResults(s, s.execute("CALL p_two(2)"), out);
                    }
                });
        assertThat(seen)
                .containsSubsequence(
                        "columns: first label",
                        "row: '5' 'one'",
                        "columns: id product",
                        "row: '1' '5'",
                        "row: '2' '10'",
                        "row: '3' '15'",
                        "columns: first label",
                        "row: '2' 'one'",
                        "row: '3' '6'");
    }

    // ---- cursors ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, useCursorFetch=true&defaultFetchSize=7&useServerPrepStmts=true",
        "MARIADB, useServerPrepStmts=true",
        "MARIADB, useServerPrepStmts=false",
    })
    void cursorFetchReadsEveryRowInOrder(Driver driver, String params) throws Exception {
        List<String> seen = Transcript.sameBothWays(fixture, driver, params, (c, out) -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM thousand WHERE id > ? ORDER BY id")) {
                ps.setFetchSize(7);
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    Transcript.rows(rs, out);
                }
            }
        });
        assertThat(seen).hasSize(CURSOR_ROWS + 1);
        for (int i = 1; i <= CURSOR_ROWS; i++) {
            assertThat(seen.get(i)).startsWith("row: '" + i + "' 'row " + i + " ");
        }
    }

    @Test
    void twoOpenCursorsOnOneConnectionInterleave() throws Exception {
        String params = "useCursorFetch=true&defaultFetchSize=7&useServerPrepStmts=true";
        List<String> seen = Transcript.sameBothWays(fixture, Driver.CONNECTOR_J, params, (c, out) -> {
            try (PreparedStatement up = c.prepareStatement("SELECT id, label FROM thousand ORDER BY id");
                    PreparedStatement down = c.prepareStatement("SELECT id, amount FROM thousand ORDER BY id DESC");
                    ResultSet a = up.executeQuery();
                    ResultSet b = down.executeQuery()) {
                // 3 from one for every 2 from the other: fetches of the two cursors alternate unevenly
                for (int round = 0; round < 400; round++) {
                    for (int i = 0; i < 3 && a.next(); i++) {
                        out.add("up " + a.getInt(1) + " " + a.getString(2));
                    }
                    for (int i = 0; i < 2 && b.next(); i++) {
                        out.add("down " + b.getInt(1) + " " + b.getString(2));
                    }
                }
            }
        });
        List<String> up = seen.stream().filter(s -> s.startsWith("up ")).toList();
        List<String> down = seen.stream().filter(s -> s.startsWith("down ")).toList();
        assertThat(up).hasSize(CURSOR_ROWS);
        assertThat(down).hasSize(800);
        for (int i = 0; i < up.size(); i++) {
            assertThat(up.get(i)).startsWith("up " + (i + 1) + " row " + (i + 1) + " ");
        }
        for (int i = 0; i < down.size(); i++) {
            assertThat(down.get(i)).startsWith("down " + (CURSOR_ROWS - i) + " ");
        }
    }
}
