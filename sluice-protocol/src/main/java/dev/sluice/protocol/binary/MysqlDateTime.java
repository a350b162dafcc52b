package dev.sluice.protocol.binary;

/**
 * A DATE, DATETIME or TIMESTAMP value as the server sends it, including values java.time rejects: the zero
 * date 0000-00-00 and dates with zero month or day (allowed unless NO_ZERO_DATE / NO_ZERO_IN_DATE).
 *
 * @param micros 0..999999
 */
public record MysqlDateTime(int year, int month, int day, int hour, int minute, int second, int micros) {
    public static final MysqlDateTime ZERO = new MysqlDateTime(0, 0, 0, 0, 0, 0, 0);

    public MysqlDateTime {
        check(year, 0, 9999, "year");
        check(month, 0, 12, "month");
        check(day, 0, 31, "day");
        check(hour, 0, 23, "hour");
        check(minute, 0, 59, "minute");
        check(second, 0, 59, "second");
        check(micros, 0, 999_999, "micros");
    }

    public static MysqlDateTime date(int year, int month, int day) {
        return new MysqlDateTime(year, month, day, 0, 0, 0, 0);
    }

    static void check(long value, long min, long max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: " + min + ".." + max + ")");
        }
    }

    public boolean hasTime() {
        return hour != 0 || minute != 0 || second != 0 || micros != 0;
    }

    @Override
    public String toString() {
        String s = String.format("%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second);
        return micros == 0 ? s : s + String.format(".%06d", micros);
    }
}
