package dev.sluice.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.ops.OpsTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What drivers send when they connect, answered as a server would; everything else is not theirs. */
class DriverQueriesTest {
    private static final DriverQueries.Client CLIENT = new DriverQueries.Client(7, "ops", "10.0.0.1");

    private static OpsTable table(String sql) {
        AdminReply r = DriverQueries.answer(AdminCommands.normalise(sql), CLIENT);
        assertThat(r).as(sql).isInstanceOf(AdminReply.Table.class);
        return ((AdminReply.Table) r).table();
    }

    @Test
    void connectorJsVariables() {
        OpsTable t = table("/* mysql-connector-j-9.1.0 (Revision: x) */SELECT  @@session.auto_increment_increment AS"
                + " auto_increment_increment, @@character_set_client AS character_set_client, @@max_allowed_packet AS"
                + " max_allowed_packet, @@license AS license, @@transaction_isolation AS transaction_isolation,"
                + " @@no_such_thing AS unknown_one");
        assertThat(t.columns().stream().map(OpsTable.Column::name))
                .containsExactly(
                        "auto_increment_increment",
                        "character_set_client",
                        "max_allowed_packet",
                        "license",
                        "transaction_isolation",
                        "unknown_one");
        assertThat(t.columns().get(0).kind()).isEqualTo(OpsTable.Kind.INTEGER);
        assertThat(t.rows())
                .singleElement()
                .satisfies(row -> assertThat(row)
                        .containsExactly(
                                1L, "utf8mb4", (long) DriverQueries.MAX_PACKET, "Apache-2.0", "REPEATABLE-READ", null));
    }

    @Test
    void cliAndFunctions() {
        assertThat(table("select @@version_comment limit 1").rows()).containsExactly(List.of("Sluice admin interface"));
        assertThat(table("select @@version_comment limit 1").columns().get(0).name())
                .isEqualTo("@@version_comment");
        assertThat(table("SELECT DATABASE(), USER(), CONNECTION_ID(), 1, 'x' AS y")
                        .rows()
                        .get(0))
                .containsExactly(null, "ops@10.0.0.1", 7L, 1L, "x");
        assertThat(table("SHOW VARIABLES LIKE 'max_allowed%'").rows())
                .containsExactly(List.of("max_allowed_packet", String.valueOf(DriverQueries.MAX_PACKET)));
        assertThat(table("SHOW WARNINGS").rows()).isEmpty();
    }

    @Test
    void setsAreAcceptedButNotSetServer() {
        assertThat(DriverQueries.answer("SET NAMES utf8mb4", CLIENT)).isInstanceOf(AdminReply.Ok.class);
        assertThat(DriverQueries.answer(
                        "SET autocommit=1, sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES')", CLIENT))
                .isInstanceOf(AdminReply.Ok.class);
        assertThat(DriverQueries.answer("SET SERVER db1 OFFLINE NOW", CLIENT)).isNull();
        assertThat(DriverQueries.answer("SELECT * FROM t", CLIENT)).isNull();
        assertThat(DriverQueries.answer("SELECT SLEEP(1)", CLIENT)).isNull();
    }

    @Test
    void normaliseDropsCommentsAndSemicolons() {
        assertThat(AdminCommands.normalise("  /* a */ -- b\n # c\n SHOW SERVERS ;; "))
                .isEqualTo("SHOW SERVERS");
    }
}
