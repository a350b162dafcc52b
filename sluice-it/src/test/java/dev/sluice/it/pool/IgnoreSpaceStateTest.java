package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client logging in with CLIENT_IGNORE_SPACE (MariaDB Connector/J does) gets IGNORE_SPACE added to its session's
 * sql_mode by the server. In transaction mode its session must keep that sql_mode on whichever connection it runs,
 * also one that another session left with an sql_mode of its own: the state Sluice re-applies is the login's sql_mode
 * (the global value plus IGNORE_SPACE), not the global value. Found when MariaDB Connector/J sessions sharing two
 * connections prepared the same statements under two different sql_modes.
 */
class IgnoreSpaceStateTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static final int SESSIONS = 6;

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(2, Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    private static Connection direct() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://" + db.sandbox().host() + ":" + db.sandbox().port() + "/test",
                PoolProxy.USER,
                PoolProxy.PASSWORD);
    }

    private static String sqlMode(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void set(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void sessionsSharingTwoConnectionsEachHaveTheLoginsSqlMode() throws Exception {
        String expected = directSqlMode();
        List<Connection> sessions = new ArrayList<>();
        try {
            // logins alternate between Sluice's event loops; a connection serves the sessions of its own loop, so
            // with two connections each one serves several sessions in turn, the later ones on a connection an
            // earlier session left its state on
            for (int i = 0; i < SESSIONS; i++) {
                Connection c = sluice.mariadb("");
                sessions.add(c);
                assertThat(sqlMode(c)).as("session %d's sql_mode", i + 1).isEqualTo(expected);
            }
            for (int i = 0; i < SESSIONS; i++) {
                assertThat(sqlMode(sessions.get(i)))
                        .as("session %d's sql_mode again", i + 1)
                        .isEqualTo(expected);
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void theLoginsSqlModeFollowsTheSessionToAConnectionAnotherSessionChanged() throws Exception {
        String expected = directSqlMode();
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS; i++) {
                sessions.add(sluice.mariadb(""));
            }
            set(sessions.get(0), "SET SESSION sql_mode = 'ANSI_QUOTES'");
            for (int i = 1; i < SESSIONS; i++) {
                assertThat(sqlMode(sessions.get(i)))
                        .as("session %d's sql_mode", i + 1)
                        .isEqualTo(expected);
            }
            assertThat(sqlMode(sessions.get(0))).isEqualTo("ANSI_QUOTES");
            set(sessions.get(0), "SET SESSION sql_mode = DEFAULT");
            for (int i = 1; i < SESSIONS; i++) {
                assertThat(sqlMode(sessions.get(i)))
                        .as("session %d's sql_mode", i + 1)
                        .isEqualTo(expected);
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    private static String directSqlMode() throws SQLException {
        try (Connection d = direct()) {
            String mode = sqlMode(d);
            assertThat(mode)
                    .as("MariaDB Connector/J logs in with CLIENT_IGNORE_SPACE")
                    .contains("IGNORE_SPACE");
            return mode;
        }
    }
}
