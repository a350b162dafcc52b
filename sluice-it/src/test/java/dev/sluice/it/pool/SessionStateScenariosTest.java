package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ResultSet;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.Transport;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two sessions interleaved through Sluice give the same answers as two direct connections (issue 11): each scenario
 * is a script of statements by sessions A and B, run once directly and once through each pool mode with a pool of
 * two server connections; the transcripts (rows, OK fields and transaction flags, error codes) must be identical.
 * Each scenario covers one pin reason or state kind: user variables, temporary tables, advisory locks, LAST_INSERT_ID()
 * spelled several ways, ROW_COUNT(), FOUND_ROWS(), transactions with savepoints, XA, LOCK TABLES, session variables,
 * USE and SET NAMES. Codec clients: they send nothing at login, so every statement is the scenario's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionStateScenariosTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE DATABASE other",
                    "CREATE TABLE test.auto (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
                    "CREATE TABLE test.t (x INT)",
                    "INSERT INTO test.t VALUES (1), (2), (3), (4), (5)",
                    "CREATE TABLE other.o (y INT)",
                    "INSERT INTO other.o VALUES (42)")
            .build();

    private final Map<PoolMode, PoolProxy> proxies = new java.util.EnumMap<>(PoolMode.class);
    private EventLoopGroup group;
    private ServerConnector direct;

    @BeforeAll
    void start() {
        for (PoolMode mode : PoolMode.values()) {
            proxies.put(
                    mode,
                    new PoolProxy(
                            db.sandbox().host(),
                            db.sandbox().port(),
                            db.sandbox().rootPassword(),
                            PoolProxy.timeouts(Duration.ofSeconds(5)),
                            PoolProxy.pool(
                                            mode == PoolMode.SESSION ? 0 : 2,
                                            Duration.ofSeconds(5),
                                            Duration.ofSeconds(2))
                                    .withMode(mode)));
        }
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        direct = new ServerConnector(group, transport);
    }

    @AfterAll
    void stop() {
        proxies.values().forEach(PoolProxy::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of(
                        "user variables",
                        List.of(
                                "A: SET @x = 1",
                                "B: SELECT @x",
                                "A: SELECT @x",
                                "B: SET @x = 2",
                                "A: SELECT @x := @x + 10",
                                "B: SELECT @x",
                                "A: SELECT @x")),
                Arguments.of(
                        "temporary tables",
                        List.of(
                                "A: CREATE TEMPORARY TABLE tt (x INT)",
                                "A: INSERT INTO tt VALUES (7)",
                                "B: SELECT * FROM tt",
                                "A: SELECT * FROM tt",
                                "A: DROP TEMPORARY TABLE tt",
                                "B: CREATE TEMPORARY TABLE tt (y INT)",
                                "A: SELECT * FROM tt",
                                "B: SELECT COUNT(*) FROM tt",
                                "B: DROP TEMPORARY TABLE tt")),
                Arguments.of(
                        "advisory locks",
                        List.of(
                                "A: SELECT GET_LOCK('scenario', 0)",
                                "B: SELECT GET_LOCK('scenario', 0)",
                                "A: SELECT IS_USED_LOCK('scenario') IS NOT NULL",
                                "A: SELECT RELEASE_LOCK('scenario')",
                                "B: SELECT GET_LOCK('scenario', 0)",
                                "A: SELECT IS_FREE_LOCK('scenario')",
                                "B: SELECT RELEASE_ALL_LOCKS()")),
                Arguments.of(
                        "last insert id, spelled several ways",
                        List.of(
                                "A: INSERT INTO auto (v) VALUES (1)",
                                "B: INSERT INTO auto (v) VALUES (2), (3)",
                                "A: SELECT LAST_INSERT_ID()",
                                "B: select last_insert_id() AS id",
                                "A: SELECT @@identity",
                                "B: SELECT /* comment */ LAST_INSERT_ID ( ) + 0",
                                "A: SELECT @@last_insert_id")),
                Arguments.of(
                        "row count and found rows",
                        List.of(
                                "A: UPDATE t SET x = x WHERE x > 2",
                                "B: UPDATE t SET x = x + 0 WHERE x = 1",
                                "A: SELECT ROW_COUNT()",
                                "A: SELECT SQL_CALC_FOUND_ROWS x FROM t ORDER BY x LIMIT 2",
                                "B: SELECT x FROM t WHERE x = 1",
                                "A: SELECT FOUND_ROWS()",
                                "B: SELECT FOUND_ROWS()")),
                Arguments.of(
                        "transactions with savepoints",
                        List.of(
                                "A: START TRANSACTION",
                                "A: INSERT INTO auto (v) VALUES (100)",
                                "A: SAVEPOINT s1",
                                "A: INSERT INTO auto (v) VALUES (101)",
                                "B: SELECT COUNT(*) FROM auto WHERE v >= 100",
                                "A: ROLLBACK TO SAVEPOINT s1",
                                "A: SELECT COUNT(*) FROM auto WHERE v >= 100",
                                "A: COMMIT",
                                "B: SELECT COUNT(*) FROM auto WHERE v >= 100",
                                "B: DELETE FROM auto WHERE v >= 100")),
                Arguments.of(
                        "XA",
                        List.of(
                                "A: XA START 'sc1'",
                                "A: INSERT INTO auto (v) VALUES (200)",
                                "B: SELECT COUNT(*) FROM auto WHERE v = 200",
                                "A: XA END 'sc1'",
                                "A: XA PREPARE 'sc1'",
                                "A: XA COMMIT 'sc1'",
                                "B: SELECT COUNT(*) FROM auto WHERE v = 200",
                                "B: DELETE FROM auto WHERE v = 200")),
                Arguments.of(
                        "LOCK TABLES",
                        List.of(
                                "A: LOCK TABLES t READ",
                                "B: SELECT 1",
                                "A: SELECT COUNT(*) FROM t",
                                "A: SELECT COUNT(*) FROM auto",
                                "A: UNLOCK TABLES",
                                "A: SELECT COUNT(*) FROM auto")),
                Arguments.of(
                        "session variables, USE and SET NAMES",
                        List.of(
                                "A: SET SESSION sql_mode = 'ANSI_QUOTES'",
                                "B: SELECT @@session.sql_mode = @@global.sql_mode",
                                "A: SELECT @@session.sql_mode",
                                "A: USE other",
                                "B: SELECT DATABASE()",
                                "A: SELECT DATABASE(), COUNT(*) FROM o",
                                "A: SET NAMES latin1",
                                "B: SELECT @@character_set_client, @@character_set_results",
                                "A: SELECT @@character_set_client, @@character_set_results",
                                "A: SET autocommit = 0",
                                "A: INSERT INTO test.auto (v) VALUES (300)",
                                "B: SELECT COUNT(*) FROM auto WHERE v = 300",
                                "A: ROLLBACK",
                                "A: SELECT @@autocommit, COUNT(*) FROM test.auto WHERE v = 300")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void sameAnswersAsDirectInBothPoolModes(String name, List<String> script) {
        String expected = run(
                script,
                () -> ServerConnection.await(direct.connect(
                        ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                                .user(PoolProxy.USER, PoolProxy.PASSWORD)
                                .database("test")
                                .connectTimeout(Duration.ofSeconds(10))
                                .build())));
        for (PoolMode mode : PoolMode.values()) {
            PoolProxy sluice = proxies.get(mode);
            assertThat(run(script, sluice::codec))
                    .as("%s through Sluice in %s mode", name, mode)
                    .isEqualTo(expected);
        }
    }

    private String run(List<String> script, Supplier<ServerConnection> connect) {
        try (ServerConnection root = ServerConnection.await(direct.connect(
                ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                        .user(db.sandbox().rootUser(), db.sandbox().rootPassword())
                        .connectTimeout(Duration.ofSeconds(10))
                        .build()))) {
            root.querySync("TRUNCATE test.auto"); // the same AUTO_INCREMENT values in every run
        }
        List<String> transcript = new ArrayList<>();
        try (ServerConnection a = connect.get();
                ServerConnection b = connect.get()) {
            for (String line : script) {
                ServerConnection c = line.startsWith("A:") ? a : b;
                String sql = line.substring(3);
                transcript.add(line + " => " + answer(c, sql));
            }
        }
        return String.join("\n", transcript);
    }

    private static String answer(ServerConnection c, String sql) {
        try {
            QueryResult r = c.querySync(sql);
            List<String> parts = new ArrayList<>();
            for (ResultSet rs : r.resultSets()) {
                parts.add(rs.rows().stream()
                        .map(row -> row.stream()
                                .map(SessionStateScenariosTest::text)
                                .collect(Collectors.joining(",")))
                        .collect(Collectors.joining(";", "[", "]")));
            }
            for (OkPacket ok : r.oks()) {
                parts.add("ok(" + ok.affectedRows() + "," + ok.lastInsertId() + ",w" + ok.warnings() + ",trans="
                        + ServerStatus.has(ok.statusFlags(), ServerStatus.IN_TRANS) + ")");
            }
            return String.join(" ", parts);
        } catch (ServerException e) {
            return "ERR " + e.errorCode() + " " + e.sqlState();
        }
    }

    private static String text(Object v) {
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
    }
}
