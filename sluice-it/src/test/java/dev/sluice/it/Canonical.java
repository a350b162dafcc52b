package dev.sluice.it;

import dev.sluice.protocol.binary.MysqlDateTime;
import dev.sluice.protocol.binary.MysqlTime;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One canonical string per SQL value, so readings by different clients can be compared with {@code equals}.
 * SQL NULL is Java {@code null} on every side.
 *
 * <p>Codec values come as {@link dev.sluice.protocol.binary.BinaryValues} documents them and are checked to
 * be of exactly the expected Java type (a Long where a BigDecimal belongs is a failure, not a conversion).
 *
 * <p>JDBC getters, chosen (by trying them against MariaDB 10.11) to give the value without loss on both
 * Connector/J (text and binary protocol) and MariaDB Connector/J:
 *
 * <ul>
 *   <li>integers: {@code getString}, parsed as a BigInteger (exact for BIGINT UNSIGNED; getObject would give
 *       Integer/Long/BigInteger by width);
 *   <li>YEAR: {@code getInt}. Connector/J's getString and getObject turn YEAR into a date by default
 *       (YEAR 0 reads as "2000-01-01"), so its connections set {@code yearIsDateType=false};
 *   <li>FLOAT/DOUBLE: {@code getFloat}/{@code getDouble}, compared by {@code toString} of the float/double. Over the
 *       binary protocol the server sends the IEEE bits; over text it prints them (FLOAT with 6 significant
 *       digits), so FLOAT test values have at most 6 significant digits to be comparable across protocols;
 *   <li>DECIMAL: {@code getBigDecimal}, compared by {@code toPlainString} (scale kept: 0.00 is not 0);
 *   <li>DATE, DATETIME, TIMESTAMP, TIME: {@code getString}, reparsed. It is the only getter both drivers
 *       answer for zero dates (Connector/J's getObject throws "Zero date value prohibited", MariaDB's returns
 *       null) and for TIME outside 00:00..23:59:59 (java.sql.Time/LocalTime cannot hold -838:59:59; both
 *       drivers' getObject either throw or wrap it modulo 24 h). Connector/J drops an all-zero fraction
 *       ("838:59:59" for a TIME(6)), so fractions are normalised to 6 digits; the value is unchanged;
 *   <li>character strings (CHAR, VARCHAR, TEXT, JSON, ENUM, SET): {@code getString};
 *   <li>bytes (BINARY, VARBINARY, BLOB, BIT, GEOMETRY): {@code getBytes}, compared as hex. For BIT both drivers
 *       give the server's big-endian bytes (getString/getObject give "1", true or "b'101'").
 * </ul>
 */
public enum Canonical {
    INTEGER,
    YEAR,
    FLOAT,
    DOUBLE,
    DECIMAL,
    DATE,
    DATETIME,
    TIME,
    TEXT,
    BYTES;

    private static final Pattern DATE_TEXT = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
    private static final Pattern DATETIME_TEXT =
            Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})[ T](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?");
    private static final Pattern TIME_TEXT = Pattern.compile("(-?)(\\d+):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?");

    /** A value read by the codec client (text or binary protocol). */
    public String ofCodec(Object v) {
        if (v == null) {
            return null;
        }
        return switch (this) {
            case INTEGER, YEAR -> {
                if (!(v instanceof Long) && !(v instanceof BigInteger)) {
                    throw wrongType(v);
                }
                yield v.toString();
            }
            case FLOAT -> Float.toString(cast(v, Float.class));
            case DOUBLE -> Double.toString(cast(v, Double.class));
            case DECIMAL -> cast(v, BigDecimal.class).toPlainString();
            case DATE -> {
                MysqlDateTime d = cast(v, MysqlDateTime.class);
                if (d.hasTime()) {
                    throw new AssertionError("DATE with a time part: " + d);
                }
                yield String.format("%04d-%02d-%02d", d.year(), d.month(), d.day());
            }
            case DATETIME -> {
                MysqlDateTime d = cast(v, MysqlDateTime.class);
                yield dateTime(d.year(), d.month(), d.day(), d.hour(), d.minute(), d.second(), d.micros());
            }
            case TIME -> {
                MysqlTime t = cast(v, MysqlTime.class);
                yield time(t.negative(), t.totalHours(), t.minutes(), t.seconds(), t.micros());
            }
            case TEXT -> new String(cast(v, byte[].class), StandardCharsets.UTF_8);
            case BYTES -> HexFormat.of().formatHex(cast(v, byte[].class));
        };
    }

    /** Column {@code column} of the current row, read with the getter documented above. */
    public String ofJdbc(ResultSet rs, int column) throws SQLException {
        return switch (this) {
            case INTEGER -> {
                String text = rs.getString(column);
                yield text == null ? null : new BigInteger(text).toString();
            }
            case YEAR -> nullIfWasNull(rs, Integer.toString(rs.getInt(column)));
            case FLOAT -> nullIfWasNull(rs, Float.toString(rs.getFloat(column)));
            case DOUBLE -> nullIfWasNull(rs, Double.toString(rs.getDouble(column)));
            case DECIMAL -> {
                BigDecimal d = rs.getBigDecimal(column);
                yield d == null ? null : d.toPlainString();
            }
            case DATE, DATETIME, TIME -> {
                String text = rs.getString(column);
                yield text == null ? null : parse(text);
            }
            case TEXT -> rs.getString(column);
            case BYTES -> {
                byte[] b = rs.getBytes(column);
                yield b == null ? null : HexFormat.of().formatHex(b);
            }
        };
    }

    /**
     * Only primitive getters need wasNull(); object getters return null for NULL. (MariaDB Connector/J's text
     * protocol reports wasNull() true after getString of a zero DATETIME that it returned as a string.)
     */
    private static String nullIfWasNull(ResultSet rs, String s) throws SQLException {
        return rs.wasNull() ? null : s;
    }

    /** A temporal value as the server or a driver prints it, in canonical form. */
    public String parse(String text) {
        Matcher m;
        switch (this) {
            case DATE:
                if ((m = DATE_TEXT.matcher(text)).matches()) {
                    return text;
                }
                break;
            case DATETIME:
                if ((m = DATETIME_TEXT.matcher(text)).matches()) {
                    return dateTime(
                            num(m, 1), num(m, 2), num(m, 3), num(m, 4), num(m, 5), num(m, 6), micros(m.group(7)));
                }
                if (DATE_TEXT.matcher(text).matches()) {
                    return text + " 00:00:00.000000";
                }
                break;
            case TIME:
                if ((m = TIME_TEXT.matcher(text)).matches()) {
                    return time(
                            !m.group(1).isEmpty(),
                            Long.parseLong(m.group(2)),
                            num(m, 3),
                            num(m, 4),
                            micros(m.group(5)));
                }
                break;
            default:
                break;
        }
        throw new AssertionError("not a " + this + " text: '" + text + "'");
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    /** Fraction digits to microseconds; digits beyond the sixth must be zeros, or the value was not exact. */
    private static int micros(String fraction) {
        if (fraction == null) {
            return 0;
        }
        String padded = (fraction + "000000000").substring(0, 9);
        if (!padded.endsWith("000")) {
            throw new AssertionError("fraction ." + fraction + " is finer than microseconds");
        }
        return Integer.parseInt(padded.substring(0, 6));
    }

    private static String dateTime(int y, int mo, int d, int h, int mi, int s, int micros) {
        return String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d", y, mo, d, h, mi, s, micros);
    }

    private static String time(boolean negative, long totalHours, int minutes, int seconds, int micros) {
        return String.format("%s%d:%02d:%02d.%06d", negative ? "-" : "", totalHours, minutes, seconds, micros);
    }

    private <T> T cast(Object v, Class<T> type) {
        if (!type.isInstance(v)) {
            throw wrongType(v);
        }
        return type.cast(v);
    }

    private AssertionError wrongType(Object v) {
        return new AssertionError(
                this + " value of unexpected Java type " + v.getClass().getName() + ": " + v);
    }
}
