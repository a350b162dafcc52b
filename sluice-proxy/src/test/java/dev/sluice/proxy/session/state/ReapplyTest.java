package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proof of {@link SessionState#reapply} on MariaDB: a session sets one kind of state on connection A (tracked
 * as Sluice's connections are), its state is captured from A's OKs alone, and re-applied on a fresh connection B and
 * on a connection C that another session left with different settings; then what the server says of the session
 * (database, character sets and collation, autocommit, sql_mode, time zone, isolation, wait_timeout,
 * LAST_INSERT_ID(), and a variable only C had set) must be identical on A and on B and C.
 */
class ReapplyTest {
    private static final String USER = "app";
    private static final String PASSWORD = "app-pw";
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final String OBSERVE = "SELECT DATABASE(), @@character_set_client, @@character_set_connection,"
            + " @@character_set_results, @@collation_connection, @@autocommit, @@sql_mode, @@time_zone,"
            + " @@tx_isolation, @@wait_timeout, LAST_INSERT_ID(), @@max_join_size, @@tx_read_only";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(USER, PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE DATABASE other",
                    "CREATE TABLE test.ai (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)",
                    "INSERT INTO test.ai (v) VALUES (1), (2), (3)")
            .build();

    private static EventLoopGroup group;
    private static ServerConnector connector;

    @BeforeAll
    static void startClient() {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stopClient() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A connection as Sluice's: trackers on, its state kept from its OKs only. */
    private static final class Tracked implements AutoCloseable {
        final ServerConnection connection;
        final SessionState state = SessionState.atLogin(UTF8MB4_GENERAL_CI, "test");

        Tracked() {
            connection = ServerConnection.await(connector.connect(
                    ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                            .user(USER, PASSWORD)
                            .database("test")
                            .collationId(UTF8MB4_GENERAL_CI)
                            .sessionTracking(true)
                            .build(),
                    group.next()));
            connection.querySync(SessionTracking.TRACKERS_ON);
        }

        /** Runs the statement and applies its OKs (reading back what the trackers did not say). */
        void run(String sql) {
            apply(connection.querySync(sql));
        }

        void apply(QueryResult result) {
            for (OkPacket ok : result.oks()) {
                SessionState.Applied applied = state.apply(ok);
                assertThat(applied.movable()).as(applied.reason()).isTrue();
                if (!applied.readBack().isEmpty()) {
                    List<Object> row = connection
                            .querySync(SessionState.readBackQuery(applied.readBack()))
                            .resultSet()
                            .rows()
                            .get(0);
                    for (int i = 0; i < row.size(); i++) {
                        state.readBack(applied.readBack().get(i), text(row.get(i)));
                    }
                }
            }
        }

        /** Makes this connection's state {@code session}'s: the re-apply, one write, then its OKs applied. */
        Reapply takeOn(SessionState session) {
            Reapply reapply = session.reapply(state);
            if (reapply == null) {
                return null;
            }
            List<ClientCommand> commands = reapply.commands();
            assertThat(commands).hasSizeLessThanOrEqualTo(2);
            for (var answer : connection.pipeline(commands)) {
                for (OkPacket ok : ServerConnection.await(answer).oks()) {
                    assertThat(state.copy().apply(ok).movable()).isTrue();
                }
            }
            // "= DEFAULT" comes back as the global value: the connection's state is the session's, not its OKs'
            state.assign(session);
            return reapply;
        }

        List<String> observe() {
            return connection.querySync(OBSERVE).resultSet().rows().get(0).stream()
                    .map(ReapplyTest::text)
                    .toList();
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    private static String text(Object v) {
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v == null ? null : v.toString();
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("database", List.of("USE other")),
                Arguments.of("SET NAMES with collation", List.of("SET NAMES latin1 COLLATE latin1_german1_ci")),
                Arguments.of("SET NAMES, default collation", List.of("SET NAMES latin1")),
                Arguments.of("collation_connection", List.of("SET collation_connection = utf8mb4_unicode_ci")),
                Arguments.of("autocommit", List.of("SET autocommit=0")),
                Arguments.of("sql_mode", List.of("SET sql_mode='ANSI_QUOTES,NO_BACKSLASH_ESCAPES'")),
                Arguments.of("empty sql_mode", List.of("SET sql_mode=''")),
                Arguments.of("time_zone", List.of("SET time_zone='+05:30'")),
                Arguments.of("isolation", List.of("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE")),
                Arguments.of("read only", List.of("SET SESSION TRANSACTION READ ONLY")),
                Arguments.of("wait_timeout (a number)", List.of("SET wait_timeout=1234")),
                Arguments.of("character_set_results NULL", List.of("SET character_set_results=NULL")),
                Arguments.of("last insert id", List.of("INSERT INTO ai (v) VALUES (4)")),
                Arguments.of("last insert id set", List.of("SET last_insert_id = 99")),
                Arguments.of(
                        "all at once",
                        List.of(
                                "USE other",
                                "SET NAMES latin1 COLLATE latin1_german1_ci",
                                "SET autocommit=0",
                                "SET sql_mode='ANSI_QUOTES,NO_BACKSLASH_ESCAPES'",
                                "SET time_zone='+05:30'",
                                "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                                "SET wait_timeout=1234",
                                "SET character_set_results=NULL",
                                "INSERT INTO test.ai (v) VALUES (5)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aSessionsStateReappliedOnAnotherConnectionReadsTheSame(String kind, List<String> statements) {
        try (Tracked a = new Tracked();
                Tracked b = new Tracked();
                Tracked c = new Tracked()) {
            // C served another session first
            for (String other : List.of(
                    "SET NAMES utf8mb4 COLLATE utf8mb4_bin",
                    "SET sql_mode='ANSI'",
                    "SET time_zone='-03:00'",
                    "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
                    "SET max_join_size=1000",
                    "INSERT INTO ai (v) VALUES (100)",
                    "SET wait_timeout=777")) {
                c.run(other);
            }
            List<String> fresh = b.observe();
            for (String sql : statements) {
                a.run(sql);
            }
            List<String> onA = a.observe();
            assertThat(onA).as("the statements changed what the server says").isNotEqualTo(fresh);

            Reapply toB = b.takeOn(a.state);
            Reapply toC = c.takeOn(a.state);
            System.out.printf("reapply %s: A %s%n  to B: %s%n  to C: %s%n", kind, onA, toB, toC);
            assertThat(b.observe()).as("fresh connection B").isEqualTo(onA);
            assertThat(c.observe()).as("connection C, used by another session").isEqualTo(onA);
            assertThat(a.state.reapply(c.state))
                    .as("once taken on, nothing to send again")
                    .isNull();
        }
    }

    /** The state-change entries Sluice cannot re-apply pin: what the session must not move with. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pins")
    void whatCannotMovePins(String sql) {
        try (Tracked a = new Tracked()) {
            List<SessionState.Applied> applied = new ArrayList<>();
            for (OkPacket ok : a.connection.querySync(sql).oks()) {
                applied.add(a.state.apply(ok));
            }
            assertThat(applied).anyMatch(x -> !x.movable());
        }
    }

    static Stream<String> pins() {
        return Stream.of(
                "SET @u = 1", "CREATE TEMPORARY TABLE tmp (a INT)", "PREPARE s FROM 'SELECT 1'", "SET insert_id = 100");
    }

    /**
     * What no tracker reports (without session_track_transaction_info), so that the statement recognition must pin
     * for it: characteristics for the next transaction only, and a user variable assigned in a SELECT.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("invisible")
    void whatTheTrackersDoNotSee(String sql) {
        try (Tracked a = new Tracked()) {
            assertThat(a.connection.querySync(sql).oks())
                    .allMatch(ok -> ok.sessionStateChanges().isEmpty());
        }
    }

    static Stream<String> invisible() {
        return Stream.of(
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "SET TRANSACTION READ ONLY",
                "SELECT @u := 1",
                "SELECT 1 INTO @u",
                "SELECT LAST_INSERT_ID(7)");
    }
}
