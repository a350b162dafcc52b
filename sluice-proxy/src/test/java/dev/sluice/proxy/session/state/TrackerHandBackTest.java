package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.SessionTracking.TrackerDefaults;
import dev.sluice.protocol.Capability;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tracker statements are handed back (the session stays multiplexed), and what is read back after them. */
class TrackerHandBackTest {
    private static final ClientTrackerView VIEW = ClientTrackerView.atLogin(
            Capability.CLIENT_SESSION_TRACK,
            new TrackerDefaults(true, false, "autocommit,time_zone", "OFF", List.of("time_zone", "autocommit")));

    @Test
    void connectorJsConnectStatementIsHandedBackWithItsVariablesReadBack() {
        TrackerHandBack h = TrackerHandBack.of(ConnectorJConnectTest.CONNECT, VIEW);
        assertThat(h).isNotNull();
        assertThat(h.isSet()).isTrue();
        assertThat(h.probes()).as("it sets the list").isTrue();
        List<String> queries = h.readBack(List.of("collation_connection"));
        assertThat(queries.get(0)).isEqualTo(SessionTracking.SESSION_VALUES);
        assertThat(queries.get(1)).isEqualTo(SessionTracking.orderProbe().sql());
        assertThat(queries.get(2)).contains("@@session.sql_mode", "@@session.collation_connection");
        assertThat(h.variables(List.of("collation_connection")))
                .containsOnlyOnce("collation_connection")
                .contains("sql_mode", "character_set_client");
    }

    @Test
    void aReadIsHandedBackWithoutProbe() {
        TrackerHandBack h = TrackerHandBack.of("SELECT @@session_track_system_variables", VIEW);
        assertThat(h).isNotNull();
        assertThat(h.isSet()).isFalse();
        assertThat(h.readBack(List.of())).containsExactly(SessionTracking.SESSION_VALUES);
        ClientTrackerView next = h.learn(List.of("1", "0", "autocommit,time_zone", "OFF"), null);
        assertThat(next.order()).as("the list did not change: its order holds").isEqualTo(VIEW.order());
    }

    @Test
    void whatAReadBackCannotCoverPins() {
        for (String sql : List.of(
                "SET session_track_schema = 0, @u = 1",
                "SET session_track_schema = 0, insert_id = 5",
                "SET STATEMENT max_statement_time = 1 FOR SELECT @@session_track_schema",
                "SELECT @@session_track_schema; SET @u = 1",
                "SELECT @@session_track_schema INTO @u",
                "CALL p(@@session_track_schema)")) {
            assertThat(TrackerHandBack.of(sql, VIEW)).as(sql).isNull();
        }
    }

    @Test
    void aNewListWhoseOrderIsUnknownCannotBeLearned() {
        TrackerHandBack h = TrackerHandBack.of("SET session_track_system_variables = 'sql_mode,autocommit'", VIEW);
        assertThat(h.learn(List.of("1", "0", "autocommit,sql_mode", "OFF"), null))
                .as("the probe failed")
                .isNull();
        assertThat(h.learn(List.of("1", "0", "*", "OFF"), null).order())
                .as("'*' has no order")
                .isEmpty();
        assertThat(h.learn(List.of("1", "0", "autocommit,sql_mode", "OFF"), List.of("SQL_MODE", "autocommit"))
                        .order())
                .containsExactly("sql_mode", "autocommit");
    }
}
