package dev.sluice.proxy.ops;

import java.util.List;

/** An {@link OpsTable} as JSON (RFC 8259): an array with one object per row, keyed by the column names. */
public final class OpsJson {
    private OpsJson() {}

    public static String render(OpsTable table) {
        StringBuilder out = new StringBuilder(64 + table.rows().size() * 128);
        out.append('[');
        List<OpsTable.Column> columns = table.columns();
        for (int r = 0; r < table.rows().size(); r++) {
            out.append(r == 0 ? "\n  {" : ",\n  {");
            List<Object> row = table.rows().get(r);
            for (int c = 0; c < columns.size(); c++) {
                if (c > 0) {
                    out.append(", ");
                }
                string(out, columns.get(c).name());
                out.append(": ");
                value(out, row.get(c));
            }
            out.append('}');
        }
        out.append(table.rows().isEmpty() ? "]\n" : "\n]\n");
        return out.toString();
    }

    private static void value(StringBuilder out, Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Double d) {
            out.append(d.isNaN() || d.isInfinite() ? "null" : OpsValues.decimal(d));
        } else if (v instanceof Number n) {
            out.append(n.longValue());
        } else if (v instanceof Boolean b) {
            out.append(b.booleanValue());
        } else {
            string(out, v.toString());
        }
    }

    /** A JSON string: quotes, backslash and control characters escaped; everything else as is (UTF-8 output). */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }
}
