package dev.sluice.proxy.ops;

import java.math.BigDecimal;

/** How table values are written as text, the same on the admin interface and in JSON. */
public final class OpsValues {
    private OpsValues() {}

    /** A decimal without exponent or trailing zeros ("0.25", "3", "12345678.5"); null for NaN or infinities. */
    public static String decimal(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return null;
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }

    /** The text of a value as a MySQL text row carries it; null for SQL NULL. */
    public static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Double d) {
            return decimal(d);
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        return v.toString();
    }
}
