package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batches and transactions by both drivers, through Sluice and straight to the server. Batches come in every
 * shape the drivers send: one statement per row, Connector/J's rewritten multi-row INSERT, MariaDB
 * Connector/J's pipelined COM_STMT_PREPARE + COM_STMT_EXECUTEs and its COM_STMT_BULK_EXECUTE, text batches and
 * a batch failing in the middle. The transcripts include the session's command counters, so Sluice relaying
 * commands in a different shape (split, merged, reordered) shows as well as a wrong count.
 */
class DriverBatchTransactionTest {
    private static final int BATCH = 300;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test CHARACTER SET utf8mb4",
                    "CREATE TABLE test.tx (k VARCHAR(40) PRIMARY KEY, v INT)")
            .build();

    static ProxyFixture fixture;
    private static final AtomicInteger RUN = new AtomicInteger();

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
    }

    @AfterAll
    static void stop() {
        try {
            fixture.assertNoProtocolViolations(); // real traffic: no false positive of the validator
        } finally {
            fixture.close();
        }
    }

    // ---- batches ---------------------------------------------------------------------------------

    @org.junit.jupiter.api.Test
    void mariadbConnectorJIsOfferedTheServersBulkOperationsThroughSluice() throws SQLException {
        long bulk = org.mariadb.jdbc.util.constants.Capabilities.STMT_BULK_OPERATIONS;
        try (Connection direct = Driver.MARIADB.direct(fixture, "");
                Connection proxied = Driver.MARIADB.viaSluice(fixture, "")) {
            org.mariadb.jdbc.client.Context d =
                    direct.unwrap(org.mariadb.jdbc.Connection.class).getContext();
            org.mariadb.jdbc.client.Context p =
                    proxied.unwrap(org.mariadb.jdbc.Connection.class).getContext();
            assertThat(d.hasServerCapability(bulk))
                    .as("the sandbox offers bulk operations")
                    .isTrue();
            assertThat(p.hasServerCapability(bulk))
                    .as("Sluice offers bulk operations")
                    .isTrue();
            assertThat(p.hasClientCapability(bulk)).as("the driver took them").isTrue();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, rewriteBatchedStatements=false&useServerPrepStmts=false",
        "CONNECTOR_J, rewriteBatchedStatements=true&useServerPrepStmts=false",
        "CONNECTOR_J, rewriteBatchedStatements=false&useServerPrepStmts=true",
        "CONNECTOR_J, rewriteBatchedStatements=true&useServerPrepStmts=true",
        "MARIADB, useServerPrepStmts=false",
        "MARIADB, useServerPrepStmts=true&useBulkStmts=false",
        "MARIADB, useServerPrepStmts=true&useBulkStmts=true",
    })
    void preparedBatchesGiveTheSameCountsAndRows(Driver driver, String params) throws Exception {
        List<String> seen = Transcript.sameBothWays(fixture, driver, params, (c, out) -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE b (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40), "
                        + "amount DECIMAL(10,2), data VARBINARY(16))");
            }
            // the temporary table keeps a transaction-mode session on one server connection, so the counters of that
            // connection from here on are this session's (before, they may include other sessions' commands)
            java.util.Map<String, Long> before = counters(c);
            out.add("counters: from here");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO b (name, amount, data) VALUES (?, ?, ?)")) {
                for (int i = 0; i < BATCH; i++) {
                    ps.setString(1, i % 7 == 0 ? null : "name " + i + " 😀");
                    ps.setBigDecimal(2, new java.math.BigDecimal(i).movePointLeft(2));
                    ps.setBytes(3, new byte[] {(byte) i, 0, (byte) 0xFB, (byte) 0xFF});
                    ps.addBatch();
                }
                out.add("insert counts: " + summary(ps.executeLargeBatch()));
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE b SET amount = amount + ? WHERE id % ? = 0")) {
                for (int m : new int[] {2, 3, 1000, 5}) {
                    ps.setInt(1, 1);
                    ps.setInt(2, m);
                    ps.addBatch();
                }
                out.add("update counts: " + Arrays.toString(ps.executeLargeBatch()));
            }
            out.add(contents(c, "b"));
            out.add(since(before, counters(c)));
        });
        assertThat(seen.get(1))
                .as("insert counts")
                .matches("insert counts: (" + BATCH + "x1|1x-2|" + BATCH + "x-2|" + "1x" + BATCH + ")");
        assertThat(seen.get(3)).startsWith(BATCH + " rows");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, rewriteBatchedStatements=false&useServerPrepStmts=false",
        "CONNECTOR_J, rewriteBatchedStatements=true&useServerPrepStmts=true",
        "MARIADB, useServerPrepStmts=false",
        "MARIADB, useServerPrepStmts=true&useBulkStmts=false",
        "MARIADB, useServerPrepStmts=true&useBulkStmts=true",
    })
    void aBatchFailingInTheMiddleReportsTheSame(Driver driver, String params) throws Exception {
        List<String> seen = Transcript.sameBothWays(fixture, driver, params, (c, out) -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE f (id INT PRIMARY KEY, v INT)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO f VALUES (?, ?)")) {
                for (int id : new int[] {1, 2, 3, 2, 4, 5}) { // the second 2 is a duplicate key
                    ps.setInt(1, id);
                    ps.setInt(2, id * 10);
                    ps.addBatch();
                }
                try {
                    ps.executeBatch();
                    out.add("no error");
                } catch (BatchUpdateException e) {
                    out.add(Transcript.error(e) + " counts " + Arrays.toString(e.getLargeUpdateCounts()));
                }
            }
            out.add(contents(c, "f"));
        });
        assertThat(seen.get(0)).startsWith("error 1062 23000");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, rewriteBatchedStatements=false",
        "CONNECTOR_J, rewriteBatchedStatements=true&allowMultiQueries=true",
        "MARIADB, ''",
    })
    void statementBatchesOfDifferentStatements(Driver driver, String params) throws Exception {
        List<String> seen = Transcript.sameBothWays(fixture, driver, params, (c, out) -> {
            try (Statement s = c.createStatement()) {
                s.addBatch("CREATE TEMPORARY TABLE sb (id INT PRIMARY KEY, v INT)");
                for (int i = 0; i < 50; i++) {
                    s.addBatch("INSERT INTO sb VALUES (" + i + ", " + i * i + ")");
                }
                s.addBatch("UPDATE sb SET v = v + 1 WHERE id < 20");
                s.addBatch("DELETE FROM sb WHERE id >= 45");
                out.add("counts: " + Arrays.toString(s.executeLargeBatch()));
            }
            out.add(contents(c, "sb"));
        });
        assertThat(seen.get(seen.size() - 1)).startsWith("45 rows");
    }

    /** "N rows" and a digest of every row, computed by the server. */
    private static String contents(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), MD5(GROUP_CONCAT("
                        + "CONCAT_WS(':', " + (table.equals("b") ? "id, name, amount, HEX(data)" : "id, v")
                        + ") ORDER BY id SEPARATOR '|')) FROM " + table)) {
            rs.next();
            return rs.getLong(1) + " rows, md5 " + rs.getString(2);
        }
    }

    /**
     * The session's command counters: what reached the server, in what shape. Not COM_STMT_CLOSE: in pool.mode
     * transaction a client's close of a statement does not close the server's, which stays on the connection for the
     * sessions that prepare the same text (bounded per connection; see ServerStatements).
     */
    private static java.util.Map<String, Long> counters(Connection c) throws SQLException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VARIABLE_NAME, VARIABLE_VALUE "
                        + "FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME IN ('COM_INSERT', 'COM_UPDATE', "
                        + "'COM_STMT_PREPARE', 'COM_STMT_EXECUTE') ORDER BY VARIABLE_NAME")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The commands counted between two readings of {@link #counters}. */
    private static String since(java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
        StringBuilder out = new StringBuilder("counters since:");
        after.forEach((k, v) -> out.append(' ').append(k).append('=').append(v - before.getOrDefault(k, 0L)));
        return out.toString();
    }

    /** Run-length summary of update counts: "300x1" or "1x-2". */
    private static String summary(long[] counts) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < counts.length; ) {
            int j = i;
            while (j < counts.length && counts[j] == counts[i]) {
                j++;
            }
            out.append(out.length() == 0 ? "" : ",").append(j - i).append('x').append(counts[i]);
            i = j;
        }
        return out.toString();
    }

    // ---- transactions ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, useLocalTransactionState=false",
        "CONNECTOR_J, useLocalTransactionState=true",
        "MARIADB, ''",
    })
    void commitIsVisibleAndRollbackIsNotFromAnotherConnection(Driver driver, String params) throws Exception {
        // useLocalTransactionState: Connector/J sends COMMIT/ROLLBACK only when the server's status flags say a
        // transaction is open, so a wrong IN_TRANS flag relayed by Sluice would lose the commit
        String run = driver.name() + "-" + RUN.incrementAndGet();
        try (Connection writer = driver.viaSluice(fixture, params);
                Connection reader = driver.viaSluice(fixture, params);
                Connection directReader = driver.direct(fixture, "")) {
            writer.setAutoCommit(false);
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO tx VALUES (?, ?)")) {
                ps.setString(1, run + "-committed");
                ps.setInt(2, 1);
                ps.executeUpdate();
                assertThat(count(reader, run + "-committed"))
                        .as("uncommitted, another connection")
                        .isZero();
                writer.commit();
                assertThat(count(reader, run + "-committed"))
                        .as("committed, through Sluice")
                        .isEqualTo(1);
                assertThat(count(directReader, run + "-committed"))
                        .as("committed, direct")
                        .isEqualTo(1);

                ps.setString(1, run + "-rolled-back");
                ps.setInt(2, 2);
                ps.executeUpdate();
                assertThat(count(writer, run + "-rolled-back"))
                        .as("own transaction sees it")
                        .isEqualTo(1);
                writer.rollback();
            }
            assertThat(count(writer, run + "-rolled-back")).isZero();
            assertThat(count(reader, run + "-rolled-back")).isZero();
            assertThat(count(directReader, run + "-rolled-back")).isZero();

            // a statement failing inside a transaction leaves it open; the earlier insert still commits
            try (Statement s = writer.createStatement()) {
                s.executeUpdate("INSERT INTO tx VALUES ('" + run + "-kept', 3)");
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO tx VALUES ('" + run + "-kept', 4)"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getErrorCode()).isEqualTo(1062));
            }
            writer.commit();
            assertThat(count(reader, run + "-kept")).isEqualTo(1);
            writer.setAutoCommit(true);
            try (Statement s = writer.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@autocommit")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    private static int count(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM tx WHERE k = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
