package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.backend.ConnectionFailedException;
import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ResultSet;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.client.ComFieldList;
import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComProcessKill;
import dev.sluice.protocol.message.client.ComResetConnection;
import dev.sluice.protocol.message.client.ComSetOption;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command the codec client sends, against a real server: multi-statements and multi-results, CALL
 * with result sets and OUT parameters, cursors, the simple commands (ping, statistics, init db, field list,
 * reset connection, set option, process kill), LOAD DATA LOCAL INFILE, and OK packets whose
 * last_insert_id / affected_rows need 1, 3, 4 or 9 bytes.
 */
class CommandsTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .initSql(
                    "CREATE DATABASE it",
                    "CREATE DATABASE other",
                    "CREATE TABLE it.items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'none', qty INT)",
                    "INSERT INTO it.items SELECT seq, CONCAT('item', seq), seq * 10 FROM it.seq_1_to_10")
            .build();

    private static CodecClient codec;
    private ServerConnection c;

    @BeforeAll
    static void start() {
        codec = new CodecClient();
    }

    @AfterAll
    static void stop() {
        codec.close();
    }

    @BeforeEach
    void connect() {
        c = codec.connect(db.sandbox(), b -> b.database("it"));
    }

    @AfterEach
    void disconnect() {
        c.close();
    }

    private static Object scalar(ServerConnection connection, String sql) {
        return connection.querySync(sql).resultSet().rows().get(0).get(0);
    }

    private static String text(Object value) {
        return value == null ? null : new String((byte[]) value, StandardCharsets.UTF_8);
    }

    // ---- pipelined commands (the pool's reset) ---------------------------------------------------

    /**
     * Commands written in one flush: every response read in order into its own future, sequence ids starting
     * at 0 for each; an ERR in the middle fails only its command, the later ones still run; the connection is
     * usable afterwards. With and without CLIENT_DEPRECATE_EOF (result sets end differently).
     */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void pipelinedCommandsAnswerInOrderEachOnItsOwn(boolean deprecateEof) {
        try (ServerConnection conn =
                codec.connect(db.sandbox(), b -> b.database("it").deprecateEof(deprecateEof))) {
            conn.querySync("SET @before_reset = 1");
            List<java.util.concurrent.CompletableFuture<QueryResult>> answers = conn.pipeline(List.of(
                    new ComResetConnection(),
                    dev.sluice.protocol.message.client.ComQuery.of("SELECT @before_reset"),
                    dev.sluice.protocol.message.client.ComQuery.of("SELECT id FROM items WHERE id <= 3 ORDER BY id"),
                    dev.sluice.protocol.message.client.ComQuery.of("SELECT * FROM no_such_table"),
                    ComInitDb.of("other"),
                    dev.sluice.protocol.message.client.ComQuery.of("SELECT DATABASE(), 5")));

            assertThat(answers).hasSize(6);
            assertThat(ServerConnection.await(answers.get(0)).resultSets()).isEmpty();
            assertThat(ServerConnection.await(answers.get(1))
                            .resultSet()
                            .rows()
                            .get(0)
                            .get(0))
                    .as("the reset ran before the next command")
                    .isNull();
            assertThat(ServerConnection.await(answers.get(2)).resultSet().rows())
                    .containsExactly(List.of(1L), List.of(2L), List.of(3L));
            Throwable err = catchThrowable(() -> ServerConnection.await(answers.get(3)));
            assertThat(err).isInstanceOf(ServerException.class);
            assertThat(((ServerException) err).errorCode()).isEqualTo(1146);
            assertThat(ServerConnection.await(answers.get(4)).resultSets()).isEmpty();
            List<Object> last =
                    ServerConnection.await(answers.get(5)).resultSet().rows().get(0);
            assertThat(text(last.get(0))).as("the command after the ERR ran").isEqualTo("other");
            assertThat(last.get(1)).isEqualTo(5L);

            assertThat(scalar(conn, "SELECT 6")).isEqualTo(6L);
            // a second batch right after, on the same connection
            List<java.util.concurrent.CompletableFuture<QueryResult>> again = conn.pipeline(List.of(
                    ComInitDb.of("it"), dev.sluice.protocol.message.client.ComQuery.of("SELECT COUNT(*) FROM items")));
            assertThat(ServerConnection.await(again.get(1)).resultSet().rows()).containsExactly(List.of(10L));
        }
    }

    // ---- multi-statements and multi-results ------------------------------------------------------

    /** With CLIENT_DEPRECATE_EOF (result sets end in a 0xFE OK) and without (they end in EOF). */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void multiStatementsGiveEveryResultSetAndOkInOrder(boolean deprecateEof) {
        try (ServerConnection conn =
                codec.connect(db.sandbox(), b -> b.database("it").deprecateEof(deprecateEof))) {
            conn.querySync("CREATE TEMPORARY TABLE m (v INT)");
            QueryResult r = conn.querySync(
                    "SELECT 1; SELECT 2, 'three'; INSERT INTO m VALUES (1), (2), (3); SELECT v FROM m ORDER BY v;"
                            + " UPDATE m SET v = v + 1 WHERE v > 1");

            assertThat(r.resultSets()).hasSize(3);
            assertThat(r.resultSets().get(0).rows()).containsExactly(List.of(1L));
            List<Object> second = r.resultSets().get(1).rows().get(0);
            assertThat(second.get(0)).isEqualTo(2L);
            assertThat(text(second.get(1))).isEqualTo("three");
            assertThat(r.resultSets().get(2).rows()).containsExactly(List.of(1L), List.of(2L), List.of(3L));
            for (int i = 0; i < 3; i++) {
                assertThat(ServerStatus.has(r.resultSets().get(i).statusFlags(), ServerStatus.MORE_RESULTS_EXISTS))
                        .as("result %d flags more results", i)
                        .isTrue();
            }
            assertThat(r.oks()).extracting(OkPacket::affectedRows).containsExactly(3L, 2L);
            assertThat(ServerStatus.has(r.oks().get(0).statusFlags(), ServerStatus.MORE_RESULTS_EXISTS))
                    .isTrue();
            assertThat(ServerStatus.has(r.ok().statusFlags(), ServerStatus.MORE_RESULTS_EXISTS))
                    .isFalse();
            // the connection is usable afterwards: nothing of the response was left unread
            assertThat(scalar(conn, "SELECT COUNT(*) FROM m WHERE v > 2")).isEqualTo(2L);
        }
    }

    @Test
    void anErrorInTheMiddleOfAMultiStatementFailsTheCommandAndTheConnectionStaysUsable() {
        Throwable failure = catchThrowable(() -> c.querySync("SELECT 1; SELECT * FROM no_such_table; SELECT 3"));

        assertThat(failure).isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(1146);
            assertThat(e.sqlState()).isEqualTo("42S02");
        });
        assertThat(scalar(c, "SELECT 4")).isEqualTo(4L);
    }

    // ---- stored procedures ---------------------------------------------------------------------

    private void createProcedure() {
        c.querySync("CREATE OR REPLACE PROCEDURE twice(IN a INT, OUT b INT, INOUT s VARCHAR(20))"
                + " BEGIN SELECT a AS first; SELECT a * 2 AS doubled, 'x' AS tag UNION ALL SELECT a * 4, 'y';"
                + " SET b = a * 3; SET s = CONCAT(s, '!'); END");
    }

    @Test
    void callByQueryReturnsEachResultSetThenTheCallsOk() {
        createProcedure();
        QueryResult r = c.querySync("SET @s = 'hi'; CALL twice(5, @b, @s)");

        assertThat(r.resultSets()).hasSize(2);
        assertThat(r.resultSets().get(0).rows()).containsExactly(List.of(5L));
        assertThat(r.resultSets().get(1).rows()).hasSize(2);
        assertThat(r.resultSets().get(1).rows().get(1).get(0)).isEqualTo(20L);
        assertThat(r.oks()).hasSize(2); // SET, then the CALL's own OK
        List<Object> out = c.querySync("SELECT @b, @s").resultSet().rows().get(0);
        assertThat(out.get(0)).isEqualTo(15L);
        assertThat(text(out.get(1))).isEqualTo("hi!");
    }

    /** Over the binary protocol OUT/INOUT parameters come back as one more result set flagged PS_OUT_PARAMS. */
    @Test
    void callByPreparedStatementReturnsOutParametersAsAResultSet() {
        createProcedure();
        PreparedStatement call = c.prepareSync("CALL twice(?, ?, ?)");
        assertThat(call.parameters()).hasSize(3);

        QueryResult r = c.executeSync(
                call,
                List.of(
                        BoundParameter.of(BinaryType.of(ColumnType.LONG), 7L),
                        BoundParameter.of(BinaryType.of(ColumnType.NULL), null),
                        BoundParameter.of(BinaryType.of(ColumnType.VAR_STRING), "hey")));

        assertThat(r.resultSets()).hasSize(3);
        assertThat(r.resultSets().get(0).rows()).containsExactly(List.of(7L));
        assertThat(r.resultSets().get(1).rows().get(0).get(0)).isEqualTo(14L);
        ResultSet outParams = r.resultSets().get(2);
        assertThat(ServerStatus.has(outParams.statusFlags(), ServerStatus.PS_OUT_PARAMS))
                .isTrue();
        assertThat(outParams.rows()).hasSize(1);
        assertThat(outParams.rows().get(0).get(0)).isEqualTo(21L);
        assertThat(text(outParams.rows().get(0).get(1))).isEqualTo("hey!");
        assertThat(r.oks()).hasSize(1);
        assertThat(scalar(c, "SELECT 1")).isEqualTo(1L);
    }

    // ---- cursors -------------------------------------------------------------------------------

    @ParameterizedTest(name = "batch of {0}")
    @ValueSource(ints = {3, 5, 10, 11})
    void aReadOnlyCursorFetchedInBatchesGivesTheRowsOfAPlainSelect(int batch) {
        String sql = "SELECT id, name, qty FROM items WHERE id > ? ORDER BY id";
        List<BoundParameter> params = List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG), 0L));
        PreparedStatement statement = c.prepareSync(sql);
        List<List<Object>> plain = c.executeSync(statement, params).resultSet().rows();
        assertThat(plain).hasSize(10);

        QueryResult opened = ServerConnection.await(c.executeWithCursor(statement, params));
        ResultSet head = opened.resultSet();
        assertThat(head.rows()).isEmpty();
        assertThat(head.columns()).extracting(ColumnDefinition41::name).containsExactly("id", "name", "qty");
        assertThat(ServerStatus.has(head.statusFlags(), ServerStatus.CURSOR_EXISTS))
                .isTrue();

        List<List<Object>> fetched = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int fetches = 0; ; fetches++) {
            assertThat(fetches).as("fetches before LAST_ROW_SENT").isLessThan(20);
            ResultSet rs = ServerConnection.await(c.fetch(statement, batch));
            assertThat(rs.rows().size()).isLessThanOrEqualTo(batch);
            fetched.addAll(rs.rows());
            sizes.add(rs.rows().size());
            if (ServerStatus.has(rs.statusFlags(), ServerStatus.LAST_ROW_SENT)) {
                break;
            }
            assertThat(rs.rows()).as("a batch without LAST_ROW_SENT is full").hasSize(batch);
        }
        assertThat(comparable(fetched)).as("batches %s", sizes).isEqualTo(comparable(plain));
        ServerConnection.await(c.closeStatement(statement));
        assertThat(scalar(c, "SELECT 1")).isEqualTo(1L);
    }

    /** Rows with byte[] values replaced by hex, so lists compare by content. */
    private static List<List<Object>> comparable(List<List<Object>> rows) {
        return rows.stream()
                .map(row -> row.stream()
                        .map(v ->
                                v instanceof byte[] b ? (Object) HexFormat.of().formatHex(b) : v)
                        .toList())
                .toList();
    }

    // ---- simple commands -----------------------------------------------------------------------

    @Test
    void pingAndStatistics() {
        OkPacket ok = ServerConnection.await(c.ping());
        assertThat(ok.affectedRows()).isZero();
        assertThat(ServerStatus.has(ok.statusFlags(), ServerStatus.AUTOCOMMIT)).isTrue();

        String stats = ServerConnection.await(c.statistics());
        assertThat(stats).startsWith("Uptime: ").contains("Threads: ").contains("Questions: ");
    }

    @Test
    void initDbChangesTheDefaultSchemaAndAnUnknownOneIsAnError() {
        c.command(ComInitDb.of("other")).join();
        assertThat(text(scalar(c, "SELECT DATABASE()"))).isEqualTo("other");

        assertThatThrownBy(() -> ServerConnection.await(c.command(ComInitDb.of("nowhere"))))
                .isInstanceOfSatisfying(ServerException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(1049);
                    assertThat(e.sqlState()).isEqualTo("42000");
                });
        assertThat(text(scalar(c, "SELECT DATABASE()"))).isEqualTo("other");
    }

    @Test
    void fieldListGivesColumnDefinitionsWithDefaults() {
        QueryResult r = ServerConnection.await(c.command(ComFieldList.of("items", "")));
        List<ColumnDefinition41> defs = r.resultSet().columns();

        assertThat(defs).extracting(ColumnDefinition41::name).containsExactly("id", "name", "qty");
        assertThat(defs)
                .extracting(ColumnDefinition41::type)
                .containsExactly(ColumnType.LONG, ColumnType.VAR_STRING, ColumnType.LONG);
        assertThat(defs.get(1).table()).isEqualTo("items");
        assertThat(r.resultSet().rows()).isEmpty();

        List<ColumnDefinition41> wild = ServerConnection.await(c.command(ComFieldList.of("items", "q%")))
                .resultSet()
                .columns();
        assertThat(wild).extracting(ColumnDefinition41::name).containsExactly("qty");
    }

    @Test
    void resetConnectionClearsSessionState() {
        c.querySync("SET @v = 42");
        c.querySync("CREATE TEMPORARY TABLE scratch (x INT)");
        assertThat(scalar(c, "SELECT @v")).isEqualTo(42L);

        OkPacket ok =
                ServerConnection.await(c.command(ComResetConnection.INSTANCE)).ok();

        assertThat(ok.affectedRows()).isZero();
        assertThat(scalar(c, "SELECT @v")).isNull();
        assertThatThrownBy(() -> c.querySync("SELECT * FROM scratch"))
                .isInstanceOfSatisfying(
                        ServerException.class, e -> assertThat(e.errorCode()).isEqualTo(1146));
    }

    /** The server answers COM_SET_OPTION with an EOF (a 0xFE-headed OK under CLIENT_DEPRECATE_EOF). */
    @ParameterizedTest(name = "deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void setOptionTurnsMultiStatementsOffAndOn(boolean deprecateEof) {
        try (ServerConnection conn = codec.connect(db.sandbox(), b -> b.deprecateEof(deprecateEof))) {
            ServerConnection.await(conn.command(new ComSetOption(ComSetOption.MULTI_STATEMENTS_OFF)));
            assertThatThrownBy(() -> conn.querySync("SELECT 1; SELECT 2"))
                    .isInstanceOfSatisfying(
                            ServerException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(1064));

            ServerConnection.await(conn.command(new ComSetOption(ComSetOption.MULTI_STATEMENTS_ON)));
            assertThat(conn.querySync("SELECT 1; SELECT 2").resultSets()).hasSize(2);
        }
    }

    @Test
    void processKillEndsAnotherConnection() {
        ServerConnection victim = codec.root(db.sandbox());
        try {
            assertThat(scalar(victim, "SELECT CONNECTION_ID()")).isEqualTo(victim.connectionId());

            ServerConnection.await(c.command(new ComProcessKill(victim.connectionId())));

            // The server closes the victim's socket; the client notices without being asked.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !victim.isOpen());
            assertThatThrownBy(() -> victim.querySync("SELECT 1"))
                    .isInstanceOf(ConnectionFailedException.class)
                    .hasMessageContaining(
                            db.sandbox().host() + ":" + db.sandbox().port())
                    .hasMessageContaining("the connection is closed; COM_QUERY was not sent");
        } finally {
            victim.close();
        }
        assertThatThrownBy(() -> ServerConnection.await(c.command(new ComProcessKill(victim.connectionId()))))
                .isInstanceOfSatisfying(
                        ServerException.class, e -> assertThat(e.errorCode()).isEqualTo(1094));
    }

    /**
     * The codec client does not implement COM_CHANGE_USER (its answer is an authentication exchange, not a
     * command response): the command must be refused at once, before anything is sent, naming the command, and
     * the connection must stay usable.
     */
    @Test
    void changeUserIsRefusedBeforeItIsSent() {
        ComChangeUser change = new ComChangeUser("root", new byte[0], "other", 45, "mysql_native_password", null);

        assertThatThrownBy(() -> ServerConnection.await(c.command(change), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("COM_CHANGE_USER");

        assertThat(c.isOpen()).isTrue();
        assertThat(text(scalar(c, "SELECT CONCAT(CURRENT_USER(), ' ', DATABASE())")))
                .isEqualTo("root@127.0.0.1 it");
    }

    /**
     * The codec client does not advertise CLIENT_LOCAL_FILES, so the server refuses LOAD DATA LOCAL outright
     * with an ERR instead of asking for the file; the command must end (no hang) and leave the connection usable.
     */
    @Test
    void loadDataLocalInfileEndsWithAnErrorAndNoHang() {
        c.querySync("CREATE TEMPORARY TABLE loaded (line VARCHAR(100))");

        Throwable failure = catchThrowable(() -> ServerConnection.await(
                c.query("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE loaded"), Duration.ofSeconds(10)));

        assertThat(failure).isInstanceOf(ServerException.class);
        assertThat(((ServerException) failure).errorCode()).isIn(1148, 4166);
        assertThat(scalar(c, "SELECT COUNT(*) FROM loaded")).isEqualTo(0L);
    }

    // ---- OK packet integers at length-encoded boundaries ----------------------------------------

    @ParameterizedTest(name = "id {0}")
    @ValueSource(
            strings = {
                "250",
                "251",
                "65535",
                "65536",
                "16777215",
                "16777216",
                "4294967297",
                "9223372036854775807",
                "9223372036854775808",
                "18446744073709551614"
            })
    void lastInsertIdAtLengthEncodedBoundaries(String id) {
        c.querySync("CREATE TABLE IF NOT EXISTS ids (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT)");
        c.querySync("DELETE FROM ids");

        OkPacket explicit =
                c.querySync("INSERT INTO ids VALUES (" + id + ", 1)").ok();
        assertThat(Long.toUnsignedString(explicit.lastInsertId())).isEqualTo(id);

        c.querySync("DELETE FROM ids");
        c.querySync("ALTER TABLE ids AUTO_INCREMENT = " + id);
        OkPacket generated = c.querySync("INSERT INTO ids (v) VALUES (2)").ok();
        assertThat(Long.toUnsignedString(generated.lastInsertId())).isEqualTo(id);
        assertThat(scalar(c, "SELECT LAST_INSERT_ID()")).isEqualTo(asValue(id));
    }

    private static Object asValue(String unsigned) {
        BigInteger v = new BigInteger(unsigned);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    @Test
    void affectedRowsAboveTheThreeByteBoundary() {
        c.querySync("CREATE TEMPORARY TABLE many (id INT PRIMARY KEY, v INT)");
        OkPacket inserted = c.querySync("INSERT INTO many SELECT seq, 0 FROM seq_1_to_70000")
                .ok();
        assertThat(inserted.affectedRows()).isEqualTo(70_000L);
        assertThat(inserted.info()).contains("Records: 70000");

        OkPacket updated =
                c.querySync("UPDATE many SET v = 1 WHERE id <= 65537").ok();
        assertThat(updated.affectedRows()).isEqualTo(65_537L);
        OkPacket deleted = c.querySync("DELETE FROM many").ok();
        assertThat(deleted.affectedRows()).isEqualTo(70_000L);
    }
}
