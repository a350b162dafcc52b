package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.SessionTracking;
import dev.sluice.protocol.Capability;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What MariaDB Connector/J 3.5.11 sends right after its login (captured from a MariaDB 10.11 general log with
 * {@code connectionCollation=utf8mb4_bin&sessionVariables=sql_mode=ANSI}), through a Sluice-style connection: the
 * client gets the OK it gets directly, its tracker list is the one it gets directly (no {@code ,last_gtid}, which
 * its {@code IF(LOCATE('*',@@session_track_system_variables)...)} would add under Sluice's {@code *}), and the
 * session's state, re-applied on another connection, is the direct one, sql_mode and collation included (neither
 * is in Connector/J's tracker list: both are read back).
 */
class ConnectorJConnectTest {
    private static final String USER = "app";
    private static final String PASSWORD = "app-pw";
    /** What Connector/J asks for by default (no multi-statements). */
    private static final long CONNECTOR_J = (OkRewriteDifferentialTest.BASE & ~Capability.CLIENT_MULTI_STATEMENTS)
            | Capability.CLIENT_SESSION_TRACK
            | Capability.CLIENT_DEPRECATE_EOF;

    static final String CONNECT = "set sql_mode=CONCAT(@@sql_mode,',STRICT_TRANS_TABLES'),"
            + "session_track_system_variables=CONCAT('autocommit,character_set_client,character_set_connection,"
            + "character_set_results,time_zone,tx_isolation',IF(LOCATE('*',@@session_track_system_variables)>0 OR"
            + " FIND_IN_SET('last_gtid',LOWER(REPLACE(@@session_track_system_variables,' ','')))>0,',last_gtid','')),"
            + "session_track_schema=1,NAMES utf8mb4 COLLATE utf8mb4_bin,sql_mode=ANSI";
    private static final String OBSERVE = "SELECT @@sql_mode, @@character_set_client, @@character_set_connection,"
            + " @@character_set_results, @@collation_connection, @@autocommit, @@time_zone, @@tx_isolation";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(USER, PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    @Test
    void connectorJsConnectStatementLooksAndEndsAsDirect() {
        try (RawMariaDb direct = RawMariaDb.login(
                        db.sandbox().host(), db.sandbox().port(), USER, PASSWORD, "test", CONNECTOR_J);
                SluiceStyleConnection sluice = new SluiceStyleConnection(db.sandbox(), USER, PASSWORD, CONNECTOR_J);
                SluiceStyleConnection other = new SluiceStyleConnection(db.sandbox(), USER, PASSWORD, CONNECTOR_J)) {
            List<String> statements = List.of(
                    CONNECT,
                    "SET time_zone='+01:00', autocommit=0",
                    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                    "SET NAMES latin1",
                    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
            for (String sql : statements) {
                List<String> expected = direct.query(sql).stream()
                        .map(t -> io.netty.buffer.ByteBufUtil.hexDump(t.payload()))
                        .toList();
                assertThat(sluice.run(sql)).as(sql).isEqualTo(expected);
                if (sql == CONNECT) {
                    assertThat(sluice.clientTrackers).isEqualTo(direct.row(SessionTracking.SESSION_VALUES));
                }
            }
            Reapply reapply = sluice.state.reapply(other.state);
            System.out.println("connector-j: re-apply " + reapply);
            assertThat(reapply.database()).isNull();
            other.connection.query(reapply.set());
            assertThat(other.connection.row(OBSERVE)).isEqualTo(direct.row(OBSERVE));
        }
    }
}
