package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a driver saw, line by line, so a scenario run through Sluice can be compared with the same scenario run
 * straight against the server: result-set columns and rows, update counts, errors (code and SQLSTATE).
 */
final class Transcript {
    /** One scenario on one connection, writing what it sees. */
    @FunctionalInterface
    interface Scenario {
        void run(Connection c, List<String> out) throws Exception;
    }

    private Transcript() {}

    static List<String> of(Connection c, Scenario scenario) throws Exception {
        List<String> out = new ArrayList<>();
        scenario.run(c, out);
        return out;
    }

    /**
     * Runs {@code scenario} on a connection through Sluice and on one straight to the sandbox (same driver, same
     * parameters) and asserts both saw the same; returns the transcript for further checks.
     */
    static List<String> sameBothWays(ProxyFixture fixture, Driver driver, String params, Scenario scenario)
            throws Exception {
        List<String> direct;
        try (Connection c = driver.direct(fixture, params)) {
            direct = of(c, scenario);
        }
        List<String> proxied;
        try (Connection c = driver.viaSluice(fixture, params)) {
            proxied = of(c, scenario);
        }
        assertThat(proxied)
                .as("%s (%s) through Sluice vs direct", driver, params)
                .isEqualTo(direct);
        return proxied;
    }

    /** Every row of {@code rs}, column labels first, each value by getString (NULL as the word). */
    static void rows(ResultSet rs, List<String> out) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder header = new StringBuilder("columns:");
        for (int i = 1; i <= md.getColumnCount(); i++) {
            header.append(' ').append(md.getColumnLabel(i));
        }
        out.add(header.toString());
        while (rs.next()) {
            StringBuilder row = new StringBuilder("row:");
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String v = rs.getString(i);
                row.append(' ').append(v == null ? "NULL" : "'" + v + "'");
            }
            out.add(row.toString());
        }
    }

    /** Walks every result of an executed statement with getMoreResults, an error ending the walk. */
    static void allResults(Statement s, boolean firstIsResultSet, List<String> out) {
        try {
            boolean isResultSet = firstIsResultSet;
            for (; ; ) {
                if (isResultSet) {
                    try (ResultSet rs = s.getResultSet()) {
                        rows(rs, out);
                    }
                } else {
                    long count = s.getLargeUpdateCount();
                    if (count == -1) {
                        return;
                    }
                    out.add("update count: " + count);
                }
                isResultSet = s.getMoreResults();
            }
        } catch (SQLException e) {
            out.add(error(e));
        }
    }

    static String error(SQLException e) {
        return "error " + e.getErrorCode() + " " + e.getSQLState();
    }
}
