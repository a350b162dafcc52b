package dev.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.golden.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WireTest {

    private record Vector(long value, byte[] bytes) {}

    private static List<Vector> lenencTable() throws IOException {
        List<Vector> vectors = new ArrayList<>();
        try (InputStream in = WireTest.class.getResourceAsStream("/golden/connection/lenenc.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+", 2);
                vectors.add(new Vector(Long.parseUnsignedLong(parts[0]), Hex.parse(parts[1])));
            }
        }
        return vectors;
    }

    @Test
    void lenencGoldenBytesAtEveryBoundary() throws IOException {
        List<Vector> table = lenencTable();
        assertThat(table).hasSize(10);
        for (Vector v : table) {
            String what = Long.toUnsignedString(v.value());
            ByteBuf buf = Unpooled.buffer();
            Wire.writeLenencInt(buf, v.value());
            assertThat(ByteBufUtil.hexDump(buf)).as(what).isEqualTo(Hex.of(v.bytes()));
            assertThat(Wire.lenencIntSize(v.value())).as(what).isEqualTo(v.bytes().length);
            assertThat(Wire.readLenencInt(buf, "x")).as(what).isEqualTo(v.value());
            assertThat(buf.isReadable()).isFalse();
            buf.release();
        }
    }

    @Test
    void lenencSizesAre1_3_4_9() {
        assertThat(Wire.lenencIntSize(0)).isEqualTo(1);
        assertThat(Wire.lenencIntSize(250)).isEqualTo(1);
        assertThat(Wire.lenencIntSize(251)).isEqualTo(3);
        assertThat(Wire.lenencIntSize(65535)).isEqualTo(3);
        assertThat(Wire.lenencIntSize(65536)).isEqualTo(4);
        assertThat(Wire.lenencIntSize(16777215)).isEqualTo(4);
        assertThat(Wire.lenencIntSize(16777216)).isEqualTo(9);
        assertThat(Wire.lenencIntSize(Long.MAX_VALUE)).isEqualTo(9);
        assertThat(Wire.lenencIntSize(Long.MIN_VALUE)).isEqualTo(9);
        assertThat(Wire.lenencIntSize(-1L)).isEqualTo(9);
    }

    @Test
    void ffIsNeverALenencInt() {
        assertThatThrownBy(() ->
                        Wire.readLenencInt(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0, 0}), "OK affected_rows"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("OK affected_rows: invalid first byte 0xff of a length-encoded integer");
    }

    @Test
    void fbIsNullWhereNullIsNotAllowed() {
        assertThatThrownBy(() -> Wire.readLenencInt(Unpooled.wrappedBuffer(new byte[] {(byte) 0xfb}), "column count"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("column count: ")
                .hasMessageContaining("NULL");
        assertThat(Wire.isNull(Unpooled.wrappedBuffer(new byte[] {(byte) 0xfb})))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fc", "fc 01", "fd", "fd 01 02", "fe", "fe 01 02 03 04 05 06 07"})
    void truncatedLenencNamesTheField(String hex) {
        assertThatThrownBy(() -> Wire.readLenencInt(Unpooled.wrappedBuffer(Hex.parse(hex)), "OK last_insert_id"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("OK last_insert_id: truncated, needs ");
    }

    @Test
    void emptyInputNamesTheField() {
        assertThatThrownBy(() -> Wire.readLenencInt(Unpooled.EMPTY_BUFFER, "f"))
                .hasMessage("f: truncated, needs 1 bytes, 0 remaining");
    }

    @Test
    void lenencLengthAboveRemainingIsRefusedBeforeAllocating() {
        // claims 2^63 bytes follow: must be a ProtocolException, never an allocation or a negative size
        ByteBuf buf = Unpooled.wrappedBuffer(Hex.parse("fe 00 00 00 00 00 00 00 80 61"));
        assertThatThrownBy(() -> Wire.readLenencBytes(buf, "attr"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("attr: length 9223372036854775808 (expected: <= 1 remaining bytes)");
        ByteBuf buf2 = Unpooled.wrappedBuffer(Hex.parse("fc 10 00 61 62"));
        assertThatThrownBy(() -> Wire.readLenencString(buf2, "name"))
                .hasMessage("name: length 16 (expected: <= 2 remaining bytes)");
    }

    @Test
    void negativeFixedLengthIsAProtocolErrorNotANegativeArraySize() {
        assertThatThrownBy(() -> Wire.readFixedBytes(Unpooled.wrappedBuffer(new byte[4]), -1, "part2"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("part2: negative length -1");
    }

    @Test
    void nulStringWithoutTerminator() {
        assertThatThrownBy(() -> Wire.readNulString(Unpooled.wrappedBuffer("abc".getBytes()), "username"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("username: NUL-terminated string without terminator (3 bytes remaining)");
    }

    @Test
    void fixedIntegersAreLittleEndianAndUnsigned() {
        ByteBuf buf = Unpooled.buffer();
        Wire.writeInt1(buf, 0xfe);
        Wire.writeInt2(buf, 0xfeff);
        Wire.writeInt3(buf, 0xfdfeff);
        Wire.writeInt4(buf, 0xfcfdfeffL);
        Wire.writeInt6(buf, 0xfafbfcfdfeffL);
        Wire.writeInt8(buf, 0xf8f9fafbfcfdfeffL);
        assertThat(ByteBufUtil.hexDump(buf))
                .isEqualTo("fe" + "fffe" + "fffefd" + "fffefdfc" + "fffefdfcfbfa" + "fffefdfcfbfaf9f8");
        assertThat(Wire.readInt1(buf, "a")).isEqualTo(0xfe);
        assertThat(Wire.readInt2(buf, "b")).isEqualTo(0xfeff);
        assertThat(Wire.readInt3(buf, "c")).isEqualTo(0xfdfeff);
        assertThat(Wire.readInt4(buf, "d")).isEqualTo(0xfcfdfeffL);
        assertThat(Wire.readInt6(buf, "e")).isEqualTo(0xfafbfcfdfeffL);
        assertThat(Wire.readInt8(buf, "f")).isEqualTo(0xf8f9fafbfcfdfeffL);
        assertThatThrownBy(() -> Wire.readInt4(Unpooled.wrappedBuffer(new byte[3]), "connection_id"))
                .hasMessage("connection_id: truncated, needs 4 bytes, 3 remaining");
    }

    /** Values concentrated near the lenenc boundaries and the unsigned 64-bit extremes. */
    private static long interestingLong(Random r) {
        long[] edges = {0, 250, 251, 65535, 65536, 16777215, 16777216, Long.MAX_VALUE, Long.MIN_VALUE, -1L};
        return switch (r.nextInt(4)) {
            case 0 -> edges[r.nextInt(edges.length)] + r.nextInt(5) - 2;
            case 1 -> r.nextInt(300);
            case 2 -> r.nextLong() >>> r.nextInt(64);
            default -> r.nextLong();
        };
    }

    @Test
    void seededRoundTripsOfEveryEncoderDecoderPair() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 5000; i++) {
            String ctx = "seed " + seed + ", round " + i;
            ByteBuf buf = Unpooled.buffer();
            long v = interestingLong(r);
            int i1 = r.nextInt(1 << 8);
            int i2 = r.nextInt(1 << 16);
            int i3 = r.nextInt(1 << 24);
            long i4 = v & 0xFFFFFFFFL;
            long i6 = v & 0xFFFFFFFFFFFFL;
            byte[] bytes = new byte[r.nextInt(r.nextBoolean() ? 300 : 70000)];
            r.nextBytes(bytes);
            String text = randomText(r);
            Wire.writeInt1(buf, i1);
            Wire.writeInt2(buf, i2);
            Wire.writeInt3(buf, i3);
            Wire.writeInt4(buf, i4);
            Wire.writeInt6(buf, i6);
            Wire.writeInt8(buf, v);
            Wire.writeLenencInt(buf, v);
            Wire.writeLenencBytes(buf, bytes);
            Wire.writeLenencString(buf, text);
            Wire.writeNulString(buf, text.replace("\0", ""));
            assertThat(Wire.readInt1(buf, "1")).as(ctx).isEqualTo(i1);
            assertThat(Wire.readInt2(buf, "2")).as(ctx).isEqualTo(i2);
            assertThat(Wire.readInt3(buf, "3")).as(ctx).isEqualTo(i3);
            assertThat(Wire.readInt4(buf, "4")).as(ctx).isEqualTo(i4);
            assertThat(Wire.readInt6(buf, "6")).as(ctx).isEqualTo(i6);
            assertThat(Wire.readInt8(buf, "8")).as(ctx).isEqualTo(v);
            int before = buf.readableBytes();
            assertThat(Wire.readLenencInt(buf, "lenenc")).as(ctx).isEqualTo(v);
            assertThat(before - buf.readableBytes()).as(ctx).isEqualTo(Wire.lenencIntSize(v));
            assertThat(Wire.readLenencBytes(buf, "bytes")).as(ctx).isEqualTo(bytes);
            assertThat(Wire.readLenencString(buf, "text")).as(ctx).isEqualTo(text);
            assertThat(Wire.readNulString(buf, "nul")).as(ctx).isEqualTo(text.replace("\0", ""));
            assertThat(buf.isReadable()).as(ctx).isFalse();
            buf.release();
        }
    }

    private static String randomText(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
            int cp = switch (r.nextInt(3)) {
                case 0 -> r.nextInt(128);
                case 1 -> 0xA0 + r.nextInt(0x700);
                default -> 0x1F600 + r.nextInt(64);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}
