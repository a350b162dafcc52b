package dev.sluice.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.BinaryValues;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.binary.MysqlDateTime;
import dev.sluice.protocol.binary.MysqlTime;
import dev.sluice.protocol.golden.Golden;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ClientCommands;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.protocol.message.server.BinaryRow;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ComStmtPrepareOk;
import dev.sluice.protocol.message.server.TextRow;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Examples from the MySQL source documentation, decoded to the documented values and re-encoded identically. */
class SpecVectorsTest {
    static final long CAPS = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION;

    static byte[] bytes(Consumer<ByteBuf> encoder) {
        ByteBuf b = Unpooled.buffer();
        encoder.accept(b);
        return ByteBufUtil.getBytes(b);
    }

    @Test
    void comStmtExecuteExample() {
        // page_protocol_com_stmt_execute; packet header 12 00 00 00 stripped
        byte[] payload = Golden.hex("""
                17           // COM_STMT_EXECUTE
                01 00 00 00  // statement_id 1
                00           // flags: CURSOR_TYPE_NO_CURSOR
                01 00 00 00  // iteration_count 1
                00           // NULL bitmap: 1 parameter, not NULL
                01           // new_params_bind_flag
                0f 00        // type VARCHAR, not unsigned
                03 66 6f 6f  // value "foo"
                """);
        ComStmtExecute e = (ComStmtExecute) ClientCommands.decode(Unpooled.wrappedBuffer(payload), CAPS, id -> 1);
        assertThat(e.statementId()).isEqualTo(1);
        assertThat(e.opensCursor()).isFalse();
        assertThat(e.parameters()).hasSize(1);
        assertThat(e.parameters().get(0).type()).isEqualTo(BinaryType.of(ColumnType.VARCHAR));
        assertThat((byte[]) e.parameters().get(0).value()).asString().isEqualTo("foo");
        assertThat(bytes(b -> e.encode(b, CAPS))).isEqualTo(payload);
        assertThat(ComStmtExecute.of(1, List.of(BoundParameter.of(BinaryType.of(ColumnType.VARCHAR), "foo".getBytes())))
                        .equals(e))
                .isTrue();
    }

    @Test
    void binaryResultsetExample() {
        // page_protocol_binary_resultset: one VAR_STRING column "col1", one row "foobar"
        long caps = CAPS;
        List<byte[]> payloads = List.of(
                Golden.hex("01"), // column_count 1
                Golden.hex("""
                        03 64 65 66   // catalog "def"
                        00 00 00      // schema, table, org_table ""
                        04 63 6f 6c 31 // name "col1"
                        00            // org_name ""
                        0c            // length of fixed fields
                        08 00         // character set 8 (latin1)
                        06 00 00 00   // column length 6
                        fd            // type VAR_STRING
                        00 00         // flags
                        1f            // decimals 31
                        00 00         // filler
                        """),
                Golden.hex("fe 00 00 02 00"), // EOF, status AUTOCOMMIT
                Golden.hex("00 00 06 66 6f 6f 62 61 72"), // row: header, NULL bitmap, "foobar"
                Golden.hex("fe 00 00 02 00")); // EOF
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_EXECUTE, caps);
        List<ResponseEvent> events = new ArrayList<>();
        for (byte[] p : payloads) {
            events.add(d.next(Unpooled.wrappedBuffer(p)));
        }
        assertThat(d.isComplete()).isTrue();
        assertThat(events)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("ColumnCountEvent", "ColumnDefinition", "ColumnsEnd", "Row", "ResultEnd");
        ColumnDefinition41 col = ((ResponseEvent.ColumnDefinition) events.get(1)).definition();
        assertThat(col.name()).isEqualTo("col1");
        assertThat(col.type()).isEqualTo(ColumnType.VAR_STRING);
        assertThat(col.decimals()).isEqualTo(0x1f);
        assertThat(bytes(b -> col.encode(b, caps, false))).isEqualTo(payloads.get(1));
        BinaryRow row = BinaryRow.decode(Unpooled.wrappedBuffer(payloads.get(3)), List.of(col.binaryType()));
        assertThat((byte[]) row.values().get(0)).asString().isEqualTo("foobar");
        assertThat(bytes(b -> row.encode(b, List.of(col.binaryType())))).isEqualTo(payloads.get(3));
    }

    @Test
    void textResultsetExample() {
        // page_protocol_com_query_response_text_resultset: SELECT @@version_comment
        byte[] def = Golden.hex("""
                03 64 65 66 00 00 00   // "def", "", "", ""
                11 40 40 76 65 72 73 69 6f 6e 5f 63 6f 6d 6d 65 6e 74 // name "@@version_comment"
                00 0c 08 00            // org_name "", fixed length 12, charset 8
                1c 00 00 00 fd 00 00 1f 00 00 // length 28, VAR_STRING, flags 0, decimals 31, filler
                """);
        byte[] row = Golden.hex("1c 4d7953514c20436f6d6d756e69747920536572766572202847504c29");
        ColumnDefinition41 c = ColumnDefinition41.decode(Unpooled.wrappedBuffer(def), CAPS, false);
        assertThat(c.name()).isEqualTo("@@version_comment");
        assertThat(c.columnLength()).isEqualTo(28);
        assertThat(bytes(b -> c.encode(b, CAPS, false))).isEqualTo(def);
        TextRow r = TextRow.decode(Unpooled.wrappedBuffer(row), 1);
        assertThat(r.values().get(0)).asString().isEqualTo("MySQL Community Server (GPL)");
        assertThat(bytes(r::encode)).isEqualTo(row);
    }

    @Test
    void prepareResponseExample() {
        // page_protocol_com_stmt_prepare: SELECT CONCAT(?, ?) AS col1 — 2 params, 1 column, EOFs
        byte[] ok =
                Golden.hex("00 01000000 0100 0200 00 0000"); // status, stmt 1, 1 column, 2 params, filler, 0 warnings
        byte[] param =
                Golden.hex("03646566 00 00 00 01 3f 00 0c 3f00 00000000 fd 8000 00 0000"); // "?" binary VAR_STRING
        byte[] col = Golden.hex("03646566 00 00 00 04 636f6c31 00 0c 3f00 00000000 fd 8000 1f 0000");
        byte[] eof = Golden.hex("fe 0000 0200");
        ResponseDecoder d = new ResponseDecoder(Command.COM_STMT_PREPARE, CAPS);
        List<String> events = new ArrayList<>();
        for (byte[] p : List.of(ok, param, param, eof, col, eof)) {
            ResponseEvent e = d.next(Unpooled.wrappedBuffer(p));
            events.add(e.getClass().getSimpleName()
                    + (e instanceof ResponseEvent.ColumnDefinition cd && cd.parameter() ? "(param)" : ""));
        }
        assertThat(events)
                .containsExactly(
                        "PrepareOk",
                        "ColumnDefinition(param)",
                        "ColumnDefinition(param)",
                        "ColumnsEnd",
                        "ColumnDefinition",
                        "ColumnsEnd");
        assertThat(d.isComplete()).isTrue();
        ComStmtPrepareOk p = ComStmtPrepareOk.decode(Unpooled.wrappedBuffer(ok));
        assertThat(p).isEqualTo(ComStmtPrepareOk.of(1, 1, 2, 0));
        assertThat(bytes(p::encode)).isEqualTo(ok);
        // a 10-byte PREPARE_OK without warnings is tolerated and re-encoded as it came
        byte[] shortOk = Golden.hex("00 01000000 0000 0000 00");
        ComStmtPrepareOk s = ComStmtPrepareOk.decode(Unpooled.wrappedBuffer(shortOk));
        assertThat(s.hasWarnings()).isFalse();
        assertThat(bytes(s::encode)).isEqualTo(shortOk);
    }

    @Test
    void binaryValueExamples() {
        // page_protocol_binary_resultset, Binary Protocol Value examples
        check(ColumnType.DOUBLE, "66 66 66 66 66 66 24 40", 10.2d);
        check(ColumnType.FLOAT, "33 33 23 41", 10.2f);
        check(ColumnType.LONGLONG, "01 00 00 00 00 00 00 00", 1L);
        check(ColumnType.LONG, "01 00 00 00", 1L);
        check(ColumnType.SHORT, "01 00", 1L);
        check(ColumnType.TINY, "01", 1L);
        check(ColumnType.STRING, "03 66 6f 6f", "foo".getBytes());
        // length 11: year 2010, month 10, day 17, 19:27:30, 1 microsecond
        check(
                ColumnType.DATETIME,
                "0b da 07 0a 11 13 1b 1e 01 00 00 00",
                new MysqlDateTime(2010, 10, 17, 19, 27, 30, 1));
        check(ColumnType.DATETIME, "07 da 07 0a 11 13 1b 1e", new MysqlDateTime(2010, 10, 17, 19, 27, 30, 0));
        check(ColumnType.DATE, "04 da 07 0a 11", MysqlDateTime.date(2010, 10, 17));
        check(ColumnType.TIMESTAMP, "00", MysqlDateTime.ZERO);
        // length 12: negative, 120 days, 19:27:30, 1 microsecond
        check(ColumnType.TIME, "0c 01 78 00 00 00 13 1b 1e 01 00 00 00", new MysqlTime(true, 120, 19, 27, 30, 1));
        check(ColumnType.TIME, "08 01 78 00 00 00 13 1b 1e", new MysqlTime(true, 120, 19, 27, 30, 0));
        check(ColumnType.TIME, "00", MysqlTime.ZERO);
    }

    private static void check(ColumnType type, String hex, Object expected) {
        byte[] encoded = Golden.hex(hex);
        ByteBuf in = Unpooled.wrappedBuffer(encoded);
        Object value = BinaryValues.decode(in, BinaryType.of(type), "value");
        assertThat(in.isReadable()).isFalse();
        assertThat(value).isEqualTo(expected);
        assertThat(bytes(b -> BinaryValues.encode(b, BinaryType.of(type), expected)))
                .as(type.name())
                .isEqualTo(encoded);
    }
}
