package dev.sluice.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** MariaDB Connector/J connections to a sandbox (test scope only: the kit itself has no JDBC). */
final class Jdbc {
    private Jdbc() {}

    static Connection connect(MariaDbSandbox db, String user, String password, String extra) throws SQLException {
        String url = "jdbc:mariadb://" + db.host() + ":" + db.port() + "/?connectTimeout=5000"
                + (extra.isEmpty() ? "" : "&" + extra);
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        return DriverManager.getConnection(url, credentials);
    }

    static Connection root(MariaDbSandbox db, String extra) throws SQLException {
        return connect(db, db.rootUser(), db.rootPassword(), extra);
    }

    /** The first column of the first row, as text. */
    static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            if (!rows.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rows.getString(1);
        }
    }
}
