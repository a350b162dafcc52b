package dev.sluice.proxy.session.prepared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog and the per-connection set without a server: ids, sharing, types, holds, the bound. */
class PreparedStatementsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final long CAPS = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_DEPRECATE_EOF;

    private static final StatementContext DB = StatementContext.of("db");

    private final PreparedStatements session = new PreparedStatements();

    private static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(HEX.parseHex(s.replace(" ", "")));
    }

    /** Prepares {@code sql} on {@code on} as if the server answered with {@code serverId}; returns the client id. */
    private long prepare(PreparedStatements s, ServerStatements on, String sql, long serverId, int params) {
        ByteBuf prepare = StatementPackets.prepare(ALLOC, sql.getBytes());
        s.prepareSent(prepare, DB);
        prepare.release();
        ByteBuf ok = Unpooled.buffer();
        ok.writeByte(0)
                .writeIntLE((int) serverId)
                .writeShortLE(1)
                .writeShortLE(params)
                .writeByte(0)
                .writeShortLE(0);
        long clientId = s.prepareOk(ok, on);
        assertThat(StatementPackets.statementId(ok)).isEqualTo(clientId);
        return clientId;
    }

    private static ByteBuf execute(long id, int flags, String params) {
        return hex("17" + String.format("%08x", Integer.reverseBytes((int) id)) + String.format("%02x", flags)
                + "01000000" + params);
    }

    private static String sent(Routing r) {
        assertThat(r).isInstanceOf(Routing.Forward.class);
        ByteBuf p = ((Routing.Forward) r).payload();
        String s = ByteBufUtil.hexDump(p);
        p.release();
        return s;
    }

    @Test
    void clientIdsCountFromOnePerSessionWhateverTheServerIds() {
        ServerStatements a = new ServerStatements(8, true);
        assertThat(prepare(session, a, "SELECT 1", 900, 0)).isEqualTo(1);
        assertThat(prepare(session, a, "SELECT 2", 901, 0)).isEqualTo(2);
        PreparedStatements other = new PreparedStatements();
        assertThat(prepare(other, a, "SELECT 3", 902, 0)).isEqualTo(1);
    }

    @Test
    void executionOnTheConnectionThatHasTheTextGoesWithItsId() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT ?", 900, 1);
        Routing r = session.route(execute(id, 0, "00 01 0300 2a000000"), a, DB, CAPS, ALLOC);
        assertThat(sent(r)).isEqualTo("17" + "84030000" + "00" + "01000000" + "00010300" + "2a000000");
    }

    @Test
    void anotherSessionSharesTheServerStatementAndGetsItsOwnTypesBack() {
        ServerStatements a = new ServerStatements(8, true);
        PreparedStatements other = new PreparedStatements();
        long mine = prepare(session, a, "SELECT ?", 900, 1);
        long theirs = prepare(other, a, "SELECT ?", 901, 1); // same text: the newer one replaces the older
        assertThat(a.size()).isEqualTo(1);
        assertThat(closes(a)).containsExactly("1984030000");

        sent(session.route(execute(mine, 0, "00 01 0300 2a000000"), a, DB, CAPS, ALLOC)); // LONG
        sent(other.route(execute(theirs, 0, "00 01 0f00 0161"), a, DB, CAPS, ALLOC)); // VARCHAR
        // flag 0: the server holds VARCHAR from the other session, so this one's LONG goes back in
        assertThat(sent(session.route(execute(mine, 0, "00 00 2b000000"), a, DB, CAPS, ALLOC)))
                .isEqualTo("17" + "85030000" + "00" + "01000000" + "00" + "01" + "0300" + "2b000000");
        // flag 0 again: the server holds LONG now, nothing to add
        assertThat(sent(session.route(execute(mine, 0, "00 00 2c000000"), a, DB, CAPS, ALLOC)))
                .isEqualTo("17" + "85030000" + "00" + "01000000" + "00" + "00" + "2c000000");
    }

    @Test
    void aConnectionWithoutTheStatementGetsItPreparedFirstWithTheLastPreparedId() {
        ServerStatements a = new ServerStatements(8, true);
        ServerStatements b = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT ?", 900, 1);
        sent(session.route(execute(id, 0, "00 01 0300 2a000000"), a, DB, CAPS, ALLOC));
        Routing r = session.route(execute(id, 0, "00 00 2b000000"), b, DB, CAPS, ALLOC);
        assertThat(r).isInstanceOf(Routing.Prepare.class);
        Reprepare re = ((Routing.Prepare) r).reprepare();
        List<ByteBuf> round = re.nextRound(ALLOC);
        assertThat(round).extracting(ByteBufUtil::hexDump).containsExactly("16" + HEX.formatHex("SELECT ?".getBytes()));
        round.forEach(ByteBuf::release);
        assertThat(re.commandInRound()).isTrue();
        ByteBuf command = re.command();
        // id 0xFFFFFFFF (the prepare just before), and the client's types, since a fresh statement has none
        assertThat(ByteBufUtil.hexDump(command)).isEqualTo("17ffffffff0001000000000103002b000000");
        command.release();
        // the server's answer: PREPARE_OK (id 77, 0 columns, 1 param), one param definition (DEPRECATE_EOF: no EOF)
        assertThat(re.accept(hex("00 4d000000 0000 0100 00 0000"))).isEqualTo(Reprepare.Progress.MORE);
        assertThat(re.accept(paramDefinition())).isEqualTo(Reprepare.Progress.ROUND_DONE);
        assertThat(re.failure()).isNull();
        assertThat(re.serverId()).isEqualTo(77);
        assertThat(b.size()).isEqualTo(1);
        // next time: straight to id 77, types known there
        assertThat(sent(session.route(execute(id, 0, "00 00 2c000000"), b, DB, CAPS, ALLOC)))
                .isEqualTo("174d00000000010000000000" + "2c000000");
    }

    @Test
    void aFailedOwnPrepareIsReportedAndTheCommandIsNotSentWithoutTheLastPreparedId() {
        ServerStatements a = new ServerStatements(8, true);
        ServerStatements mysql = new ServerStatements(8, false);
        long id = prepare(session, a, "SELECT 1", 900, 0);
        Routing r = session.route(execute(id, 0, ""), mysql, DB, CAPS, ALLOC);
        Reprepare re = ((Routing.Prepare) r).reprepare();
        re.nextRound(ALLOC).forEach(ByteBuf::release);
        assertThat(re.commandInRound()).isFalse(); // no 0xFFFFFFFF: wait for the id
        assertThat(re.accept(hex("ff 7a04 23 34325330 32 5461626c65"))).isEqualTo(Reprepare.Progress.ROUND_DONE);
        assertThat(re.failure().errorCode()).isEqualTo(1146);
        assertThat(re.nextRound(ALLOC)).isEmpty();
        assertThat(re.commandWritten()).isFalse();
        assertThat(mysql.size()).isZero();
    }

    @Test
    void aStatementPreparedInAnotherDatabaseIsPreparedThereAndTheConnectionSwitchesBack() {
        ServerStatements b = new ServerStatements(8, true);
        long id = prepare(session, new ServerStatements(8, true), "SELECT 1", 900, 0);
        Reprepare re = ((Routing.Prepare)
                        session.route(execute(id, 0, ""), b, StatementContext.of("other"), CAPS, ALLOC))
                .reprepare();
        List<ByteBuf> first = re.nextRound(ALLOC);
        assertThat(first).extracting(ByteBufUtil::hexDump).containsExactly("02" + HEX.formatHex("db".getBytes()));
        first.forEach(ByteBuf::release);
        assertThat(re.commandInRound()).isFalse(); // a failed switch must not let the prepare run elsewhere
        assertThat(re.accept(ok())).isEqualTo(Reprepare.Progress.ROUND_DONE);
        List<ByteBuf> second = re.nextRound(ALLOC);
        assertThat(second)
                .extracting(ByteBufUtil::hexDump)
                .containsExactly("16" + HEX.formatHex("SELECT 1".getBytes()), "02" + HEX.formatHex("other".getBytes()));
        second.forEach(ByteBuf::release);
        assertThat(re.commandInRound()).isTrue();
        re.command().release();
        assertThat(re.accept(hex("00 4d000000 0100 0000 00 0000"))).isEqualTo(Reprepare.Progress.MORE);
        assertThat(re.accept(columnDefinition())).isEqualTo(Reprepare.Progress.NEXT);
        assertThat(re.accept(ok())).isEqualTo(Reprepare.Progress.ROUND_DONE);
        assertThat(re.failure()).isNull();
        assertThat(re.leftElsewhere()).isFalse();
    }

    @Test
    void statementsParsedUnderOtherSettingsAreNotSharedAndSwitchBack() {
        StatementContext ansi = new StatementContext("db", "SET SESSION sql_mode='ANSI_QUOTES'");
        StatementContext plain = new StatementContext("db", "SET SESSION sql_mode=''");
        ServerStatements a = new ServerStatements(8, true);
        PreparedStatements other = new PreparedStatements();
        ByteBuf prepare = StatementPackets.prepare(ALLOC, "SELECT \"a\"".getBytes());
        session.prepareSent(prepare.duplicate(), ansi);
        session.prepareOk(hex("00 01000000 0100 0000 00 0000"), a);
        other.prepareSent(prepare, plain);
        other.prepareOk(hex("00 02000000 0100 0000 00 0000"), a);
        prepare.release();
        assertThat(a.size()).isEqualTo(2); // same text, two meanings: two server statements, none closed
        assertThat(closes(a)).isEmpty();
        // on a connection in the plain settings: the statement's settings first, alone, then prepare and back
        Reprepare re = ((Routing.Prepare)
                        session.route(execute(1, 0, ""), new ServerStatements(8, true), plain, CAPS, ALLOC))
                .reprepare();
        List<ByteBuf> enter = re.nextRound(ALLOC);
        assertThat(enter)
                .extracting(b -> b.toString(java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly("\u0003SET SESSION sql_mode='ANSI_QUOTES'");
        enter.forEach(ByteBuf::release);
        assertThat(re.commandInRound()).isFalse();
        assertThat(re.accept(ok())).isEqualTo(Reprepare.Progress.ROUND_DONE);
        List<ByteBuf> second = re.nextRound(ALLOC);
        assertThat(second).hasSize(2);
        assertThat(second.get(1).toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("\u0003SET SESSION sql_mode=''");
        second.forEach(ByteBuf::release);
        re.command().release();
        assertThat(re.accept(hex("00 07000000 0100 0000 00 0000"))).isEqualTo(Reprepare.Progress.MORE);
        assertThat(re.accept(columnDefinition())).isEqualTo(Reprepare.Progress.NEXT);
        // the way back fails: the client's command still ran right, but the connection is elsewhere now
        assertThat(re.accept(hex("ff 7a04 23 3432533032 78"))).isEqualTo(Reprepare.Progress.ROUND_DONE);
        assertThat(re.failure()).isNull();
        assertThat(re.leftElsewhere()).isTrue();
    }

    @Test
    void theLastPreparedIdMeansTheClientsLastPrepareAndFailsAfterAFailedOne() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT 1", 900, 0);
        Routing r = session.route(execute(StatementPackets.LAST_PREPARED, 0, ""), a, DB, CAPS, ALLOC);
        assertThat(((Routing.Forward) r).clientId()).isEqualTo(id);
        assertThat(sent(r)).startsWith("1784030000");
        session.prepareFailed();
        Routing failed = session.route(execute(StatementPackets.LAST_PREPARED, 0, ""), a, DB, CAPS, ALLOC);
        assertThat(((Routing.Answer) failed).err().message())
                .isEqualTo("Unknown prepared statement handler (4294967295) given to mysqld_stmt_execute");
    }

    @Test
    void unknownIdsAreAnsweredAsTheServerWouldAndNeverForwarded() {
        ServerStatements a = new ServerStatements(8, true);
        prepare(session, a, "SELECT 1", 5, 0); // server id 5 exists on the connection; client id 5 does not
        assertThat(session.needsConnection(execute(5, 0, ""))).isFalse();
        Routing r = session.route(execute(5, 0, ""), null, DB, CAPS, ALLOC);
        assertThat(((Routing.Answer) r).err().errorCode()).isEqualTo(1243);
        assertThat(((Routing.Answer) r).err().message())
                .isEqualTo("Unknown prepared statement handler (5) given to mysqld_stmt_execute");
        assertThat(session.route(hex("19 05000000"), a, DB, CAPS, ALLOC)).isInstanceOf(Routing.Drop.class);
        assertThat(session.route(hex("18 05000000 0000 61"), a, DB, CAPS, ALLOC))
                .isInstanceOf(Routing.Drop.class);
        assertThat(((Routing.Answer) session.route(hex("1a 05000000"), a, DB, CAPS, ALLOC))
                        .err()
                        .message())
                .endsWith("given to mysqld_stmt_reset");
        assertThat(((Routing.Answer) session.route(hex("1c 05000000 01000000"), a, DB, CAPS, ALLOC))
                        .err()
                        .message())
                .endsWith("given to mysqld_stmt_fetch");
    }

    @Test
    void longDataHoldsTheStatementUntilTheExecution() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT ?", 900, 1);
        Routing r = session.route(hex("18 01000000 0000 6869"), a, DB, CAPS, ALLOC);
        assertThat(((Routing.Forward) r).hasResponse()).isFalse();
        assertThat(sent(r)).isEqualTo("1884030000" + "0000" + "6869");
        assertThat(session.pinnedByLongData()).isTrue();
        // another statement of the same text prepared meanwhile must not take the held one
        PreparedStatements other = new PreparedStatements();
        long theirs = prepare(other, a, "SELECT ?", 901, 1);
        sent(other.route(execute(theirs, 0, "00 01 fc00 00"), a, DB, CAPS, ALLOC));
        assertThat(sent(session.route(execute(id, 0, "00 01 fc00"), a, DB, CAPS, ALLOC)))
                .startsWith("1784030000");
        assertThat(session.pinnedByLongData()).isFalse();
    }

    @Test
    void aCursorHoldsTheStatementUntilItsLastRow() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT 1", 900, 0);
        Routing r = session.route(execute(id, 1, ""), a, DB, CAPS, ALLOC);
        assertThat(sent(r)).isEqualTo("1784030000" + "01" + "01000000");
        session.executeEnded(id, true);
        assertThat(session.pinnedByCursor()).isTrue();
        assertThat(sent(session.route(hex("1c 01000000 0a000000"), a, DB, CAPS, ALLOC)))
                .isEqualTo("1c840300000a000000");
        session.fetchEnded(id, ServerStatus.CURSOR_EXISTS);
        assertThat(session.pinnedByCursor()).isTrue();
        session.fetchEnded(id, ServerStatus.LAST_ROW_SENT);
        assertThat(session.pinnedByCursor()).isFalse();
        assertThat(session.needsConnection(hex("1c 01000000 0a000000"))).isFalse();
        Routing fetch = session.route(hex("1c 01000000 0a000000"), null, DB, CAPS, ALLOC);
        assertThat(((Routing.Answer) fetch).err().message()).isEqualTo("The statement (1) has no open cursor");
    }

    @Test
    void aCursorAskedForButNotOpenedPinsNothing() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "DO 1", 900, 0);
        sent(session.route(execute(id, 1, ""), a, DB, CAPS, ALLOC));
        session.executeEnded(id, false);
        assertThat(session.pinnedByCursor()).isFalse();
        assertThat(a.size()).isEqualTo(1);
    }

    @Test
    void resetWithNothingOnTheServerIsAnsweredLocally() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT 1", 900, 0);
        assertThat(session.needsConnection(hex("1a 01000000"))).isFalse();
        assertThat(session.route(hex("1a 01000000"), null, DB, CAPS, ALLOC)).isInstanceOf(Routing.AnswerOk.class);
        assertThat(session.needsConnection(execute(id, 0, ""))).isTrue();
        sent(session.route(execute(id, 1, ""), a, DB, CAPS, ALLOC));
        session.executeEnded(id, true);
        assertThat(sent(session.route(hex("1a 01000000"), a, DB, CAPS, ALLOC))).isEqualTo("1a84030000");
        assertThat(session.pinnedByCursor()).isFalse();
    }

    @Test
    void closeForgetsTheClientStatementButKeepsTheSharedOne() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT 1", 900, 0);
        assertThat(session.needsConnection(hex("19 01000000"))).isFalse();
        assertThat(session.route(hex("19 01000000"), null, DB, CAPS, ALLOC)).isInstanceOf(Routing.Drop.class);
        assertThat(session.size()).isZero();
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.hasPendingCloses()).isFalse();
        assertThat(session.route(execute(id, 0, ""), a, DB, CAPS, ALLOC)).isInstanceOf(Routing.Answer.class);
    }

    @Test
    void closingAHeldStatementClosesItOnTheServer() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT 1", 900, 0);
        sent(session.route(execute(id, 1, ""), a, DB, CAPS, ALLOC));
        session.executeEnded(id, true);
        Routing r = session.route(hex("19 01000000"), a, DB, CAPS, ALLOC);
        assertThat(sent(r)).isEqualTo("1984030000");
        assertThat(a.size()).isZero();
        assertThat(session.pinnedByCursor()).isFalse();
    }

    @Test
    void theBoundClosesTheLeastRecentlyUsed() {
        ServerStatements a = new ServerStatements(2, true);
        long one = prepare(session, a, "SELECT 1", 1, 0);
        prepare(session, a, "SELECT 2", 2, 0);
        sent(session.route(execute(one, 0, ""), a, DB, CAPS, ALLOC)); // 1 used last: 2 is the eldest
        prepare(session, a, "SELECT 3", 3, 0);
        assertThat(a.size()).isEqualTo(2);
        assertThat(closes(a)).containsExactly("1902000000");
        assertThat(a.hasPendingCloses()).isFalse();
    }

    @Test
    void aReleaseClosesWhatASessionLeftHeld() {
        ServerStatements a = new ServerStatements(8, true);
        long id = prepare(session, a, "SELECT ?", 900, 1);
        sent(session.route(hex("18 01000000 0000 6869"), a, DB, CAPS, ALLOC));
        a.released();
        session.leaseEnded();
        assertThat(closes(a)).containsExactly("1984030000");
        assertThat(a.size()).isZero();
        assertThat(session.pinnedByLongData()).isFalse();
        // the next execution, on another connection, is prepared there: nothing points at A's closed statement
        ServerStatements b = new ServerStatements(8, true);
        Routing r = session.route(execute(id, 0, "00 01 fc00"), b, DB, CAPS, ALLOC);
        assertThat(r).isInstanceOf(Routing.Prepare.class);
        ((Routing.Prepare) r).reprepare().abandon();
    }

    @Test
    void fairLimitKeepsTheServersGlobalCount() {
        assertThat(ServerStatements.fairLimit(256, 16382, 64)).isEqualTo(230);
        assertThat(ServerStatements.fairLimit(256, 16382, 10)).isEqualTo(256);
        assertThat(ServerStatements.fairLimit(256, 0, 10)).isEqualTo(1);
        assertThat(ServerStatements.fairLimit(256, -1, 10)).isEqualTo(256);
    }

    @Test
    void theLastPreparedIdIsMariaDbsFrom10Point2() {
        assertThat(ServerStatements.acceptsLastPreparedId("5.5.5-10.11.6-MariaDB-0+deb12u1"))
                .isTrue();
        assertThat(ServerStatements.acceptsLastPreparedId("11.4.2-MariaDB")).isTrue();
        assertThat(ServerStatements.acceptsLastPreparedId("10.2.0-MariaDB")).isTrue();
        assertThat(ServerStatements.acceptsLastPreparedId("5.5.5-10.1.48-MariaDB"))
                .isFalse();
        assertThat(ServerStatements.acceptsLastPreparedId("8.0.36")).isFalse();
        assertThat(ServerStatements.acceptsLastPreparedId("x-MariaDB")).isFalse();
    }

    @Test
    void aSessionHoldsNoMoreStatementsThanAServerWould() {
        PreparedStatements small = new PreparedStatements(1);
        ServerStatements a = new ServerStatements(8, true);
        assertThat(small.refusePrepare()).isNull();
        prepare(small, a, "SELECT 1", 1, 0);
        assertThat(small.refusePrepare().errorCode()).isEqualTo(1461);
    }

    /** The closes the connection has queued, as hex; written (and released) here. */
    private static List<String> closes(ServerStatements on) {
        List<String> out = new ArrayList<>();
        on.writePendingCloses(ALLOC, b -> {
            out.add(ByteBufUtil.hexDump(b));
            b.release();
        });
        return out;
    }

    private static ByteBuf ok() {
        return hex("00 00 00 0200 0000");
    }

    private static ByteBuf paramDefinition() {
        return columnDefinition();
    }

    /** A minimal column definition: catalog "def", empty names, fixed fields. */
    private static ByteBuf columnDefinition() {
        return hex("03646566 00 00 00 01 3f 00 0c 3f00 00000000 08 8000 00 0000");
    }
}
