package dev.sluice.protocol.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.BinaryValues;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.binary.TextValues;
import dev.sluice.protocol.golden.Golden;
import dev.sluice.protocol.message.server.BinaryRow;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ComStmtPrepareOk;
import dev.sluice.protocol.message.server.TextRow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class MalformedServerInputTest {
    static final long P41 = Capability.CLIENT_PROTOCOL_41;
    static final String COLDEF = "03646566 00 00 00 01 61 00 0c 3f00 0b000000 03 0000 00 0000";

    static void bad(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(ProtocolException.class).hasMessageContaining(message);
    }

    @Test
    void namedFieldErrors() {
        bad(() -> ColumnCount.decode(Golden.buf("ff"), P41), "ColumnCount column_count: invalid first byte 0xff");
        bad(() -> ColumnCount.decode(Golden.buf("fc 01"), P41), "ColumnCount column_count: truncated");
        bad(() -> ColumnDefinition41.decode(Golden.buf("ff"), P41, false), "ColumnDefinition41 catalog: invalid");
        bad(
                () -> ColumnDefinition41.decode(
                        Golden.buf("03646566 00 00 00 01 61 00 0c 3f00 0b000000 03 0000 00"), P41, false),
                "ColumnDefinition41 filler: truncated, needs 2 bytes, 0 remaining");
        bad(
                () -> ColumnDefinition41.decode(Golden.buf("03646566 00 00 00 01 61 00 0b"), P41, false),
                "length_of_fixed_fields: 11 (expected: 12)");
        bad(
                () -> ColumnDefinition41.decode(
                        Golden.buf("03646566 00 00 00 01 61 00 0c 3f00 0b000000 e0 0000 00 0000"), P41, false),
                "ColumnDefinition41 type: unknown column type 0xe0");
        bad(
                () -> ColumnDefinition41.decode(Golden.buf("03646566 00 00 09 61"), P41, false),
                "ColumnDefinition41 org_table: length 9");
        bad(() -> TextRow.decode(Golden.buf("01 31 fb"), 3), "TextRow: 2 values (expected: 3)");
        bad(() -> TextRow.decode(Golden.buf("01 31 fb 00"), 2), "more values than columns");
        bad(() -> TextRow.decode(Golden.buf("05 31"), 1), "TextRow column 0: length 5");
        List<BinaryType> nine = java.util.Collections.nCopies(9, BinaryType.of(ColumnType.TINY));
        bad(() -> BinaryRow.decode(Golden.buf("00 00"), nine), "BinaryRow null_bitmap: truncated, needs 2 bytes");
        bad(
                () -> BinaryRow.decode(Golden.buf("01 00"), List.of(BinaryType.of(ColumnType.TINY))),
                "BinaryRow header: 0x1");
        bad(
                () -> BinaryRow.decode(Golden.buf("00 00 05 01"), List.of(BinaryType.of(ColumnType.DATETIME))),
                "BinaryRow column 0: date/time length 5");
        bad(
                () -> BinaryRow.decode(
                        Golden.buf("00 00 07 da07 0d 01 00 00 00"), List.of(BinaryType.of(ColumnType.DATETIME))),
                "BinaryRow column 0: invalid date/time: month: 13");
        bad(
                () -> BinaryRow.decode(
                        Golden.buf("00 00 08 02 00000000 00 00 00"), List.of(BinaryType.of(ColumnType.TIME))),
                "time is_negative 2");
        bad(
                () -> BinaryRow.decode(Golden.buf("00 00 03 31 2e 78"), List.of(BinaryType.of(ColumnType.NEWDECIMAL))),
                "invalid decimal '1.x'");
        bad(
                () -> ComStmtPrepareOk.decode(Golden.buf("00 01000000 0100 0200 00 00")),
                "ComStmtPrepareOk warning_count: truncated, needs 2 bytes, 1 remaining");
        bad(() -> ComStmtPrepareOk.decode(Golden.buf("00 01000000 01")), "ComStmtPrepareOk num_columns: truncated");
        bad(
                () -> TextValues.parse("2024-13-01".getBytes(), BinaryType.of(ColumnType.DATE), "dte"),
                "dte: '2024-13-01' is not a valid DATE");
        bad(() -> new ResponseDecoder(Command.COM_QUERY, P41).next(Golden.buf("fe 00")), "0xfe where a result starts");
        bad(
                () -> new ResponseDecoder(Command.COM_STMT_BULK_EXECUTE, P41).next(Golden.buf("fb 2f")),
                "only COM_QUERY and COM_STMT_EXECUTE may ask");
        bad(() -> new ResponseDecoder(Command.COM_PING, P41).next(Golden.buf("01")), "expected: OK 0x00 or ERR 0xff");
    }

    /**
     * ColumnDefinition41.check (used by the relay) accepts exactly what decode accepts and fails with the same
     * message: every truncation and every single-byte change of valid definitions, plus random bytes (seeded).
     */
    @Test
    void checkAgreesWithDecode() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        long ext = P41 | Capability.MARIADB_CLIENT_EXTENDED_METADATA;
        List<String[]> cases = List.of(
                new String[] {COLDEF, "false", "p41"},
                new String[] {"03646566 00 00 00 01 61 00 0c 3f00 0b000000 03 0000 00 0000 fb", "true", "p41"},
                new String[] {"03646566 00 00 00 01 61 00 0c 3f00 0b000000 03 0000 00 0000 02 3132", "true", "p41"},
                new String[] {"03646566 00 00 00 01 61 00 04 00 01 6a 0c 3f00 0b000000 03 0000 00 0000", "false", "ext"
                });
        int compared = 0;
        for (String[] c : cases) {
            byte[] valid = Golden.hex(c[0]);
            boolean fieldList = Boolean.parseBoolean(c[1]);
            long caps = c[2].equals("ext") ? ext : P41;
            List<byte[]> variants = new java.util.ArrayList<>();
            for (int len = 0; len <= valid.length; len++) {
                variants.add(java.util.Arrays.copyOf(valid, len));
            }
            for (int i = 0; i < valid.length; i++) {
                byte[] v = valid.clone();
                v[i] = (byte) r.nextInt(256);
                variants.add(v);
            }
            for (int i = 0; i < 500; i++) {
                byte[] v = new byte[r.nextInt(40)];
                r.nextBytes(v);
                variants.add(v);
            }
            for (byte[] v : variants) {
                String decodeError = error(() -> ColumnDefinition41.decode(Unpooled.wrappedBuffer(v), caps, fieldList));
                String checkError = error(() -> ColumnDefinition41.check(Unpooled.wrappedBuffer(v), caps, fieldList));
                assertThat(checkError)
                        .as("seed %d, payload %s", seed, io.netty.buffer.ByteBufUtil.hexDump(v))
                        .isEqualTo(decodeError);
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(2000);
        assertThat(error(() -> ColumnDefinition41.check(Golden.buf(COLDEF), P41, false)))
                .isNull();
    }

    private static String error(Runnable call) {
        try {
            call.run();
            return null;
        } catch (ProtocolException e) {
            return e.getMessage();
        }
    }

    /** Seeded random payloads through every server-side decoder: nothing but ProtocolException escapes. */
    @Test
    void randomGarbageOnlyThrowsProtocolException() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        long[] caps = {
            P41,
            P41 | Capability.CLIENT_DEPRECATE_EOF | Capability.CLIENT_SESSION_TRACK,
            P41
                    | Capability.MARIADB_CLIENT_CACHE_METADATA
                    | Capability.MARIADB_CLIENT_EXTENDED_METADATA
                    | Capability.MARIADB_CLIENT_PROGRESS
        };
        Command[] commands = {
            Command.COM_QUERY,
            Command.COM_STMT_EXECUTE,
            Command.COM_STMT_PREPARE,
            Command.COM_FIELD_LIST,
            Command.COM_STMT_FETCH,
            Command.COM_STATISTICS,
            Command.COM_PING
        };
        List<BinaryType> types =
                java.util.Arrays.stream(ColumnType.values()).map(BinaryType::of).toList();
        for (int i = 0; i < 20_000; i++) {
            long c = caps[r.nextInt(caps.length)];
            byte[] b = new byte[r.nextInt(30)];
            r.nextBytes(b);
            List<Consumer<ByteBuf>> decoders = List.of(
                    p -> ColumnCount.decode(p, c),
                    p -> ColumnDefinition41.decode(p, c, r.nextBoolean()),
                    p -> TextRow.decode(p, 1 + r.nextInt(4)),
                    p -> BinaryRow.decode(p, types.subList(0, 1 + r.nextInt(types.size()))),
                    p -> ComStmtPrepareOk.decode(p),
                    p -> BinaryValues.decode(p, types.get(r.nextInt(types.size())), "v"),
                    p -> TextValues.parse(ByteBufUtil.getBytes(p), types.get(r.nextInt(types.size())), "v"),
                    p -> {
                        ResponseDecoder d =
                                new ResponseDecoder(commands[r.nextInt(commands.length)], c, r.nextBoolean());
                        // a plausible prefix, then garbage packets
                        for (int k = 0; k < 4 && !d.isComplete(); k++) {
                            byte[] g = new byte[r.nextInt(12)];
                            r.nextBytes(g);
                            d.next(Unpooled.wrappedBuffer(k == 0 ? p.array() : g));
                        }
                    });
            try {
                decoders.get(i % decoders.size()).accept(Unpooled.wrappedBuffer(b));
            } catch (ProtocolException expected) {
                // fine
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "seed " + seed + " decoder " + (i % decoders.size()) + " input " + ByteBufUtil.hexDump(b), e);
            }
        }
    }
}
