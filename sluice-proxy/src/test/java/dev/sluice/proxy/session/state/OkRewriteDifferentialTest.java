package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proof of {@link OkRewriter} against MariaDB: for each kind of client (with and without CLIENT_SESSION_TRACK,
 * with and without CLIENT_DEPRECATE_EOF), the same statements run on a direct connection with the client's
 * capabilities and on a Sluice-style connection (CLIENT_SESSION_TRACK forced, Sluice's trackers on, set up as the
 * pool does); every terminal packet of the second, rewritten for the client's {@link ClientTrackerView}, must be
 * byte-identical to the first's (rows too). The client also changes and reads its own trackers on the way, and the
 * Sluice side does what the session must do then ({@link SluiceStyleConnection}): run the statement under the
 * client's trackers, read the client's new settings back, learn the new list's order, turn its own trackers on again.
 */
class OkRewriteDifferentialTest {
    private static final String USER = "app";
    private static final String PASSWORD = "app-pw";
    static final long BASE = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS;

    /** The client's statements; the ones naming session_track_ change the client's own trackers. */
    private static final List<String> STATEMENTS = List.of(
            "SET NAMES latin1",
            "USE other",
            "SET autocommit=0",
            "SET sql_mode='ANSI'",
            "SET @u=1",
            "CREATE TEMPORARY TABLE tt(a INT)",
            "INSERT INTO tt VALUES (1),(2)",
            "SELECT a FROM tt",
            "COMMIT",
            "SET autocommit=1",
            "SET time_zone='+01:00', autocommit=0, character_set_client=utf8mb4, character_set_results=utf8mb4",
            "SET character_set_results=NULL",
            "SET NAMES utf8mb4 COLLATE utf8mb4_bin",
            "SET sql_mode=DEFAULT; SELECT 1; SET time_zone=DEFAULT",
            "SELECT @@session_track_system_variables, @@session_track_schema, @@session_track_state_change",
            "SET session_track_system_variables='time_zone,sql_mode,autocommit'",
            "SELECT @@session_track_system_variables, @@session_track_schema, @@session_track_state_change",
            "SET time_zone='+02:00', sql_mode='ANSI_QUOTES', autocommit=1",
            "SET session_track_state_change=ON",
            "SET @v=2",
            "SET session_track_schema=OFF",
            "USE test",
            "SET session_track_system_variables='*'",
            "SET wait_timeout=100, time_zone='+03:00'",
            "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(USER, PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE DATABASE other")
            .build();

    static Stream<Arguments> clients() {
        return Stream.of(
                Arguments.of(
                        "session track, deprecate eof",
                        BASE | Capability.CLIENT_SESSION_TRACK | Capability.CLIENT_DEPRECATE_EOF),
                Arguments.of("session track, eof", BASE | Capability.CLIENT_SESSION_TRACK),
                Arguments.of("no session track, deprecate eof", BASE | Capability.CLIENT_DEPRECATE_EOF),
                Arguments.of("no session track, eof", BASE));
    }

    private static RawMariaDb connect(long capabilities) {
        return RawMariaDb.login(db.sandbox().host(), db.sandbox().port(), USER, PASSWORD, "test", capabilities);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void rewrittenOksAreByteIdenticalToDirectOnes(String name, long capabilities) {
        try (RawMariaDb direct = connect(capabilities)) {
            try (SluiceStyleConnection sluice = new SluiceStyleConnection(db.sandbox(), USER, PASSWORD, capabilities)) {
                int rewritten = 0;
                for (String sql : STATEMENTS) {
                    List<String> expected = direct.query(sql).stream()
                            .map(t -> ByteBufUtil.hexDump(t.payload()))
                            .toList();
                    List<String> actual = sluice.run(sql);
                    System.out.printf("ok-rewrite %s: %-70s direct %s%n", name, sql, expected);
                    assertThat(actual)
                            .as(name + ": " + sql + " (view " + sluice.view + ")")
                            .isEqualTo(expected);
                    rewritten++;
                }
                assertThat(rewritten).isEqualTo(STATEMENTS.size());
            }
        }
    }
}
