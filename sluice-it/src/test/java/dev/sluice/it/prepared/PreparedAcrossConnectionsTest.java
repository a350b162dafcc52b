package dev.sluice.it.prepared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComResetConnection;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.protocol.message.client.ComStmtFetch;
import dev.sluice.protocol.message.client.ComStmtPrepare;
import dev.sluice.protocol.message.client.ComStmtSendLongData;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.proxy.session.prepared.PreparedStatements;
import dev.sluice.proxy.session.prepared.ServerStatements;
import dev.sluice.proxy.session.prepared.StatementContext;
import dev.sluice.proxy.session.prepared.StatementPackets;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The prepared-statement component against a real MariaDB 10.11, through raw server connections driven as a session
 * drives its leased one ({@link RawServer}): a statement prepared on connection A runs on connection B, which never
 * saw the client's prepare, with the same answers as a direct execution; sessions sharing a server statement keep
 * their own parameter types; the bound holds the server's Prepared_stmt_count; MariaDB's last-prepared id and bulk
 * execution; ids and errors as the server words them.
 */
class PreparedAcrossConnectionsTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .initSql(
                    "CREATE DATABASE it",
                    "CREATE DATABASE other",
                    "CREATE TABLE it.items (id INT PRIMARY KEY, name VARCHAR(20), note TEXT)",
                    "INSERT INTO it.items SELECT seq, CONCAT('item', seq), NULL FROM it.seq_1_to_20",
                    "CREATE TABLE other.items (id INT PRIMARY KEY, name VARCHAR(20))",
                    "INSERT INTO other.items VALUES (1, 'wrong database')",
                    "CREATE TABLE it.doomed (id INT)")
            .build();

    @RegisterExtension
    static RawServers servers = new RawServers();

    private ServerConnection login(String database) {
        return servers.login(db.sandbox(), database);
    }

    private RawServer raw(String database, int limit) {
        return servers.raw(db.sandbox(), database, limit);
    }

    private static ByteBuf encode(ClientCommand command) {
        return RawServers.encode(command);
    }

    private static ByteBuf execute(long id, boolean bound, Object... values) {
        return RawServers.execute(id, ComStmtExecute.CURSOR_TYPE_NO_CURSOR, bound, values);
    }

    private static ByteBuf execute(long id, int flags, boolean bound, Object... values) {
        return RawServers.execute(id, flags, bound, values);
    }

    private static long clientId(RawServer.Answer prepareAnswer) {
        return RawServers.statementId(prepareAnswer);
    }

    private static String lastRow(RawServer.Answer answer) {
        return RawServers.lastRow(answer);
    }

    private static long preparedStatements(ServerConnection admin) {
        return Long.parseLong(new String((byte[]) admin.querySync("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'")
                .resultSet()
                .rows()
                .get(0)
                .get(1)));
    }

    @Test
    void aStatementPreparedOnOneConnectionRunsOnAnotherWithTheSameAnswerAsDirect() {
        RawServer a = raw("it", 16);
        RawServer b = raw("it", 16);
        RawServer direct = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        String sql = "SELECT id, name, ? AS n, CONCAT(?, name) AS c, DATABASE() FROM items WHERE id <= 3";
        RawServer.Answer prepared = a.prepare(session, sql);
        long id = clientId(prepared);
        assertThat(id).isEqualTo(1);
        RawServer.Answer onA = a.command(session, execute(id, true, 7L, "x-"));
        // on B: prepared there first by Sluice, the types put back into an execution that sends none
        RawServer.Answer onB = b.command(session, execute(id, false, 7L, "x-"));
        assertThat(b.statements.size()).isEqualTo(1);
        // directly: the same text prepared and executed on a third connection, no component involved
        RawServer.Answer directPrepare = direct.direct(encode(ComStmtPrepare.of(sql)));
        long serverId = clientId(directPrepare);
        RawServer.Answer directAnswer = direct.direct(execute(serverId, true, 7L, "x-"));
        assertThat(onA.err()).isNull();
        assertThat(onB.hex()).isEqualTo(directAnswer.hex());
        assertThat(onA.hex()).isEqualTo(directAnswer.hex());
        // and again on B, the statement there now: same answer, no prepare
        assertThat(b.command(session, execute(id, false, 7L, "x-")).hex()).isEqualTo(directAnswer.hex());
        // the client's PREPARE_OK differs from the direct one in the statement id only
        byte[] mine = prepared.packets().get(0);
        byte[] theirs = directPrepare.packets().get(0).clone();
        StatementPackets.setStatementId(Unpooled.wrappedBuffer(theirs), id);
        assertThat(mine).isEqualTo(theirs);
    }

    @Test
    void sessionsSharingAServerStatementEachKeepTheirParameterTypes() {
        RawServer a = raw("it", 16);
        PreparedStatements one = new PreparedStatements();
        PreparedStatements two = new PreparedStatements();
        String sql = "SELECT ? AS v";
        long mine = clientId(a.prepare(one, sql));
        long theirs = clientId(a.prepare(two, sql));
        assertThat(a.statements.size()).isEqualTo(1); // one server statement for both
        a.command(one, execute(mine, true, 42L));
        a.command(two, execute(theirs, true, "abc"));
        // the server holds VARCHAR now; session one sends no types and must still be read as a BIGINT
        RawServer.Answer answer = a.command(one, execute(mine, false, 43L));
        RawServer.Answer expected = a.command(one, execute(mine, true, 43L));
        assertThat(answer.err()).isNull();
        assertThat(answer.hex()).isEqualTo(expected.hex());
        // what the rewrite prevents: the same execution, unchanged, on a statement whose last types are VARCHAR
        RawServer direct = raw("it", 16);
        long serverId = clientId(direct.direct(encode(ComStmtPrepare.of(sql))));
        direct.direct(execute(serverId, true, "abc"));
        RawServer.Answer unchanged = direct.direct(execute(serverId, false, 43L));
        assertThat(unchanged.hex()).isNotEqualTo(expected.hex());
    }

    @Test
    void theBoundKeepsTheServersPreparedStatementCount() {
        ServerConnection admin = login("it");
        long before = preparedStatements(admin);
        int limit = 16;
        RawServer a = raw("it", limit);
        PreparedStatements session = new PreparedStatements();
        long most = 0;
        for (int i = 0; i < 1000; i++) {
            long id = clientId(a.prepare(session, "SELECT " + i));
            RawServer.Answer answer = a.command(session, execute(id, false));
            assertThat(answer.err()).isNull();
            if (i % 50 == 0 || i == 999) {
                most = Math.max(most, preparedStatements(admin) - before);
            }
        }
        assertThat(most).isLessThanOrEqualTo(limit);
        assertThat(preparedStatements(admin) - before).isEqualTo(limit);
        assertThat(a.statements.size()).isEqualTo(limit);
        // an evicted statement of the session still works: prepared again on the connection
        RawServer.Answer first = a.command(session, execute(1, false));
        assertThat(first.err()).isNull();
        assertThat(first.packets()).hasSizeGreaterThan(2);
        assertThat(preparedStatements(admin) - before).isLessThanOrEqualTo(limit + 1);
    }

    @Test
    void resetConnectionClosesTheServersStatements() {
        ServerConnection admin = login("it");
        RawServer a = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        long before = preparedStatements(admin);
        for (int i = 0; i < 3; i++) {
            a.prepare(session, "SELECT " + i);
        }
        assertThat(preparedStatements(admin) - before).isEqualTo(3);
        a.plain(encode(new ComResetConnection()));
        // why PooledConnection drops its attachment on a reset: the server forgot them all
        assertThat(preparedStatements(admin) - before).isZero();
    }

    @Test
    void theLastPreparedIdMeansTheClientsLastPrepare() {
        RawServer a = raw("it", 16);
        RawServer b = raw("it", 16);
        RawServer direct = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        String sql = "SELECT name FROM items WHERE id = ?";
        a.prepare(session, sql);
        b.prepare(new PreparedStatements(), "SELECT 'another session prepared last here'");
        // MariaDB Connector/J pipelines PREPARE + EXECUTE(0xFFFFFFFF); here the execution lands on B, whose own
        // "last prepared" is another session's statement
        RawServer.Answer answer = b.command(session, execute(StatementPackets.LAST_PREPARED, true, 5L));
        direct.direct(encode(ComStmtPrepare.of(sql)));
        RawServer.Answer expected = direct.direct(execute(StatementPackets.LAST_PREPARED, true, 5L));
        assertThat(expected.err()).isNull();
        assertThat(answer.hex()).isEqualTo(expected.hex());

        // after a failed prepare, "the last one" is unknown, worded as the server words it
        RawServer.Answer failedPrepare = a.prepare(session, "SELECT FROM nowhere");
        assertThat(failedPrepare.err()).isNotNull();
        ErrPacket local = b.command(session, execute(StatementPackets.LAST_PREPARED, true, 5L))
                .err();
        direct.direct(encode(ComStmtPrepare.of("SELECT FROM nowhere")));
        ErrPacket server =
                direct.direct(execute(StatementPackets.LAST_PREPARED, true, 5L)).err();
        assertThat(local).isEqualTo(server);
    }

    @Test
    void unknownStatementsAreRefusedAsTheServerRefusesThem() {
        RawServer a = raw("it", 16);
        RawServer direct = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        assertThat(a.command(session, execute(99, false)).err())
                .isEqualTo(direct.direct(execute(99, false)).err());
        ByteBuf fetch = encode(new ComStmtFetch(99, 10));
        assertThat(a.command(session, fetch.copy()).err())
                .isEqualTo(direct.direct(fetch).err());
        ByteBuf reset = Unpooled.wrappedBuffer(new byte[] {0x1a, 99, 0, 0, 0});
        assertThat(a.command(session, reset.copy()).err())
                .isEqualTo(direct.direct(reset).err());
        ByteBuf bulk = Unpooled.wrappedBuffer(new byte[] {(byte) 0xfa, 99, 0, 0, 0, (byte) 0x80, 0});
        assertThat(a.command(session, bulk.copy()).err())
                .isEqualTo(direct.direct(bulk).err());
        // a fetch without a cursor: 1421 naming the client's id, as the server names its own
        long id = clientId(a.prepare(session, "SELECT 1"));
        ErrPacket local = a.command(session, encode(new ComStmtFetch(id, 1))).err();
        long serverId = clientId(direct.direct(encode(ComStmtPrepare.of("SELECT 1"))));
        ErrPacket server = direct.direct(encode(new ComStmtFetch(serverId, 1))).err();
        assertThat(local.errorCode()).isEqualTo(server.errorCode());
        assertThat(local.sqlState()).isEqualTo(server.sqlState());
        assertThat(local.message()).isEqualTo(server.message().replace("(" + serverId + ")", "(" + id + ")"));
        // COM_STMT_RESET with nothing on the server: OK, as the server answers
        assertThat(a.command(session, Unpooled.wrappedBuffer(new byte[] {0x1a, (byte) id, 0, 0, 0}))
                        .packets()
                        .get(0)[0])
                .isEqualTo((byte) 0);
    }

    @Test
    void aFailedOwnPrepareAnswersWithTheServersReasonAndKeepsTheConnectionInStep() {
        ServerConnection admin = login("it");
        RawServer a = raw("it", 16);
        RawServer b = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        long id = clientId(a.prepare(session, "SELECT * FROM doomed"));
        admin.querySync("DROP TABLE it.doomed");
        RawServer.Answer onA = a.command(session, execute(id, false)); // the server's own statement: its error
        RawServer.Answer onB = b.command(session, execute(id, false)); // prepared by Sluice: fails the same way
        assertThat(onA.err().errorCode()).isEqualTo(1146);
        assertThat(onB.err()).isEqualTo(onA.err());
        assertThat(b.statements.size()).isZero();
        // the ERR 1243 answering the pipelined execution was read and dropped: B answers the next command in step
        RawServer.Answer next = b.plain(encode(ComQuery.of("SELECT 'in step'")));
        assertThat(next.err()).isNull();
        assertThat(lastRow(next)).contains("in step");
    }

    @Test
    void aStatementRunsInTheDatabaseItWasPreparedIn() {
        RawServer a = raw("it", 16);
        RawServer b = raw("other", 16);
        RawServer direct = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        String sql = "SELECT name, DATABASE() FROM items WHERE id = 1";
        long id = clientId(a.prepare(session, sql));
        // the client then chose database "other" (USE), and its next lease is B, in "other": Sluice prepares the
        // statement in "it" there and switches back
        RawServer.Answer onB = b.command(session, execute(id, false));
        // directly: prepared in "it", then USE other, then executed
        long serverId = clientId(direct.direct(encode(ComStmtPrepare.of(sql))));
        direct.direct(encode(dev.sluice.protocol.message.client.ComInitDb.of("other")));
        RawServer.Answer expected = direct.direct(execute(serverId, false));
        assertThat(onB.hex()).isEqualTo(expected.hex());
        assertThat(lastRow(onB)).contains("item1").doesNotContain("wrong database");
        // and the connection is back in its own database
        RawServer.Answer where = b.plain(encode(ComQuery.of("SELECT DATABASE()")));
        assertThat(lastRow(where)).contains("other");
    }

    @Test
    void aStatementKeepsTheSqlModeItWasParsedUnder() {
        RawServer plainRaw = raw("it", 16);
        String mode = lastRow(plainRaw.plain(encode(ComQuery.of("SELECT @@sql_mode"))));
        StatementContext plain = new StatementContext("it", "SET SESSION sql_mode='" + mode.substring(1) + "'");
        StatementContext ansi = new StatementContext("it", "SET SESSION sql_mode='ANSI_QUOTES'");
        RawServer a = servers.raw(db.sandbox(), 16, true, ansi);
        a.plain(encode(ComQuery.of(ansi.settings())));
        RawServer b = servers.raw(db.sandbox(), 16, true, plain);
        b.plain(encode(ComQuery.of(plain.settings())));
        PreparedStatements quoting = new PreparedStatements();
        PreparedStatements other = new PreparedStatements();
        String sql = "SELECT \"name\" FROM items WHERE id = 1"; // a column under ANSI_QUOTES, a string otherwise
        long q = clientId(a.prepare(quoting, sql));
        a.context = plain;
        a.plain(encode(ComQuery.of(plain.settings())));
        long o = clientId(a.prepare(other, sql));
        assertThat(a.statements.size()).isEqualTo(2);
        assertThat(lastRow(a.command(quoting, execute(q, false)))).contains("item1");
        assertThat(lastRow(a.command(other, execute(o, false))))
                .contains("name")
                .doesNotContain("item1");
        // on B, in the plain mode: prepared under ANSI_QUOTES there, then B goes back to its mode
        assertThat(lastRow(b.command(quoting, execute(q, false)))).contains("item1");
        assertThat(lastRow(b.plain(encode(ComQuery.of("SELECT @@sql_mode"))))).isEqualTo(mode);
    }

    @Test
    void theSandboxAnnouncesAServerThatTakesTheLastPreparedId() {
        assertThat(ServerStatements.acceptsLastPreparedId(login("it").greeting().serverVersion()))
                .isTrue();
    }

    @Test
    void withoutTheLastPreparedIdTheCommandWaitsForThePrepare() {
        RawServer a = raw("it", 16);
        RawServer mysqlLike = servers.raw(db.sandbox(), 16, false, StatementContext.of("it"));
        PreparedStatements session = new PreparedStatements();
        long id = clientId(a.prepare(session, "SELECT CONCAT('x', ?)"));
        RawServer.Answer onA = a.command(session, execute(id, true, "y"));
        assertThat(mysqlLike.command(session, execute(id, false, "y")).hex()).isEqualTo(onA.hex());
    }

    @Test
    void longDataAndCursorsWorkOnAConnectionThatNeverSawThePrepare() {
        RawServer a = raw("it", 16);
        RawServer b = raw("it", 16);
        PreparedStatements session = new PreparedStatements();
        long id = clientId(a.prepare(session, "SELECT CONCAT(?, '!') AS v"));
        a.command(session, execute(id, true, "types"));
        // long data to B: prepared there first, held by this statement, pinned until the execution
        RawServer.Answer sent =
                b.command(session, encode(new ComStmtSendLongData(id, 0, "long".getBytes(StandardCharsets.UTF_8))));
        assertThat(sent.packets()).isEmpty();
        assertThat(session.pinnedByLongData()).isTrue();
        RawServer.Answer withLongData = b.command(session, execute(id, false, "ignored"));
        assertThat(withLongData.err()).isNull();
        assertThat(lastRow(withLongData)).contains("long!");
        assertThat(session.pinnedByLongData()).isFalse();

        long rows = clientId(a.prepare(session, "SELECT id FROM items WHERE id <= ? ORDER BY id"));
        a.command(session, execute(rows, true, 5L));
        RawServer.Answer opened = b.command(session, execute(rows, ComStmtExecute.CURSOR_TYPE_READ_ONLY, false, 3L));
        assertThat(opened.err()).isNull();
        assertThat(session.pinnedByCursor()).isTrue();
        RawServer.Answer firstTwo = b.command(session, encode(new ComStmtFetch(rows, 2)));
        assertThat(firstTwo.packets()).hasSize(3); // two rows, then the EOF/OK with CURSOR_EXISTS
        assertThat(session.pinnedByCursor()).isTrue();
        RawServer.Answer rest = b.command(session, encode(new ComStmtFetch(rows, 2)));
        assertThat(rest.packets()).hasSize(2); // the third row, then LAST_ROW_SENT
        assertThat(ServerStatus.has(rest.status(), ServerStatus.LAST_ROW_SENT)).isTrue();
        assertThat(session.pinnedByCursor()).isFalse();
    }
}
