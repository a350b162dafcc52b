package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
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
 * How many statements Sluice keeps on each server connection comes from the server's own limits: its
 * max_prepared_stmt_count shared over the connections Sluice may open (max_connections here). With the default
 * max_prepared_stmt_count (16,382) and 1,000 connections that is 14 per connection; this server allows 1,000,000, so
 * Sluice keeps up to 256 and a session cycling through 20 statements is not prepared again at every execution (it
 * was, when Sluice assumed the default: each execution evicted the statement the next one needed).
 */
class StatementBudgetTest {
    private static final int STATEMENTS = 20;
    private static final int ROUNDS = 3;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .option("max-connections", "1000")
            .option("max-prepared-stmt-count", "1000000")
            .initSql("CREATE DATABASE test")
            .build();

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(1, Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    private static long preparesOnServer() throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        "jdbc:mariadb://" + db.sandbox().host() + ":"
                                + db.sandbox().port() + "/",
                        "root",
                        db.sandbox().rootPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    void aSessionCyclingThroughTwentyStatementsIsNotPreparedAgainAtEachExecution() throws Exception {
        ServerConnection c = sluice.codec();
        try {
            long before = preparesOnServer();
            List<PreparedStatement> statements = new ArrayList<>();
            for (int i = 0; i < STATEMENTS; i++) {
                statements.add(c.prepareSync("SELECT " + i + " + ?"));
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < STATEMENTS; i++) {
                    List<Object> row = c.executeSync(
                                    statements.get(i),
                                    List.of(BoundParameter.of(BinaryType.of(ColumnType.LONGLONG), (long) round)))
                            .resultSet()
                            .rows()
                            .get(0);
                    assertThat(((Number) row.get(0)).longValue()).isEqualTo(i + round);
                }
            }
            // the client's 20 prepares, and at most one more per statement (none while the connection keeps them)
            assertThat(preparesOnServer() - before)
                    .as("COM_STMT_PREPAREs the server ran for %d statements executed %d times each", STATEMENTS, ROUNDS)
                    .isLessThanOrEqualTo(2L * STATEMENTS);
        } finally {
            c.close();
        }
    }
}
