package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OK packets whose length-encoded integers sit at every boundary of the encoding (1 byte below 251, 0xFC + 2
 * bytes, 0xFD + 3, 0xFE + 8), read by both drivers through Sluice and straight from the server: last insert
 * ids (getGeneratedKeys, LAST_INSERT_ID()) and affected-row counts above 65535. A relay that re-encoded one of
 * them wrongly would hang or mislead the driver (DESIGN invariant 2).
 */
class DriverOkPacketTest {
    /** Generated ids: the last one-byte value and the first of each wider encoding, and their neighbours. */
    private static final List<String> IDS = List.of(
            "250",
            "251",
            "65535",
            "65536",
            "16777215",
            "16777216",
            "4294967295",
            "4294967296",
            "4294967303",
            "9223372036854775807",
            "9223372036854775809");

    private static final int BIG = 70_000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.big (id INT PRIMARY KEY, v INT) "
                            + "SELECT seq AS id, 0 AS v FROM test.seq_1_to_" + BIG)
            .build();

    static ProxyFixture fixture;

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

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, useServerPrepStmts=false",
        "CONNECTOR_J, useServerPrepStmts=true",
        "MARIADB, useServerPrepStmts=false",
        "MARIADB, useServerPrepStmts=true",
    })
    void insertIdsAtEveryLengthEncodingBoundary(Driver driver, String params) throws Exception {
        List<String> seen = Transcript.sameBothWays(fixture, driver, params, (c, out) -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE ai (id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT, v VARCHAR(10))");
            }
            String previous = null;
            for (String id : IDS) {
                // an explicit id one below (unless the last generated id is that one), so the next generated id
                // is the boundary value; the OK packet carries the explicit id too
                String below = new java.math.BigInteger(id)
                        .subtract(java.math.BigInteger.ONE)
                        .toString();
                if (!below.equals(previous)) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate(
                                "INSERT INTO ai VALUES (" + below + ", 'explicit')", Statement.RETURN_GENERATED_KEYS);
                        out.add("explicit " + below + ": keys " + keys(s.getGeneratedKeys()));
                    }
                }
                previous = id;
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO ai (v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, "generated");
                    out.add("generated: count " + ps.executeUpdate() + " keys " + keys(ps.getGeneratedKeys()));
                }
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID()")) {
                    rs.next();
                    out.add("LAST_INSERT_ID() " + rs.getString(1));
                }
            }
        });
        for (String id : IDS) {
            assertThat(seen).contains("LAST_INSERT_ID() " + id);
            // MariaDB Connector/J gives generated keys as signed longs (directly too): above 2^63-1 they wrap
            String key = driver == Driver.MARIADB ? Long.toString(new java.math.BigInteger(id).longValue()) : id;
            assertThat(seen.stream().filter(l -> l.equals("generated: count 1 keys [" + key + "]")))
                    .as("%s", seen)
                    .hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, useAffectedRows=false&useServerPrepStmts=false",
        "MARIADB, useAffectedRows=true&useServerPrepStmts=true",
    })
    void affectedRowsAbove65535(Driver driver, String params) throws Exception {
        for (boolean viaSluice : new boolean[] {false, true}) {
            try (Connection c = viaSluice ? driver.viaSluice(fixture, params) : driver.direct(fixture, params)) {
                c.setAutoCommit(false); // rolled back, so every run sees the same table
                try (PreparedStatement ps = c.prepareStatement("UPDATE big SET v = v + ? WHERE id > ?")) {
                    ps.setInt(1, 1);
                    ps.setInt(2, 0);
                    assertThat(ps.executeLargeUpdate())
                            .as("all rows, %s", viaSluice ? "Sluice" : "direct")
                            .isEqualTo(BIG);
                    ps.setInt(2, 65536 - 1);
                    assertThat(ps.executeLargeUpdate()).isEqualTo(BIG - 65535);
                }
                try (Statement s = c.createStatement()) {
                    assertThat(s.executeLargeUpdate("DELETE FROM big WHERE id <= 65536"))
                            .isEqualTo(65536);
                    assertThat(s.executeLargeUpdate("UPDATE big SET v = 7 WHERE id <= 65536 + 251"))
                            .isEqualTo(251);
                }
                c.rollback();
            }
        }
    }

    private static String keys(ResultSet rs) throws SQLException {
        StringBuilder out = new StringBuilder("[");
        try (rs) {
            while (rs.next()) {
                out.append(out.length() == 1 ? "" : ", ").append(rs.getString(1));
            }
        }
        return out.append(']').toString();
    }
}
