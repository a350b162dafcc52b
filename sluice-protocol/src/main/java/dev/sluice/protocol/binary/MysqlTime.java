package dev.sluice.protocol.binary;

/**
 * A TIME value: a signed duration, not a time of day. MySQL's range is -838:59:59 .. 838:59:59, which the
 * binary protocol carries as a sign, whole days and hours 0..23; the text protocol as total hours.
 * java.time.LocalTime can hold neither negative values nor values past 24 hours.
 */
public record MysqlTime(boolean negative, long days, int hours, int minutes, int seconds, int micros) {
    public static final MysqlTime ZERO = new MysqlTime(false, 0, 0, 0, 0, 0);

    public MysqlTime {
        MysqlDateTime.check(days, 0, 0xFFFF_FFFFL, "days");
        MysqlDateTime.check(hours, 0, 23, "hours");
        MysqlDateTime.check(minutes, 0, 59, "minutes");
        MysqlDateTime.check(seconds, 0, 59, "seconds");
        MysqlDateTime.check(micros, 0, 999_999, "micros");
    }

    /** From total hours as the text protocol writes them ("-838:59:59"). */
    public static MysqlTime ofTotalHours(boolean negative, long totalHours, int minutes, int seconds, int micros) {
        return new MysqlTime(negative, totalHours / 24, (int) (totalHours % 24), minutes, seconds, micros);
    }

    public long totalHours() {
        return days * 24 + hours;
    }

    public boolean isZero() {
        return days == 0 && hours == 0 && minutes == 0 && seconds == 0 && micros == 0;
    }

    @Override
    public String toString() {
        String s = String.format("%s%02d:%02d:%02d", negative ? "-" : "", totalHours(), minutes, seconds);
        return micros == 0 ? s : s + String.format(".%06d", micros);
    }
}
