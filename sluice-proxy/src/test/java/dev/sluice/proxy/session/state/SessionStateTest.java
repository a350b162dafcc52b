package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.server.SessionStateChange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionStateTest {
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int LATIN1_SWEDISH_CI = 8;
    private static final SessionStateChange STATE =
            new SessionStateChange(SessionStateChange.STATE_CHANGE, new byte[] {1, '1'});

    private static SessionStateChange variable(String name, String value) {
        return SessionStateChange.systemVariable(name, value);
    }

    @Test
    void charsetVariablesStartFromTheLoginCollation() {
        SessionState s = SessionState.atLogin(LATIN1_SWEDISH_CI, "test");
        assertThat(s.variables())
                .containsEntry("character_set_client", "latin1")
                .containsEntry("character_set_connection", "latin1")
                .containsEntry("character_set_results", "latin1")
                .containsEntry("collation_connection", "latin1_swedish_ci")
                .hasSize(4);
        assertThat(s.database()).isEqualTo("test");
    }

    @Test
    void namedChangesAreMovableAndABareStateChangeIsNot() {
        SessionState s = SessionState.atLogin(UTF8MB4_GENERAL_CI, null);
        SessionState.Applied sqlMode = s.apply(List.of(variable("sql_mode", "ANSI"), STATE), 0);
        assertThat(sqlMode.movable()).isTrue();
        assertThat(s.variable("SQL_MODE")).isEqualTo("ANSI");

        SessionState.Applied use = s.apply(List.of(SessionStateChange.schema("other"), STATE), 0);
        assertThat(use.movable()).isTrue();
        assertThat(s.database()).isEqualTo("other");

        SessionState.Applied userVariable = s.apply(List.of(STATE), 0);
        assertThat(userVariable.movable()).isFalse();
        assertThat(userVariable.reason()).contains("user variable");
    }

    @Test
    void oneShotVariablesPinAndTrackerVariablesAreTheClients() {
        SessionState s = SessionState.atLogin(UTF8MB4_GENERAL_CI, null);
        assertThat(s.apply(List.of(variable("insert_id", "100"), STATE), 0).movable())
                .isFalse();
        SessionState.Applied trackers = s.apply(List.of(variable("session_track_system_variables", "*"), STATE), 0);
        assertThat(trackers.movable()).isTrue();
        assertThat(trackers.trackersChanged()).isTrue();
        assertThat(s.variables()).doesNotContainKeys("insert_id", "session_track_system_variables");
    }

    @Test
    void aCharsetWithoutItsCollationAsksForARead() {
        SessionState s = SessionState.atLogin(UTF8MB4_GENERAL_CI, null);
        SessionState.Applied names = s.apply(
                List.of(
                        variable("character_set_results", "utf8mb4"),
                        variable("character_set_connection", "utf8mb4"),
                        variable("character_set_client", "utf8mb4"),
                        STATE),
                0);
        assertThat(names.readBack()).containsExactly("collation_connection");
        s.readBack("collation_connection", "utf8mb4_bin");
        assertThat(s.variable("collation_connection")).isEqualTo("utf8mb4_bin");
        assertThat(SessionState.readBackQuery(names.readBack())).isEqualTo("SELECT @@session.collation_connection");
    }

    @Test
    void lastInsertIdComesFromTheOkAndTheVariable() {
        SessionState s = SessionState.atLogin(UTF8MB4_GENERAL_CI, null);
        s.apply(List.of(), 42);
        assertThat(s.lastInsertId()).isEqualTo(42);
        s.apply(List.of(), 0);
        assertThat(s.lastInsertId())
                .as("a statement without a generated id leaves it")
                .isEqualTo(42);
        s.apply(List.of(variable("last_insert_id", "77"), STATE), 0);
        assertThat(s.lastInsertId()).isEqualTo(77);
        assertThat(s.variables()).doesNotContainKey("last_insert_id");
    }

    @Test
    void nothingDiffersNothingIsSent() {
        SessionState session = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        SessionState connection = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        assertThat(session.reapply(connection)).isNull();
        session.apply(List.of(variable("time_zone", "+01:00")), 0);
        connection.apply(List.of(variable("time_zone", "+01:00")), 0);
        assertThat(session.reapply(connection)).isNull();
    }

    @Test
    void theReapplyIsOneInitDbAndOneSetInAnOrderThatWorks() {
        SessionState session = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        session.apply(
                List.of(
                        SessionStateChange.schema("other"),
                        variable("wait_timeout", "100"),
                        variable("collation_connection", "latin1_german1_ci"),
                        variable("character_set_connection", "latin1"),
                        variable("character_set_results", ""),
                        variable("time_zone", "+01:00"),
                        variable("autocommit", "OFF")),
                5);
        SessionState connection = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        connection.apply(List.of(variable("sql_mode", "ANSI"), variable("time_zone", "+01:00")), 9);

        Reapply r = session.reapply(connection);
        assertThat(r.fit()).isTrue();
        assertThat(r.database()).isEqualTo("other");
        assertThat(r.set())
                .isEqualTo("SET @@SESSION.character_set_connection = 'latin1',"
                        + " @@SESSION.collation_connection = 'latin1_german1_ci',"
                        + " @@SESSION.character_set_results = NULL, @@SESSION.autocommit = 'OFF',"
                        + " @@SESSION.last_insert_id = 5, @@SESSION.sql_mode = DEFAULT, @@SESSION.wait_timeout = 100");
        assertThat(r.commands()).hasSize(2);
        assertThat(r.commands().get(0)).isInstanceOf(ComInitDb.class);
        assertThat(r.commands().get(1)).isInstanceOf(ComQuery.class);

        connection.assign(session);
        assertThat(session.reapply(connection)).isNull();
    }

    @Test
    void aConnectionKnowsItStillHoldsTheCopyItTook() {
        SessionState session = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        session.apply(List.of(variable("sql_mode", "ANSI")), 3);
        SessionState connection = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        connection.assign(session);
        assertThat(session.reapply(connection)).isNull();

        session.apply(List.of(variable("time_zone", "+01:00")), 0);
        assertThat(session.reapply(connection).set()).isEqualTo("SET @@SESSION.time_zone = '+01:00'");
        connection.assign(session);
        assertThat(session.reapply(connection)).isNull();

        connection.apply(List.of(variable("time_zone", "SYSTEM")), 0); // another session used it
        assertThat(session.reapply(connection).set()).isEqualTo("SET @@SESSION.time_zone = '+01:00'");
        connection.apply(List.of(variable("time_zone", "+01:00")), 0);
        assertThat(session.reapply(connection)).as("equal again, by content").isNull();
        connection.apply(List.of(), 8);
        assertThat(session.reapply(connection).set()).isEqualTo("SET @@SESSION.last_insert_id = 3");
    }

    @Test
    void aSessionWithoutDatabaseCannotUseAConnectionWithOne() {
        SessionState session = SessionState.atLogin(UTF8MB4_GENERAL_CI, null);
        SessionState connection = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");
        assertThat(session.reapply(connection).fit()).isFalse();
    }

    @Test
    void valuesAreQuotedForWhatTheyAre() {
        assertThat(SetStatement.value("wait_timeout", "28800")).isEqualTo("28800");
        assertThat(SetStatement.value("long_query_time", "10.000000")).isEqualTo("10.000000");
        assertThat(SetStatement.value("sql_mode", "")).isEqualTo("''");
        assertThat(SetStatement.value("character_set_results", "")).isEqualTo("NULL");
        assertThat(SetStatement.value("sql_mode", null)).isEqualTo("DEFAULT");
        assertThat(SetStatement.value("time_zone", "Europe/Paris")).isEqualTo("'Europe/Paris'");
        String tricky = "a'b\\c€";
        assertThat(SetStatement.value("init_connect", tricky))
                .isEqualTo("CONVERT(X'"
                        + java.util.HexFormat.of().formatHex(tricky.getBytes(StandardCharsets.UTF_8))
                        + "' USING utf8mb4)");
        assertThat(SetStatement.name("odd-name")).isEqualTo("`odd-name`");
        assertThat(SetStatement.name("sql_mode")).isEqualTo("sql_mode");
    }
}
