package dev.sluice.protocol.binary;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryValuesTest {

    static Object roundTrip(BinaryType t, Object v) {
        ByteBuf b = Unpooled.buffer();
        BinaryValues.encode(b, t, v);
        Object back = BinaryValues.decode(b, t, "value");
        assertThat(b.isReadable()).as("consumed exactly").isFalse();
        return back;
    }

    static void same(BinaryType t, Object v) {
        Object back = roundTrip(t, v);
        if (v instanceof byte[] bytes) {
            assertThat((byte[]) back).isEqualTo(bytes);
        } else if (v instanceof Double d) {
            assertThat(Double.doubleToRawLongBits((Double) back)).isEqualTo(Double.doubleToRawLongBits(d));
        } else if (v instanceof Float f) {
            assertThat(Float.floatToRawIntBits((Float) back)).isEqualTo(Float.floatToRawIntBits(f));
        } else {
            assertThat(back).as("%s %s", t, v).isEqualTo(v);
        }
    }

    @Test
    void integerBoundaries() {
        same(BinaryType.of(ColumnType.TINY), -128L);
        same(BinaryType.of(ColumnType.TINY), 127L);
        same(BinaryType.unsignedOf(ColumnType.TINY), 255L);
        same(BinaryType.of(ColumnType.SHORT), -32768L);
        same(BinaryType.unsignedOf(ColumnType.SHORT), 65535L);
        same(BinaryType.of(ColumnType.YEAR), 2155L);
        same(BinaryType.of(ColumnType.INT24), -8388608L);
        same(BinaryType.unsignedOf(ColumnType.INT24), 16777215L);
        same(BinaryType.of(ColumnType.LONG), (long) Integer.MIN_VALUE);
        same(BinaryType.unsignedOf(ColumnType.LONG), 4294967295L);
        same(BinaryType.of(ColumnType.LONGLONG), Long.MIN_VALUE);
        same(BinaryType.unsignedOf(ColumnType.LONGLONG), Long.MAX_VALUE);
        same(
                BinaryType.unsignedOf(ColumnType.LONGLONG),
                BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
        // signed -1 and unsigned 2^64-1 share their bits
        assertThat(roundTrip(BinaryType.unsignedOf(ColumnType.LONGLONG), -1L))
                .isEqualTo(new BigInteger("18446744073709551615"));
    }

    @Test
    void floatingPointAndDecimal() {
        same(BinaryType.of(ColumnType.FLOAT), Float.NaN);
        same(BinaryType.of(ColumnType.FLOAT), -0.0f);
        same(BinaryType.of(ColumnType.DOUBLE), Double.NaN);
        same(BinaryType.of(ColumnType.DOUBLE), -0.0d);
        same(BinaryType.of(ColumnType.DOUBLE), Double.MAX_VALUE);
        same(BinaryType.of(ColumnType.NEWDECIMAL), new BigDecimal("-15.50"));
        same(BinaryType.of(ColumnType.DECIMAL), new BigDecimal("123456789012345678901234567890.123456789"));
    }

    @Test
    void temporalValuesJavaTimeCannotHold() {
        same(BinaryType.of(ColumnType.DATE), MysqlDateTime.ZERO);
        same(BinaryType.of(ColumnType.DATE), MysqlDateTime.date(2024, 0, 0));
        same(BinaryType.of(ColumnType.DATETIME), new MysqlDateTime(9999, 12, 31, 23, 59, 59, 999999));
        same(BinaryType.of(ColumnType.TIME), new MysqlTime(true, 34, 22, 59, 59, 999999)); // -838:59:59.999999
        same(BinaryType.of(ColumnType.TIME), new MysqlTime(false, 1, 1, 0, 0, 0)); // 25:00:00
        assertThat(MysqlTime.ofTotalHours(true, 838, 59, 59, 0).toString()).isEqualTo("-838:59:59");
    }

    @Test
    void bytesTypes() {
        same(BinaryType.of(ColumnType.BLOB), new byte[0]);
        same(BinaryType.of(ColumnType.LONG_BLOB), new byte[70_000]);
        same(BinaryType.of(ColumnType.BIT), new byte[] {(byte) 0xAA});
        same(BinaryType.of(ColumnType.JSON), "{\"a\":1}".getBytes());
        same(BinaryType.of(ColumnType.GEOMETRY), new byte[25]);
    }

    /** Random values of every type: binary round trip, and text form parsed equals the binary value. */
    @Test
    void seededRandomRoundTripsAndTextAgreement() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            ColumnType type = ColumnType.values()[r.nextInt(ColumnType.values().length)];
            if (type == ColumnType.NULL) {
                continue;
            }
            BinaryType t = new BinaryType(type, r.nextBoolean());
            Object v = random(r, t);
            try {
                same(t, v);
                if (type.shape() != ColumnType.Shape.FLOAT && type.shape() != ColumnType.Shape.DOUBLE) {
                    Object parsed = TextValues.parse(TextValues.format(v, t, 6), t, "text");
                    Object expected = type == ColumnType.DATE || type == ColumnType.NEWDATE
                            ? MysqlDateTime.date(
                                    ((MysqlDateTime) v).year(), ((MysqlDateTime) v).month(), ((MysqlDateTime) v).day())
                            : roundTrip(t, v);
                    if (expected instanceof byte[] bytes) {
                        assertThat((byte[]) parsed).isEqualTo(bytes);
                    } else {
                        assertThat(parsed).isEqualTo(expected);
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + i + " " + t + " " + v, e);
            }
        }
    }

    static Object random(Random r, BinaryType t) {
        long bits = r.nextLong();
        return switch (t.type().shape()) {
            case INT1 -> t.unsigned() ? bits & 0xFF : (long) (byte) bits;
            case INT2 -> t.unsigned() ? bits & 0xFFFF : (long) (short) bits;
            case INT4 ->
                t.type() == ColumnType.INT24
                        ? (t.unsigned() ? bits & 0xFFFFFF : (bits << 40) >> 40)
                        : (t.unsigned() ? bits & 0xFFFFFFFFL : (long) (int) bits);
            case INT8 -> t.unsigned() && bits < 0 ? BigInteger.valueOf(bits).add(BigInteger.ONE.shiftLeft(64)) : bits;
            case FLOAT -> Float.intBitsToFloat((int) bits);
            case DOUBLE -> Double.longBitsToDouble(bits);
            case DATETIME ->
                r.nextInt(10) == 0
                        ? MysqlDateTime.ZERO
                        : new MysqlDateTime(
                                r.nextInt(10000),
                                r.nextInt(13),
                                r.nextInt(32),
                                r.nextInt(24),
                                r.nextInt(60),
                                r.nextInt(60),
                                r.nextBoolean() ? 0 : r.nextInt(1_000_000));
            case TIME ->
                new MysqlTime(
                        r.nextBoolean(),
                        r.nextInt(35),
                        r.nextInt(24),
                        r.nextInt(60),
                        r.nextInt(60),
                        r.nextBoolean() ? 0 : r.nextInt(1_000_000));
            case LENENC ->
                t.type() == ColumnType.DECIMAL || t.type() == ColumnType.NEWDECIMAL
                        ? BigDecimal.valueOf(bits, r.nextInt(10))
                        : randomBytes(r);
            case NONE -> null;
        };
    }

    static byte[] randomBytes(Random r) {
        int n = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(251);
            case 2 -> 251 + r.nextInt(70_000);
            default -> r.nextInt(20);
        };
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
