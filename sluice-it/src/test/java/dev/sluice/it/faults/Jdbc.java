package dev.sluice.it.faults;

import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.testkit.MariaDbSandbox;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Driver connections for the fault tests, to any port (Sluice, or a relay in front of it). */
final class Jdbc {
    private Jdbc() {}

    /** MySQL Connector/J as the fixture's user, plain text (so a relay sees the protocol bytes). */
    static Connection mysql(int port, String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:" + port + "/test?sslMode=DISABLED" + "&allowPublicKeyRetrieval=true"
                        + (extra.isEmpty() ? "" : "&" + extra),
                ProxyFixture.USER,
                ProxyFixture.PASSWORD);
    }

    /** MariaDB Connector/J as the fixture's user (no TLS unless asked). */
    static Connection mariadb(int port, String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + port + "/test" + (extra.isEmpty() ? "" : "?" + extra),
                ProxyFixture.USER,
                ProxyFixture.PASSWORD);
    }

    static Connection driver(String driver, int port, String extra) throws SQLException {
        return driver.equals("mysql") ? mysql(port, extra) : mariadb(port, extra);
    }

    /** Root straight to the sandbox: the view the tests check Sluice against. */
    static Connection root(MariaDbSandbox sandbox) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://" + sandbox.host() + ":" + sandbox.port() + "/test", "root", sandbox.rootPassword());
    }

    /** A statement that streams: MySQL Connector/J's MIN_VALUE convention, MariaDB's fetch size. */
    static Statement streaming(Connection c, String driver) throws SQLException {
        Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        s.setFetchSize(driver.equals("mysql") ? Integer.MIN_VALUE : 1000);
        return s;
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }
}
