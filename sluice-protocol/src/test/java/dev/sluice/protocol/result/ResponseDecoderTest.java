package dev.sluice.protocol.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.golden.Golden;
import dev.sluice.protocol.message.server.BinaryRow;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.TextRow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Response shapes the captures do not cover: DEPRECATE_EOF, cursors, fetch, field list, lying counts, big rows. */
class ResponseDecoderTest {
    static final long P41 = Capability.CLIENT_PROTOCOL_41;
    static final long DEP = P41 | Capability.CLIENT_DEPRECATE_EOF;
    static final String COLDEF = "03646566 00 00 00 01 61 00 0c 3f00 0b000000 03 0000 00 0000"; // "a" LONG

    static List<String> run(ResponseDecoder d, String... payloads) {
        List<String> out = new ArrayList<>();
        for (String p : payloads) {
            out.add(d.next(Golden.buf(p)).getClass().getSimpleName());
        }
        return out;
    }

    @Test
    void decodingLeavesEveryPayloadAsItWas() {
        // the relay forwards the very payload it classified: its indexes must be where they were
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, DEP);
        for (String hex : new String[] {"01", COLDEF, "01 31", "fe 00 00 0a00 0000", "00 01 00 0200 0000"}) {
            io.netty.buffer.ByteBuf payload = Golden.buf(hex);
            int readable = payload.readableBytes();
            d.next(payload);
            assertThat(payload.readerIndex()).as(hex).isZero();
            assertThat(payload.readableBytes()).as(hex).isEqualTo(readable);
            payload.release();
        }
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void deprecateEofTextResultEndsWithFeOk() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, DEP);
        assertThat(run(d, "01", COLDEF, "01 31", "fe 00 00 0200 0000"))
                .containsExactly("ColumnCountEvent", "ColumnDefinition", "Row", "ResultEnd");
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void moreResultsContinuesAfterResultEnd() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, DEP);
        assertThat(run(d, "01", COLDEF, "fe 00 00 0a00 0000", "00 01 00 0200 0000"))
                .containsExactly("ColumnCountEvent", "ColumnDefinition", "ResultEnd", "Ok");
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void executeWithCursorEndsAfterColumnsEof() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_EXECUTE, P41, true);
        // EOF status: AUTOCOMMIT | CURSOR_EXISTS
        assertThat(run(d, "01", COLDEF, "fe 0000 4200"))
                .containsExactly("ColumnCountEvent", "ColumnDefinition", "ColumnsEnd");
        assertThat(d.isComplete()).isTrue();
        assertThat(d.cursorOpen()).isTrue();
        assertThatThrownBy(() -> d.next(Golden.buf("00 00 01000000")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("after the response was complete");
    }

    @Test
    void executeWithCursorUnderDeprecateEofEndsWithCursorOk() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_EXECUTE, DEP, true);
        assertThat(run(d, "01", COLDEF, "fe 00 00 4200 0000"))
                .containsExactly("ColumnCountEvent", "ColumnDefinition", "ResultEnd");
        assertThat(d.isComplete()).isTrue();
        assertThat(d.cursorOpen()).isTrue();
    }

    /** MariaDB answers COM_STMT_EXECUTE of a prepared LOAD DATA LOCAL INFILE with a file request. */
    @Test
    void executeOfAPreparedLoadDataLocalAsksForTheFile() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_EXECUTE, P41);
        assertThat(run(d, "fb 2f746d702f61", "00 03 00 0200 0000")).containsExactly("LocalInfile", "Ok");
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void fetchReturnsRowsThenLastRowSent() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_FETCH, P41);
        // binary rows of one LONG: header, bitmap, value 7 / 8; EOF with LAST_ROW_SENT | CURSOR_EXISTS
        List<String> events = run(d, "00 00 07000000", "00 00 08000000", "fe 0000 c200");
        assertThat(events).containsExactly("Row", "Row", "ResultEnd");
        assertThat(d.isComplete()).isTrue();
        ResponseDecoder more = new ResponseDecoder(Command.COM_STMT_FETCH, P41);
        ResponseEvent end = more.next(Golden.buf("fe 0000 4200"));
        assertThat(((ResponseEvent.ResultEnd) end).statusFlags() & ServerStatus.CURSOR_EXISTS)
                .isNotZero();
        assertThat(more.isComplete()).isTrue();
    }

    @Test
    void fieldListWithDefaultsEndsWithEof() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_FIELD_LIST, P41);
        ResponseEvent e = d.next(Golden.buf(COLDEF + " 01 35")); // default value "5"
        assertThat(((ResponseEvent.ColumnDefinition) e).definition().defaultValue())
                .asString()
                .isEqualTo("5");
        ResponseEvent nul = d.next(Golden.buf(COLDEF + " fb")); // NULL default
        assertThat(((ResponseEvent.ColumnDefinition) nul).definition().defaultValue())
                .isNull();
        assertThat(d.next(Golden.buf("fe 0000 0200"))).isInstanceOf(ResponseEvent.ResultEnd.class);
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void prepareWithoutParamsOrColumnsIsOnePacket() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_PREPARE, P41);
        assertThat(d.next(Golden.buf("00 05000000 0000 0000 00 0000")).terminal())
                .isTrue();
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void metadataSkippedUnderCacheMetadata() {
        long caps = P41 | Capability.MARIADB_CLIENT_CACHE_METADATA;
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_EXECUTE, caps);
        assertThat(run(d, "01 00", "fe 0000 0200", "00 00 07000000", "fe 0000 0200"))
                .containsExactly("ColumnCountEvent", "ColumnsEnd", "Row", "ResultEnd");
        assertThat(d.isComplete()).isTrue();
    }

    /** Issue 10: a select list may have more than 65,535 columns; the count is a lenenc int, not 16 bits. */
    @Test
    void moreThan65535ColumnsAreAResultNotAMalformedPacket() {
        int columns = 70_000; // what MariaDB 10.11 sends for SELECT 0,1,...,69999: fd 70 11 01
        for (ResponseDecoder d : new ResponseDecoder[] {
            new ResponseDecoder(Command.COM_QUERY, DEP), ResponseDecoder.forRelay(Command.COM_QUERY, DEP, false)
        }) {
            ResponseEvent first = d.next(Golden.buf("fd 70 11 01"));
            assertThat(((ResponseEvent.ColumnCountEvent) first).columnCount().count())
                    .isEqualTo(columns);
            ByteBuf def = Golden.buf(COLDEF);
            for (int i = 0; i < columns; i++) {
                assertThat(d.next(def.duplicate())).isInstanceOf(ResponseEvent.ColumnDefinition.class);
            }
            ByteBuf row = Unpooled.buffer(2 * columns);
            for (int i = 0; i < columns; i++) {
                row.writeByte(1).writeByte('0' + i % 10);
            }
            assertThat(d.next(row)).isInstanceOf(ResponseEvent.Row.class);
            assertThat(d.next(Golden.buf("fe 00 00 0200 0000"))).isInstanceOf(ResponseEvent.ResultEnd.class);
            assertThat(d.isComplete()).isTrue();
        }
        // the largest count of a 4-byte length-encoded integer is accepted; a 9-byte one (0xFE) is not a count
        assertThat(new ResponseDecoder(Command.COM_QUERY, DEP).next(Golden.buf("fd ff ff ff")))
                .isInstanceOf(ResponseEvent.ColumnCountEvent.class);
        assertThatThrownBy(() ->
                        new ResponseDecoder(Command.COM_QUERY, DEP).next(Golden.buf("fe 00 00 00 01 00 00 00 00")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("0xfe where a result starts");
    }

    @Test
    void lyingColumnCountFewerDefinitions() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, P41);
        d.next(Golden.buf("03"));
        d.next(Golden.buf(COLDEF));
        assertThatThrownBy(() -> d.next(Golden.buf("fe 0000 0200")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("announced 3 column definitions, got 1");
        assertThat(d.phase()).isEqualTo(ResponseDecoder.Phase.FAILED);
        assertThatThrownBy(() -> d.next(Golden.buf("fe 0000 0200"))).hasMessageContaining("already failed");
    }

    @Test
    void lyingColumnCountMoreDefinitions() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, P41);
        d.next(Golden.buf("01"));
        d.next(Golden.buf(COLDEF));
        assertThatThrownBy(() -> d.next(Golden.buf(COLDEF)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("EOF after 1 column definitions")
                .hasMessageContaining("more definitions than announced");
        ResponseDecoder b = new ResponseDecoder(Command.COM_STMT_EXECUTE, DEP);
        b.next(Golden.buf("01"));
        b.next(Golden.buf(COLDEF));
        assertThatThrownBy(() -> b.next(Golden.buf(COLDEF)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("announced 1 column definitions, got more");
    }

    @Test
    void errInPlaceOfARowEndsTheResponse() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, P41);
        run(d, "01", COLDEF, "fe 0000 0200", "01 31");
        ResponseEvent e = d.next(Golden.buf("ff 1504 2334 3830 3030 6b696c6c6564")); // 1045? any ERR
        assertThat(e).isInstanceOf(ResponseEvent.Err.class);
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void feMidSizedPacketInRowsIsAnError() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, P41);
        run(d, "01", COLDEF, "fe 0000 0200");
        assertThatThrownBy(() -> d.next(Golden.buf("fe 0000 0200 00000000 00")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("0xfe packet of 10 bytes");
    }

    /** MariaDB 10.11 answers COM_SET_OPTION with an EOF: found by sluice-it's CommandsTest against a real server. */
    @Test
    void setOptionIsAnsweredByEof() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_SET_OPTION, P41);
        // EOF: header fe, warnings 0000, status 0200 (AUTOCOMMIT)
        ResponseEvent e = d.next(Golden.buf("fe 0000 0200"));
        assertThat(e).isInstanceOf(ResponseEvent.Eof.class);
        assertThat(((ResponseEvent.Eof) e).eof().statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void setOptionUnderDeprecateEofIsAnsweredByFeOk() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_SET_OPTION, DEP);
        // OK with the EOF header: fe, affected_rows 00, last_insert_id 00, status 0200, warnings 0100
        ResponseEvent e = d.next(Golden.buf("fe 00 00 0200 0100"));
        assertThat(e).isInstanceOf(ResponseEvent.Ok.class);
        assertThat(((ResponseEvent.Ok) e).ok().statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(((ResponseEvent.Ok) e).ok().warnings()).isEqualTo(1);
        assertThat(d.isComplete()).isTrue();
    }

    @Test
    void setOptionStillTakesAnOkOrErr() {
        assertThat(new ResponseDecoder(Command.COM_SET_OPTION, P41).next(Golden.buf("00 00 00 0200 0000")))
                .isInstanceOf(ResponseEvent.Ok.class);
        assertThat(new ResponseDecoder(Command.COM_SET_OPTION, P41).next(Golden.buf("ff 1904 23 3432303030 78")))
                .isInstanceOf(ResponseEvent.Err.class);
    }

    /** Only the commands documented to answer with EOF may: a 0xFE answer to COM_PING is a protocol error. */
    @Test
    void eofIsNotASuccessForOtherSimpleCommands() {
        for (long caps : new long[] {P41, DEP}) {
            ResponseDecoder d = new ResponseDecoder(Command.COM_PING, caps);
            assertThatThrownBy(() -> d.next(Golden.buf("fe 0000 0200")))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("first byte 0xfe");
        }
    }

    /** Without DEPRECATE_EOF an EOF is exactly 5 bytes; trailing bytes are an error, not ignored. */
    @Test
    void setOptionEofWithTrailingBytesIsAnError() {
        ResponseDecoder d = new ResponseDecoder(Command.COM_SET_OPTION, P41);
        assertThatThrownBy(() -> d.next(Golden.buf("fe 0000 0200 00"))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void commandsWithoutResponseAreRefused() {
        for (Command c : List.of(Command.COM_QUIT, Command.COM_STMT_CLOSE, Command.COM_STMT_SEND_LONG_DATA)) {
            assertThatThrownBy(() -> new ResponseDecoder(c, P41)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** 20 MiB first value: the text row starts with 0xFE (8-byte length) and must be a row, not an EOF. */
    @Test
    void twentyMebibyteValueInTextAndBinaryRow() {
        int size = 20 << 20;
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) 'x');
        value[size - 1] = 'y';
        for (long caps : new long[] {P41, DEP}) {
            ByteBuf text = Unpooled.buffer(size + 16);
            Wire.writeLenencBytes(text, value);
            assertThat((int) text.getUnsignedByte(0)).isEqualTo(0xFE);
            ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, caps);
            d.next(Golden.buf("01"));
            d.next(Golden.buf(COLDEF));
            if ((caps & Capability.CLIENT_DEPRECATE_EOF) == 0) {
                d.next(Golden.buf("fe 0000 0200"));
            }
            ResponseEvent e = d.next(text);
            assertThat(e).isInstanceOf(ResponseEvent.Row.class);
            TextRow row = TextRow.decode(text.duplicate(), 1);
            assertThat(row.values().get(0)).hasSize(size).endsWith((byte) 'y');
        }
        List<BinaryType> types = List.of(BinaryType.of(ColumnType.LONG_BLOB), BinaryType.of(ColumnType.LONG));
        ByteBuf bin = Unpooled.buffer(size + 32);
        new BinaryRow(Arrays.asList(value, 42L)).encode(bin, types);
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_EXECUTE, P41);
        run(d, "02", COLDEF, COLDEF, "fe 0000 0200");
        assertThat(d.next(bin)).isInstanceOf(ResponseEvent.Row.class);
        BinaryRow row = BinaryRow.decode(bin, types);
        assertThat((byte[]) row.values().get(0)).hasSize(size).endsWith((byte) 'y');
        assertThat(row.values().get(1)).isEqualTo(42L);
    }

    @Test
    void columnDefinitionWithExtendedMetadataRoundTrips() {
        long caps = P41 | Capability.MARIADB_CLIENT_EXTENDED_METADATA;
        ColumnDefinition41 c = new ColumnDefinition41(
                "def",
                "g",
                "t",
                "t",
                "js",
                "js",
                Golden.hex("01 04 6a736f6e"),
                33,
                0xFFFFFFFFL,
                ColumnType.BLOB,
                0x90,
                0,
                null);
        ByteBuf b = Unpooled.buffer();
        c.encode(b, caps, false);
        assertThat(ColumnDefinition41.decode(b, caps, false)).isEqualTo(c);
    }
}
