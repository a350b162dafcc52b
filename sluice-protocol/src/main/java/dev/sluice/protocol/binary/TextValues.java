package dev.sluice.protocol.binary;

import dev.sluice.protocol.ProtocolException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Values of the text protocol: the bytes of one text-row column parsed into the same Java types {@link
 * BinaryValues} produces, so a client (or a test) can check that a query returns the same thing through
 * COM_QUERY and COM_STMT_EXECUTE. {@link #format} writes the server's text form back.
 */
public final class TextValues {
    private TextValues() {}

    public static Object parse(byte[] text, BinaryType t, String field) {
        String s = null;
        try {
            switch (t.type().shape()) {
                case NONE:
                    return null;
                case INT1:
                case INT2:
                case INT4:
                    return Long.parseLong(s = ascii(text));
                case INT8: {
                    s = ascii(text);
                    if (!t.unsigned()) {
                        return Long.parseLong(s);
                    }
                    long bits = Long.parseUnsignedLong(s);
                    return bits < 0 ? new BigInteger(s) : (Object) bits;
                }
                case FLOAT:
                    return Float.parseFloat(s = ascii(text));
                case DOUBLE:
                    return Double.parseDouble(s = ascii(text));
                case DATETIME:
                    return parseDateTime(s = ascii(text));
                case TIME:
                    return parseTime(s = ascii(text));
                case LENENC:
                    return BinaryValues.isDecimal(t.type()) ? BinaryValues.parseDecimal(text, field) : text;
                default:
                    throw new AssertionError(t.type().shape());
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // NumberFormatException is an IllegalArgumentException
            throw new ProtocolException(
                    field + ": '" + (s == null ? ascii(text) : s) + "' is not a valid " + t.type() + " text value", e);
        }
    }

    private static String ascii(byte[] text) {
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    /** "YYYY-MM-DD", optionally followed by " hh:mm:ss" and ".f" with 1 to 6 fraction digits. */
    private static MysqlDateTime parseDateTime(String s) {
        if (s.length() != 10 && s.length() < 19) {
            throw new IllegalArgumentException("length " + s.length());
        }
        expect(s, 4, '-');
        expect(s, 7, '-');
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        if (s.length() == 10) {
            return MysqlDateTime.date(year, month, day);
        }
        expect(s, 10, ' ');
        expect(s, 13, ':');
        expect(s, 16, ':');
        int micros = fraction(s, 19);
        return new MysqlDateTime(year, month, day, digits(s, 11, 13), digits(s, 14, 16), digits(s, 17, 19), micros);
    }

    /** "[-]h...h:mm:ss[.f]", total hours of any width. */
    private static MysqlTime parseTime(String s) {
        boolean negative = s.startsWith("-");
        int start = negative ? 1 : 0;
        int colon = s.indexOf(':', start);
        if (colon <= start || colon > start + 10 || s.length() < colon + 6) {
            throw new IllegalArgumentException("no hours");
        }
        long hours = Long.parseLong(s.substring(start, colon));
        if (hours < 0) {
            throw new IllegalArgumentException("hours");
        }
        expect(s, colon + 3, ':');
        int minutes = digits(s, colon + 1, colon + 3);
        int seconds = digits(s, colon + 4, colon + 6);
        int micros = fraction(s, colon + 6);
        return MysqlTime.ofTotalHours(negative, hours, minutes, seconds, micros);
    }

    private static int fraction(String s, int dot) {
        if (s.length() == dot) {
            return 0;
        }
        expect(s, dot, '.');
        int n = s.length() - dot - 1;
        if (n < 1 || n > 6) {
            throw new IllegalArgumentException("fraction of " + n + " digits");
        }
        int v = digits(s, dot + 1, s.length());
        for (int i = n; i < 6; i++) {
            v *= 10;
        }
        return v;
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a digit at " + i);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static void expect(String s, int at, char c) {
        if (s.charAt(at) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + at);
        }
    }

    /**
     * The server's text form of a value. {@code decimals} is the column's decimals (the fraction digits of
     * temporal columns: a DATETIME(6) prints ".000000" even when the micros are 0; 0 prints none).
     */
    public static byte[] format(Object value, BinaryType t, int decimals) {
        String s;
        switch (t.type().shape()) {
            case INT1:
            case INT2:
            case INT4:
            case INT8:
                s = value instanceof Long l && t.unsigned() ? Long.toUnsignedString(l) : value.toString();
                break;
            case FLOAT:
            case DOUBLE:
                s = value.toString();
                break;
            case DATETIME: {
                MysqlDateTime d = (MysqlDateTime) value;
                s = String.format("%04d-%02d-%02d", d.year(), d.month(), d.day());
                if (t.type() != ColumnType.DATE && t.type() != ColumnType.NEWDATE) {
                    s += String.format(" %02d:%02d:%02d", d.hour(), d.minute(), d.second())
                            + fractionText(d.micros(), decimals);
                }
                break;
            }
            case TIME: {
                MysqlTime v = (MysqlTime) value;
                s = String.format("%s%02d:%02d:%02d", v.negative() ? "-" : "", v.totalHours(), v.minutes(), v.seconds())
                        + fractionText(v.micros(), decimals);
                break;
            }
            case LENENC:
                return BinaryValues.lenencBytes(value, t);
            default:
                throw new IllegalArgumentException("no text form for " + t.type());
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String fractionText(int micros, int decimals) {
        if (decimals <= 0 || decimals > 6) {
            return "";
        }
        return "." + String.format("%06d", micros).substring(0, decimals);
    }
}
