package dev.sluice.bench.jmh;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.validate.LinkValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The strict validator's cost per packet ({@code validate: observe}, docs/VALIDATION.md) on realistic exchanges of a
 * logged-in link: a COM_QUERY answered by an OK (2 packets), a 20-column text result of 100 rows (124 packets: the
 * command, column count, 20 definitions, EOF, 100 rows, EOF) and the same result as binary rows of a prepared
 * statement's COM_STMT_EXECUTE (124 packets). Scores are nanoseconds per packet; the CPU a query of that shape spends
 * in the validator is the score times its packets. Run with {@code bench/jmh.sh Validator} (add {@code -prof gc}:
 * well-formed packets allocate nothing but one small object per command).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ValidatorBenchmark {
    static final int COLUMNS = 20;
    static final int ROWS = 100;
    static final int RESULT_PACKETS = 1 + 1 + COLUMNS + 1 + ROWS + 1;
    private static final long CAPS = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS;

    private LinkValidator validator;
    private ByteBuf query;
    private ByteBuf ok;
    private List<ByteBuf> textResult;
    private ByteBuf execute;
    private List<ByteBuf> binaryResult;

    @Setup(Level.Trial)
    public void setUp() {
        validator = new LinkValidator("bench", 64 << 20, false, v -> {
            throw new IllegalStateException("the benchmark's traffic broke a rule: " + v.logLine());
        });
        written(
                0,
                b -> new HandshakeV10("10.11.0-MariaDB", 1, new byte[20], CAPS, 45, 2, "mysql_native_password")
                        .encode(b));
        ByteBuf login = Unpooled.buffer();
        new HandshakeResponse41(CAPS, 1 << 24, 45, "u", new byte[20], null, "mysql_native_password", List.of(), 0)
                .encode(login);
        validator.read(login, 1);
        written(2, b -> OkPacket.of(0, 0, ServerStatus.AUTOCOMMIT, 0).encode(b, CAPS));

        query = bytes(b -> b.writeByte(0x03).writeBytes("UPDATE t SET v = v + 1 WHERE id = 7".getBytes()));
        ok = bytes(b -> OkPacket.of(1, 0, ServerStatus.AUTOCOMMIT, 0).encode(b, CAPS));
        textResult = result(false);

        // a statement of 20 columns prepared once; each execution returns them as binary rows
        validator.read(bytes(b -> b.writeByte(0x16).writeBytes("SELECT * FROM wide".getBytes())), 0);
        written(
                1,
                b -> b.writeByte(0)
                        .writeIntLE(9)
                        .writeShortLE(COLUMNS)
                        .writeShortLE(0)
                        .writeByte(0)
                        .writeShortLE(0));
        for (int i = 0; i < COLUMNS; i++) {
            written(2 + i, column(i));
        }
        written(2 + COLUMNS, ValidatorBenchmark::eof);
        execute = bytes(b -> b.writeByte(0x17).writeIntLE(9).writeByte(0).writeIntLE(1));
        binaryResult = result(true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (validator.violation() != null || validator.fault() != null) {
            throw new IllegalStateException(
                    "the validator stopped checking: " + validator.violation(), validator.fault());
        }
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public boolean okPacket() {
        boolean a = validator.read(query, 0);
        return validator.written(ok, 1) & a;
    }

    @Benchmark
    @OperationsPerInvocation(RESULT_PACKETS)
    public boolean textResult20x100() {
        return exchange(query, textResult);
    }

    @Benchmark
    @OperationsPerInvocation(RESULT_PACKETS)
    public boolean binaryResult20x100() {
        return exchange(execute, binaryResult);
    }

    private boolean exchange(ByteBuf command, List<ByteBuf> response) {
        boolean all = validator.read(command, 0);
        for (int i = 0; i < response.size(); i++) {
            all &= validator.written(response.get(i), i + 1);
        }
        return all;
    }

    /** Column count, definitions (half LONGLONG, half VARCHAR), EOF, rows, EOF. */
    private static List<ByteBuf> result(boolean binary) {
        List<ByteBuf> packets = new ArrayList<>();
        packets.add(bytes(b -> Wire.writeLenencInt(b, COLUMNS)));
        for (int i = 0; i < COLUMNS; i++) {
            packets.add(bytes(column(i)));
        }
        packets.add(bytes(ValidatorBenchmark::eof));
        for (int r = 0; r < ROWS; r++) {
            int row = r;
            packets.add(bytes(b -> {
                if (binary) {
                    b.writeByte(0).writeZero((COLUMNS + 9) / 8);
                }
                for (int i = 0; i < COLUMNS; i++) {
                    if (i % 2 == 0) {
                        if (binary) {
                            b.writeLongLE(1_000_000L + row * 31L + i);
                        } else {
                            Wire.writeLenencString(b, Long.toString(1_000_000L + row * 31L + i));
                        }
                    } else {
                        Wire.writeLenencString(b, "value " + row + " of column " + i);
                    }
                }
            }));
        }
        packets.add(bytes(ValidatorBenchmark::eof));
        return packets;
    }

    private static Consumer<ByteBuf> column(int i) {
        return b -> ColumnDefinition41.of(
                        "bench",
                        "wide",
                        "c" + i,
                        i % 2 == 0 ? 63 : 45,
                        i % 2 == 0 ? 20 : 160,
                        i % 2 == 0 ? ColumnType.LONGLONG : ColumnType.VAR_STRING,
                        0,
                        0)
                .encode(b, CAPS, false);
    }

    private static void eof(ByteBuf b) {
        b.writeByte(0xFE).writeShortLE(0).writeShortLE(ServerStatus.AUTOCOMMIT);
    }

    private void written(int seq, Consumer<ByteBuf> payload) {
        validator.written(bytes(payload), seq);
    }

    private static ByteBuf bytes(Consumer<ByteBuf> payload) {
        ByteBuf b = Unpooled.buffer();
        payload.accept(b);
        return b;
    }
}
