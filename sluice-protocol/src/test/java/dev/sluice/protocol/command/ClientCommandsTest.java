package dev.sluice.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.binary.MysqlTime;
import dev.sluice.protocol.golden.Golden;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ClientCommands;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.client.ComFieldList;
import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComPing;
import dev.sluice.protocol.message.client.ComProcessKill;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComQuit;
import dev.sluice.protocol.message.client.ComResetConnection;
import dev.sluice.protocol.message.client.ComSetOption;
import dev.sluice.protocol.message.client.ComStatistics;
import dev.sluice.protocol.message.client.ComStmtBulkExecute;
import dev.sluice.protocol.message.client.ComStmtClose;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.protocol.message.client.ComStmtFetch;
import dev.sluice.protocol.message.client.ComStmtPrepare;
import dev.sluice.protocol.message.client.ComStmtReset;
import dev.sluice.protocol.message.client.ComStmtSendLongData;
import dev.sluice.protocol.message.client.StatementParams;
import dev.sluice.protocol.message.client.UnsupportedCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientCommandsTest {
    static final long CAPS = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS;
    static final long QA = CAPS | Capability.CLIENT_QUERY_ATTRIBUTES;
    static final StatementParams THREE = id -> id == 7 ? 3 : -1;

    static List<ClientCommand> samples() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("_client_name", "libmariadb");
        attrs.put("_pid", "42");
        BinaryType vc = BinaryType.of(ColumnType.VARCHAR);
        return List.of(
                ComQuery.of("SELECT 1"),
                ComInitDb.of("test"),
                ComFieldList.of("t", "%"),
                ComStmtPrepare.of("SELECT ?"),
                new ComStmtExecute(
                        7,
                        ComStmtExecute.CURSOR_TYPE_READ_ONLY,
                        1,
                        true,
                        List.of(
                                BoundParameter.of(BinaryType.unsignedOf(ColumnType.LONGLONG), 5L),
                                BoundParameter.of(vc, null),
                                BoundParameter.of(
                                        BinaryType.of(ColumnType.TIME), new MysqlTime(true, 40, 1, 2, 3, 4)))),
                new ComStmtSendLongData(7, 1, new byte[] {1, 2, 3}),
                new ComStmtClose(7),
                new ComStmtReset(7),
                new ComStmtFetch(7, 100),
                new ComStmtBulkExecute(7, 128, new byte[] {0x0f, 0, 0, 1, 0x61}),
                ComPing.INSTANCE,
                ComQuit.INSTANCE,
                ComStatistics.INSTANCE,
                ComResetConnection.INSTANCE,
                new ComSetOption(ComSetOption.MULTI_STATEMENTS_OFF),
                new ComProcessKill(12345),
                new ComChangeUser("bob", new byte[20], "db", 45, "mysql_native_password", attrs),
                new ComChangeUser("bob", new byte[0], "", null, null, null),
                new UnsupportedCommand(Command.COM_CREATE_DB, "x".getBytes()));
    }

    @Test
    void everyCommandRoundTripsAtAnyOffset() {
        for (ClientCommand c : samples()) {
            byte[] bytes = encode(c, CAPS);
            for (int offset : new int[] {0, 1, 7}) {
                ByteBuf in = Golden.atOffset(bytes, offset);
                ClientCommand back = ClientCommands.decode(in, CAPS, THREE);
                assertThat(back).as(c.toString()).isEqualTo(c);
                assertThat(in.isReadable()).isFalse();
            }
        }
    }

    @Test
    void queryAttributesRoundTrip() {
        ComQuery q = new ComQuery(
                "SELECT 1".getBytes(),
                List.of(new BoundParameter(BinaryType.of(ColumnType.VARCHAR), "trace_id", "abc".getBytes())));
        byte[] bytes = encode(q, QA);
        assertThat(Arrays.copyOf(bytes, 3)).isEqualTo(Golden.hex("03 01 01")); // command, count 1, set count 1
        assertThat(ClientCommands.decode(Unpooled.wrappedBuffer(bytes), QA, THREE))
                .isEqualTo(q);
        // without attributes: count 0, set count 1, then the text
        assertThat(encode(ComQuery.of("X"), QA)).isEqualTo(Golden.hex("03 00 01 58"));
    }

    @Test
    void executeWithoutTypesUsesTheBoundOnes() {
        List<BinaryType> types =
                List.of(BinaryType.of(ColumnType.LONG), BinaryType.of(ColumnType.TINY), BinaryType.of(ColumnType.TINY));
        StatementParams known = new StatementParams() {
            @Override
            public int paramCount(long id) {
                return 3;
            }

            @Override
            public List<BinaryType> boundTypes(long id) {
                return types;
            }
        };
        // stmt 7, no cursor, 1 iteration, NULL bitmap 0b010 (2nd NULL), no new types, LONG 5, TINY 9
        byte[] payload = Golden.hex("17 07000000 00 01000000 02 00 05000000 09");
        ComStmtExecute e = (ComStmtExecute) ClientCommands.decode(Unpooled.wrappedBuffer(payload), CAPS, known);
        assertThat(e.newParamsBound()).isFalse();
        assertThat(e.parameters()).extracting(BoundParameter::value).containsExactly(5L, null, 9L);
        assertThat(encode(e, CAPS)).isEqualTo(payload);
        assertThatThrownBy(() ->
                        ClientCommands.decode(Golden.buf("17 07000000 00 01000000 02 00 05000000 09"), CAPS, THREE))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no parameter types were bound");
    }

    @Test
    void malformedCommandsNameTheField() {
        bad("", "empty packet");
        bad("60", "unknown command byte 0x60");
        bad("17 07000000 00 01000000", "COM_STMT_EXECUTE null_bitmap: truncated");
        bad("17 09000000 00 01000000 00", "statement_id: 9 is not a prepared statement");
        bad("19 0700", "COM_STMT_CLOSE statement_id: truncated");
        bad("1c 07000000 01", "COM_STMT_FETCH num_rows: truncated");
        bad("18 07000000 01", "COM_STMT_SEND_LONG_DATA param_id: truncated");
        bad("1b 0200", "COM_SET_OPTION option: 2");
        bad("0e 00", "COM_PING: 1 unexpected trailing bytes");
        bad("04 7461626c65", "COM_FIELD_LIST table: NUL-terminated string without terminator");
        bad("11 626f6200 14 0102", "COM_CHANGE_USER auth_plugin_data: truncated");
        bad("11 626f6200 00 00 2100 6e617469766500 05 01 61", "connection_attributes length: length 5");
        // the total is honest, a key inside it is not: bounded by the block, not the packet
        bad("11 626f6200 00 00 2100 6e617469766500 02 05 61 62 63 64 65", "connection attribute key: length 5");
        bad("0c 0100", "COM_PROCESS_KILL connection_id: truncated");
        bad("fa 07000000", "COM_STMT_BULK_EXECUTE flags: truncated");
    }

    private static void bad(String hex, String message) {
        assertThatThrownBy(() -> ClientCommands.decode(Golden.buf(hex), CAPS, THREE))
                .as(hex)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
    }

    /** Random bytes after every command byte, under several capability sets: only ProtocolException escapes. */
    @Test
    void randomGarbageOnlyThrowsProtocolException() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        long[] caps = {CAPS, QA, 0L, QA | Capability.CLIENT_DEPRECATE_EOF};
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[1 + r.nextInt(40)];
            r.nextBytes(b);
            if (r.nextBoolean()) {
                Command[] all = Command.values();
                b[0] = (byte) all[r.nextInt(all.length)].code();
            }
            try {
                ClientCommands.decode(Unpooled.wrappedBuffer(b), caps[r.nextInt(caps.length)], THREE);
            } catch (ProtocolException expected) {
                // fine
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " input " + ByteBufUtil.hexDump(b), e);
            }
        }
    }

    static byte[] encode(ClientCommand c, long caps) {
        ByteBuf b = Unpooled.buffer();
        c.encode(b, caps);
        return ByteBufUtil.getBytes(b);
    }
}
