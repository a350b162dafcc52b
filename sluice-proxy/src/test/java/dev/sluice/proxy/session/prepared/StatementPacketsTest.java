package dev.sluice.proxy.session.prepared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.protocol.message.client.StatementParams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatementPacketsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(HEX.parseHex(s.replace(" ", "")));
    }

    private static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"17", "18", "19", "1a", "1c", "fa"})
    void statementIdIsRewrittenInPlaceInEveryStatementCommand(String command) {
        ByteBuf packet = hex(command + "07000000 0102030405");
        ByteBuf same = packet;
        assertThat(StatementPackets.statementId(packet)).isEqualTo(7);
        StatementPackets.setStatementId(packet, 0xFFFF_FFFEL);
        assertThat(packet).isSameAs(same);
        assertThat(hex(packet)).isEqualTo(command + "feffffff0102030405");
        assertThat(StatementPackets.statementId(packet)).isEqualTo(0xFFFF_FFFEL);
    }

    @Test
    void prepareOkIdIsRewrittenAndTheRestUntouched() {
        // 0x00, id 0x01020304, 2 columns, 3 params, filler, 1 warning
        ByteBuf ok = hex("00 04030201 0200 0300 00 0100");
        StatementPackets.setStatementId(ok, 1);
        assertThat(hex(ok)).isEqualTo("00" + "01000000" + "0200" + "0300" + "00" + "0100");
    }

    @Test
    void lastPreparedIdReadsAsUnsigned() {
        assertThat(StatementPackets.statementId(hex("17 ffffffff 00 01000000")))
                .isEqualTo(StatementPackets.LAST_PREPARED);
    }

    @Test
    void readerIndexIsRespected() {
        ByteBuf b = hex("aaaa 19 05000000");
        b.readerIndex(2);
        assertThat(StatementPackets.statementId(b)).isEqualTo(5);
        StatementPackets.setStatementId(b, 9);
        assertThat(hex(b)).isEqualTo("1909000000");
    }

    @Test
    void shortPacketIsAProtocolError() {
        assertThatThrownBy(() -> StatementPackets.statementId(hex("17 0100")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("statement_id");
    }

    @Test
    void typesOfAnExecutionAreReadWhenBound() {
        // 2 params: bitmap 1 byte, flag 1, types LONG (03 00) and VARCHAR unsigned flag (0f 80), values
        ByteBuf bound = hex("17 01000000 00 01000000 00 01 0300 0f80 2a000000 0161");
        assertThat(HEX.formatHex(StatementPackets.executeTypes(bound, 2))).isEqualTo("03000f80");
        ByteBuf unbound = hex("17 01000000 00 01000000 00 00 2a000000 0161");
        assertThat(StatementPackets.executeTypes(unbound, 2)).isNull();
        assertThat(StatementPackets.executeTypes(hex("17 01000000 00 01000000"), 0))
                .isNull();
    }

    @Test
    void nineParametersHaveATwoByteBitmap() {
        ByteBuf bound = hex("17 01000000 00 01000000 ff01 01 " + "0600".repeat(9));
        assertThat(StatementPackets.executeTypes(bound, 9)).hasSize(18);
    }

    @Test
    void badBoundFlagIsAProtocolError() {
        assertThatThrownBy(() -> StatementPackets.executeTypes(hex("17 01000000 00 01000000 00 02"), 1))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("new_params_bound_flag: 2");
    }

    @Test
    void typesAreInsertedIntoAnExecutionWithoutThem() {
        ByteBuf unbound = hex("17 01000000 01 01000000 02 00 2a000000");
        ByteBuf out = StatementPackets.executeWithTypes(ALLOC, unbound, 2, HEX.parseHex("0300fe00"));
        try {
            // flags and bitmap kept (param 1 NULL), flag 1, the types, then the value
            assertThat(hex(out))
                    .isEqualTo("17" + "01000000" + "01" + "01000000" + "02" + "01" + "0300fe00" + "2a000000");
        } finally {
            out.release();
        }
        assertThat(hex(unbound)).isEqualTo("1701000000010100000002002a000000"); // original untouched
    }

    /** The rewritten execution decodes, with the codec, to the same values as one the client bound itself. */
    @Test
    void rewrittenExecutionDecodesLikeABoundOne() {
        List<BoundParameter> params = new ArrayList<>();
        params.add(new BoundParameter(new BinaryType(ColumnType.LONGLONG, true), "", 1L << 40));
        params.add(new BoundParameter(new BinaryType(ColumnType.VAR_STRING, false), "", null));
        params.add(new BoundParameter(new BinaryType(ColumnType.VAR_STRING, false), "", "héllo"));
        ComStmtExecute bound = new ComStmtExecute(3, 0, 1, true, params);
        ComStmtExecute unbound = new ComStmtExecute(3, 0, 1, false, params);
        ByteBuf boundBytes = Unpooled.buffer();
        bound.encode(boundBytes, 0);
        ByteBuf unboundBytes = Unpooled.buffer();
        unbound.encode(unboundBytes, 0);
        byte[] types = StatementPackets.executeTypes(boundBytes, 3);
        ByteBuf rewritten = StatementPackets.executeWithTypes(ALLOC, unboundBytes, 3, types);
        try {
            assertThat(hex(rewritten)).isEqualTo(hex(boundBytes));
            ComStmtExecute decoded = ComStmtExecute.decode(rewritten.duplicate(), 0, StatementParamsFor.three());
            assertThat(decoded.newParamsBound()).isTrue();
            assertThat(decoded.parameterTypes()).isEqualTo(bound.parameterTypes());
            ByteBuf again = Unpooled.buffer();
            decoded.encode(again, 0);
            assertThat(hex(again)).isEqualTo(hex(boundBytes));
        } finally {
            rewritten.release();
        }
    }

    @Test
    void typesAreNotInsertedTwiceNorOfTheWrongLength() {
        ByteBuf bound = hex("17 01000000 00 01000000 00 01 0300 2a000000");
        assertThatThrownBy(() -> StatementPackets.executeWithTypes(ALLOC, bound, 1, HEX.parseHex("0300")))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuf unbound = hex("17 01000000 00 01000000 00 00 2a000000");
        assertThatThrownBy(() -> StatementPackets.executeWithTypes(ALLOC, unbound, 1, HEX.parseHex("030000")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cursorTypeIsTheLowBitsOfTheFlags() {
        assertThat(StatementPackets.cursorType(hex("17 01000000 00 01000000"))).isZero();
        assertThat(StatementPackets.cursorType(hex("17 01000000 01 01000000"))).isEqualTo(1);
        assertThat(StatementPackets.cursorType(hex("17 01000000 80 01000000"))).isZero();
    }

    @Test
    void bulkTypesAreReadOnlyWithSendTypes() {
        // MariaDB Connector/J: flags 128, then 2 bytes per param, then per row indicator + value
        ByteBuf withTypes = hex("fa 05000000 8000 0300 0f00 00 01000000 01 00 02000000 00 0162");
        assertThat(StatementPackets.bulkFlags(withTypes)).isEqualTo(128);
        assertThat(HEX.formatHex(StatementPackets.bulkTypes(withTypes, 2))).isEqualTo("03000f00");
        assertThat(StatementPackets.bulkTypes(hex("fa 05000000 0000 00 01000000 01"), 2))
                .isNull();
    }

    @Test
    void typesAreInsertedIntoABulkWithoutThem() {
        ByteBuf without = hex("fa 05000000 4000 00 01000000 01");
        ByteBuf out = StatementPackets.bulkWithTypes(ALLOC, without, 2, HEX.parseHex("03000f00"));
        try {
            assertThat(hex(out)).isEqualTo("fa" + "05000000" + "c000" + "03000f00" + "000100000001");
        } finally {
            out.release();
        }
        ByteBuf with = hex("fa 05000000 8000 0300 0f00 00");
        assertThatThrownBy(() -> StatementPackets.bulkWithTypes(ALLOC, with, 2, HEX.parseHex("03000f00")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ownCommandsAreBuiltByteForByte() {
        ByteBuf close = StatementPackets.close(ALLOC, 0x01020304L);
        ByteBuf prepare = StatementPackets.prepare(ALLOC, "SELECT ?".getBytes());
        ByteBuf initDb = StatementPackets.initDb(ALLOC, "déjà");
        try {
            assertThat(hex(close)).isEqualTo("1904030201");
            assertThat(hex(prepare)).isEqualTo("16" + HEX.formatHex("SELECT ?".getBytes()));
            assertThat(hex(initDb)).isEqualTo("02" + "64c3a96ac3a0");
            assertThat(new String(StatementPackets.prepareText(prepare))).isEqualTo("SELECT ?");
        } finally {
            close.release();
            prepare.release();
            initDb.release();
        }
    }

    private static final class StatementParamsFor {
        static StatementParams three() {
            return id -> 3;
        }
    }
}
