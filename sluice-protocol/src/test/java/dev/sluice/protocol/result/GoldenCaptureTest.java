package dev.sluice.protocol.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.golden.Golden;
import dev.sluice.protocol.golden.Golden.Capture;
import dev.sluice.protocol.golden.Golden.Packet;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ClientCommands;
import dev.sluice.protocol.message.client.StatementParams;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.TextRow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every capture of a real MariaDB 10.11 conversation (src/test/resources/golden/command, see README there)
 * walked through {@link ClientCommands} and {@link ResponseDecoder}: the events per command, each response
 * complete exactly when the next command starts, commands and column definitions and text rows re-encoded
 * to identical bytes, and identical results when every payload sits at another reader offset.
 */
class GoldenCaptureTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = ';',
            value = {
                "text_resultset; COM_QUERY[ColumnCountEvent ColumnDefinition*14 ColumnsEnd Row*2 ResultEnd] COM_QUIT[]",
                "multi_result; COM_QUERY[ColumnCountEvent ColumnDefinition ColumnsEnd Row ResultEnd ColumnCountEvent"
                        + " ColumnDefinition*2 ColumnsEnd Row ResultEnd Ok] COM_QUIT[]",
                "call_procedure; COM_QUERY[ColumnCountEvent ColumnDefinition ColumnsEnd Row ResultEnd ColumnCountEvent"
                        + " ColumnDefinition*2 ColumnsEnd Row ResultEnd Ok] COM_QUERY[ColumnCountEvent ColumnDefinition"
                        + " ColumnsEnd Row ResultEnd] COM_QUIT[]",
                "error; COM_QUERY[Err] COM_QUIT[]",
                "local_infile; COM_QUERY[LocalInfile ProgressReport Ok] COM_QUIT[]",
                "admin_status; COM_STATISTICS[StatisticsText] COM_PING[Ok] COM_QUIT[]",
            })
    void captureDecodesToExpectedEvents(String name, String expected) {
        Capture c = Golden.capture(name);
        assertThat(walk(c, 0, null)).as(c.title()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"text_resultset", "multi_result", "call_procedure", "error", "local_infile", "admin_status"})
    void decodingIgnoresReaderOffset(String name) {
        Capture c = Golden.capture(name);
        List<String> reference = new ArrayList<>();
        walk(c, 0, reference);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 8; round++) {
            List<String> shifted = new ArrayList<>();
            walk(c, 1 + random.nextInt(64), shifted);
            assertThat(shifted).as("seed %d round %d", seed, round).isEqualTo(reference);
        }
    }

    /** Returns "COMMAND[Event Event*n ...] ..." and, when {@code details} is given, each event's toString. */
    private static String walk(Capture c, int offset, List<String> details) {
        StringBuilder out = new StringBuilder();
        ResponseDecoder decoder = null;
        List<String> events = new ArrayList<>();
        int columns = 0;
        for (Packet p : c.packets()) {
            ByteBuf payload = Golden.atOffset(p.payload(), offset);
            if (p.fromClient()) {
                if (decoder != null && decoder.phase() == ResponseDecoder.Phase.LOCAL_INFILE_RESULT) {
                    continue; // the file's contents and the empty packet ending it
                }
                if (decoder != null) {
                    assertThat(decoder.isComplete())
                            .as("response complete before the next command")
                            .isTrue();
                    out.append(runs(events)).append("] ");
                }
                ClientCommand cmd = ClientCommands.decode(payload, c.capabilities(), StatementParams.NONE);
                assertThat(payload.isReadable()).isFalse();
                assertThat(encode(cmd, c.capabilities())).isEqualTo(p.payload());
                out.append(cmd.command()).append('[');
                events.clear();
                decoder = cmd.hasResponse() ? new ResponseDecoder(cmd.command(), c.capabilities()) : null;
                if (details != null) {
                    details.add(cmd.toString());
                }
                continue;
            }
            ResponseEvent e = decoder.next(payload);
            assertThat(payload.readerIndex()).as("next() leaves indices alone").isEqualTo(offset);
            events.add(e.getClass().getSimpleName());
            if (e instanceof ResponseEvent.ColumnCountEvent cc) {
                columns = (int) cc.columnCount().count();
            }
            if (e instanceof ResponseEvent.ColumnDefinition d) {
                ByteBuf re = Unpooled.buffer();
                d.definition().encode(re, c.capabilities(), false);
                assertThat(ByteBufUtil.getBytes(re)).isEqualTo(p.payload());
            }
            String detail = e.toString();
            if (e instanceof ResponseEvent.Row r) {
                assertThat(r.payload()).isSameAs(payload);
                TextRow row = TextRow.decode(r.payload().duplicate(), columns);
                ByteBuf re = Unpooled.buffer();
                row.encode(re);
                assertThat(ByteBufUtil.getBytes(re)).isEqualTo(p.payload());
                detail = "Row"
                        + row.values().stream()
                                .map(v -> v == null ? "NULL" : new String(v))
                                .toList();
            }
            if (details != null) {
                details.add(detail);
            }
        }
        out.append(runs(events)).append(']');
        return out.toString();
    }

    private static byte[] encode(ClientCommand cmd, long caps) {
        ByteBuf b = Unpooled.buffer();
        cmd.encode(b, caps);
        return ByteBufUtil.getBytes(b);
    }

    private static String runs(List<String> events) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < events.size(); ) {
            int j = i;
            while (j < events.size() && events.get(j).equals(events.get(i))) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(events.get(i));
            if (j - i > 1) {
                sb.append('*').append(j - i);
            }
            i = j;
        }
        return sb.toString();
    }

    @ParameterizedTest
    @CsvSource({"text_resultset"})
    void textRowValuesMatchTheTable(String name) {
        Capture c = Golden.capture(name);
        ResponseDecoder d = new ResponseDecoder(Command.COM_QUERY, c.capabilities());
        List<ColumnDefinition41> defs = new ArrayList<>();
        List<TextRow> rows = new ArrayList<>();
        for (Packet p : c.packets().subList(1, c.packets().size() - 1)) {
            ResponseEvent e = d.next(Unpooled.wrappedBuffer(p.payload()));
            if (e instanceof ResponseEvent.ColumnDefinition cd) {
                defs.add(cd.definition());
            } else if (e instanceof ResponseEvent.Row r) {
                rows.add(TextRow.decode(r.payload().duplicate(), defs.size()));
            }
        }
        assertThat(d.isComplete()).isTrue();
        assertThat(defs)
                .extracting(ColumnDefinition41::name)
                .containsExactly("id", "ti", "bu", "d", "f", "db", "dt", "tm", "dte", "yr", "vc", "bl", "bt", "js");
        // MariaDB's extended metadata: JSON is a LONGTEXT (BLOB type) with format "json".
        assertThat(defs.get(13).extendedTypeInfo()).isEqualTo(Golden.hex("01 04 6a736f6e"));
        assertThat(rows.get(0).values().get(1)).asString().isEqualTo("-128");
        assertThat(rows.get(0).values().get(2)).asString().isEqualTo("18446744073709551615");
        assertThat(rows.get(1).values().subList(1, 14)).containsOnlyNulls();
    }
}
