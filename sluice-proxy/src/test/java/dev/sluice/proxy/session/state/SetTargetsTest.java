package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SetTargetsTest {
    @Test
    void connectorJsConnectStatementNamesSqlModeAndTheCharsetVariables() {
        SetTargets.Targets t = SetTargets.of(ConnectorJConnectTest.CONNECT);
        assertThat(t.movable()).isTrue();
        assertThat(t.setsTrackerList()).isTrue();
        assertThat(t.variables())
                .containsExactly(
                        "sql_mode",
                        "character_set_client",
                        "character_set_connection",
                        "character_set_results",
                        "collation_connection");
    }

    @Test
    void scopesPrefixesAndQuotedNames() {
        SetTargets.Targets t = SetTargets.of("SET SESSION wait_timeout = 5, @@session.time_zone='+01:00', "
                + "@@autocommit := 0, GLOBAL max_connections = 10, `sql_mode` = 'a,b', LOCAL net_read_timeout=(1+2)");
        assertThat(t.movable()).isTrue();
        assertThat(t.setsTrackerList()).isFalse();
        assertThat(t.variables())
                .containsExactly("wait_timeout", "time_zone", "autocommit", "sql_mode", "net_read_timeout");
        assertThat(SetTargets.of("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        .variables())
                .containsExactly("tx_isolation", "tx_read_only");
    }

    @Test
    void whatAReadBackCannotMoveIsNotMovable() {
        assertThat(SetTargets.of("SET @u = 1, sql_mode = ''").movable()).isFalse();
        assertThat(SetTargets.of("SET TRANSACTION READ ONLY").movable()).isFalse();
        assertThat(SetTargets.of("SET PASSWORD = PASSWORD('x')").movable()).isFalse();
        assertThat(SetTargets.of("SELECT 1")).isNull();
    }

    @Test
    void stringsAndCommentsAreNotTokensOfTheStatement() {
        SetTargets.Targets t =
                SetTargets.of("/* x=1, */ SET sql_mode = 'x, @y = 2' -- , z = 3\n, time_zone = \"+01:00\" # w=1");
        assertThat(t.movable()).isTrue();
        assertThat(t.variables()).containsExactly("sql_mode", "time_zone");
    }
}
