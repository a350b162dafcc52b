package dev.sluice.protocol.binary;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * One value in the binary protocol (binary result rows and COM_STMT_EXECUTE parameters), by {@link
 * BinaryType}. Values are plain Java types:
 *
 * <ul>
 *   <li>TINY, SHORT, YEAR, INT24, LONG, LONGLONG: {@link Long}, sign-extended unless unsigned; an unsigned
 *       LONGLONG above {@link Long#MAX_VALUE} is a {@link BigInteger} (encode also takes any {@link Number}
 *       and writes its low bytes);
 *   <li>FLOAT: {@link Float}; DOUBLE: {@link Double} (bits kept, so NaN payloads and -0.0 survive);
 *   <li>DECIMAL, NEWDECIMAL: {@link BigDecimal} (sent as an ASCII length-encoded string);
 *   <li>DATE, DATETIME, TIMESTAMP: {@link MysqlDateTime}; TIME: {@link MysqlTime};
 *   <li>every other type (strings, BLOBs, BIT, JSON, ENUM, SET, GEOMETRY): {@code byte[]}, undecoded, since
 *       their character set is the connection's business, not the codec's.
 * </ul>
 *
 * <p>Temporal values are written in the shortest length the value allows (0, 4, 7 or 11 bytes for dates,
 * 0, 8 or 12 for TIME), which is what MySQL and MariaDB servers send; decoding accepts every legal length.
 */
public final class BinaryValues {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private BinaryValues() {}

    /** Reads one non-NULL value; {@code field} names it in errors (e.g. "BinaryRow column 3"). */
    public static Object decode(ByteBuf buf, BinaryType t, String field) {
        boolean unsigned = t.unsigned();
        switch (t.type().shape()) {
            case NONE:
                return null;
            case INT1: {
                int v = Wire.readInt1(buf, field);
                return unsigned ? (long) v : (long) (byte) v;
            }
            case INT2: {
                int v = Wire.readInt2(buf, field);
                return unsigned ? (long) v : (long) (short) v;
            }
            case INT4: {
                long v = Wire.readInt4(buf, field);
                return unsigned ? v : (long) (int) v;
            }
            case INT8: {
                long v = Wire.readInt8(buf, field);
                return unsigned && v < 0 ? BigInteger.valueOf(v).add(TWO_64) : (Object) v;
            }
            case FLOAT:
                return Float.intBitsToFloat((int) Wire.readInt4(buf, field));
            case DOUBLE:
                return Double.longBitsToDouble(Wire.readInt8(buf, field));
            case DATETIME:
                return decodeDateTime(buf, field);
            case TIME:
                return decodeTime(buf, field);
            case LENENC: {
                byte[] bytes = Wire.readLenencBytes(buf, field);
                return isDecimal(t.type()) ? parseDecimal(bytes, field) : bytes;
            }
            default:
                throw new AssertionError(t.type().shape());
        }
    }

    private static MysqlDateTime decodeDateTime(ByteBuf buf, String field) {
        int length = Wire.readInt1(buf, field + " length");
        if (length != 0 && length != 4 && length != 7 && length != 11) {
            throw new ProtocolException(field + ": date/time length " + length + " (expected: 0, 4, 7 or 11)");
        }
        Wire.need(buf, length, field);
        int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
        if (length >= 4) {
            year = buf.readUnsignedShortLE();
            month = buf.readUnsignedByte();
            day = buf.readUnsignedByte();
        }
        if (length >= 7) {
            hour = buf.readUnsignedByte();
            minute = buf.readUnsignedByte();
            second = buf.readUnsignedByte();
        }
        if (length == 11) {
            micros = (int) buf.readUnsignedIntLE();
        }
        try {
            return new MysqlDateTime(year, month, day, hour, minute, second, micros);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(field + ": invalid date/time: " + e.getMessage(), e);
        }
    }

    private static MysqlTime decodeTime(ByteBuf buf, String field) {
        int length = Wire.readInt1(buf, field + " length");
        if (length != 0 && length != 8 && length != 12) {
            throw new ProtocolException(field + ": time length " + length + " (expected: 0, 8 or 12)");
        }
        if (length == 0) {
            return MysqlTime.ZERO;
        }
        Wire.need(buf, length, field);
        int sign = buf.readUnsignedByte();
        if (sign > 1) {
            throw new ProtocolException(field + ": time is_negative " + sign + " (expected: 0 or 1)");
        }
        long days = buf.readUnsignedIntLE();
        int hour = buf.readUnsignedByte();
        int minute = buf.readUnsignedByte();
        int second = buf.readUnsignedByte();
        int micros = length == 12 ? (int) buf.readUnsignedIntLE() : 0;
        try {
            return new MysqlTime(sign == 1, days, hour, minute, second, micros);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(field + ": invalid time: " + e.getMessage(), e);
        }
    }

    static boolean isDecimal(ColumnType type) {
        return type == ColumnType.DECIMAL || type == ColumnType.NEWDECIMAL;
    }

    static BigDecimal parseDecimal(byte[] ascii, String field) {
        String s = new String(ascii, StandardCharsets.US_ASCII);
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new ProtocolException(field + ": invalid decimal '" + s + "'", e);
        }
    }

    /**
     * Writes one non-NULL value. A Java value of the wrong kind for the type is a programming error
     * ({@link IllegalArgumentException}), not a protocol error.
     */
    public static void encode(ByteBuf out, BinaryType t, Object value) {
        switch (t.type().shape()) {
            case NONE:
                return;
            case INT1:
                out.writeByte((int) integerBits(value, t));
                return;
            case INT2:
                out.writeShortLE((int) integerBits(value, t));
                return;
            case INT4:
                out.writeIntLE((int) integerBits(value, t));
                return;
            case INT8:
                out.writeLongLE(integerBits(value, t));
                return;
            case FLOAT:
                out.writeIntLE(Float.floatToRawIntBits(as(value, Float.class, t)));
                return;
            case DOUBLE:
                out.writeLongLE(Double.doubleToRawLongBits(as(value, Double.class, t)));
                return;
            case DATETIME:
                encodeDateTime(out, as(value, MysqlDateTime.class, t));
                return;
            case TIME:
                encodeTime(out, as(value, MysqlTime.class, t));
                return;
            case LENENC:
                Wire.writeLenencBytes(out, lenencBytes(value, t));
                return;
            default:
                throw new AssertionError(t.type().shape());
        }
    }

    private static void encodeDateTime(ByteBuf out, MysqlDateTime v) {
        int length;
        if (v.micros() != 0) {
            length = 11;
        } else if (v.hour() != 0 || v.minute() != 0 || v.second() != 0) {
            length = 7;
        } else if (v.year() != 0 || v.month() != 0 || v.day() != 0) {
            length = 4;
        } else {
            length = 0;
        }
        out.writeByte(length);
        if (length >= 4) {
            out.writeShortLE(v.year());
            out.writeByte(v.month());
            out.writeByte(v.day());
        }
        if (length >= 7) {
            out.writeByte(v.hour());
            out.writeByte(v.minute());
            out.writeByte(v.second());
        }
        if (length == 11) {
            out.writeIntLE(v.micros());
        }
    }

    private static void encodeTime(ByteBuf out, MysqlTime v) {
        if (v.isZero() && !v.negative()) {
            out.writeByte(0);
            return;
        }
        out.writeByte(v.micros() != 0 ? 12 : 8);
        out.writeByte(v.negative() ? 1 : 0);
        out.writeIntLE((int) v.days());
        out.writeByte(v.hours());
        out.writeByte(v.minutes());
        out.writeByte(v.seconds());
        if (v.micros() != 0) {
            out.writeIntLE(v.micros());
        }
    }

    private static long integerBits(Object value, BinaryType t) {
        if (value instanceof BigInteger big) {
            return big.longValue();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        throw mismatch(value, t);
    }

    static byte[] lenencBytes(Object value, BinaryType t) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString().getBytes(StandardCharsets.US_ASCII);
        }
        if (value instanceof CharSequence s) {
            return s.toString().getBytes(StandardCharsets.UTF_8);
        }
        throw mismatch(value, t);
    }

    private static <T> T as(Object value, Class<T> type, BinaryType t) {
        if (!type.isInstance(value)) {
            throw mismatch(value, t);
        }
        return type.cast(value);
    }

    private static IllegalArgumentException mismatch(Object value, BinaryType t) {
        return new IllegalArgumentException("value of "
                + (value == null ? "null" : value.getClass().getSimpleName()) + " cannot be written as " + t.type());
    }
}
