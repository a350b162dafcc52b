package dev.sluice.it;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A table holding every MariaDB column type (extremes, zero dates, TIME beyond 24 h and negative, 4-byte UTF-8,
 * BLOBs whose length-encoded headers take 1, 3 and 4 bytes, a last row of NULLs), its SQL to create and fill
 * it, and a JDBC reading of it in the canonical form of {@link Canonical}, so readings by different clients
 * (or along different paths) can be compared cell by cell.
 */
public final class EveryTypeTable {
    /** A value as SQL literal and, unless null, its expected canonical form. */
    public record Value(String sql, String expected) {}

    public record Column(String name, String ddl, Canonical kind, List<Value> values) {}

    private EveryTypeTable() {}

    public static Value value(Column column, int row) {
        return column.values().get(row % column.values().size());
    }

    /** Rows holding values (the row of NULLs comes after them). */
    public static int valueRows(List<Column> columns) {
        return columns.stream().mapToInt(c -> c.values().size()).max().orElseThrow();
    }

    /** CREATE TABLE, then one INSERT per row: ids 1..valueRows hold values, the last id only NULLs. */
    public static List<String> setupSql(String table, List<Column> columns) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TABLE " + table + " (id INT PRIMARY KEY, "
                + columns.stream().map(col -> col.name() + " " + col.ddl()).collect(Collectors.joining(", ")) + ")");
        int rows = valueRows(columns);
        for (int r = 0; r < rows; r++) {
            int row = r;
            sql.add("INSERT INTO " + table + " VALUES (" + (r + 1) + ", "
                    + columns.stream().map(col -> value(col, row).sql()).collect(Collectors.joining(", ")) + ")");
        }
        sql.add("INSERT INTO " + table + " (id) VALUES (" + (rows + 1) + ")"); // every other column NULL
        return sql;
    }

    /**
     * The rows of {@code select} (id first, then {@code columns} in order) read with a JDBC PreparedStatement
     * (text or binary protocol as the connection is configured), in canonical form.
     */
    public static List<List<String>> jdbcRows(Connection c, String select, List<Column> columns) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement(select);
                java.sql.ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(jdbcRow(rs, columns));
            }
        }
        return out;
    }

    /** The current row of {@code rs} (id first, then {@code columns}), in canonical form. */
    public static List<String> jdbcRow(java.sql.ResultSet rs, List<Column> columns) throws SQLException {
        List<String> row = new ArrayList<>();
        row.add(Canonical.INTEGER.ofJdbc(rs, 1));
        for (int i = 0; i < columns.size(); i++) {
            row.add(columns.get(i).kind().ofJdbc(rs, i + 2));
        }
        return row;
    }

    public static List<Column> columns(Random random) {
        List<Column> cols = new ArrayList<>();
        cols.add(ints("ti", "TINYINT", "-128", "127", "0"));
        cols.add(ints("tu", "TINYINT UNSIGNED", "0", "255", "1"));
        cols.add(ints("si", "SMALLINT", "-32768", "32767"));
        cols.add(ints("su", "SMALLINT UNSIGNED", "0", "65535"));
        cols.add(ints("mi", "MEDIUMINT", "-8388608", "8388607"));
        cols.add(ints("mu", "MEDIUMINT UNSIGNED", "0", "16777215"));
        cols.add(ints("i", "INT", "-2147483648", "2147483647"));
        cols.add(ints("iu", "INT UNSIGNED", "0", "4294967295"));
        cols.add(ints("bi", "BIGINT", "-9223372036854775808", "9223372036854775807", "0"));
        cols.add(ints(
                "bu", "BIGINT UNSIGNED", "0", "18446744073709551615", "9223372036854775808", "9223372036854775807"));
        cols.add(new Column(
                "f",
                "FLOAT",
                Canonical.FLOAT,
                literals(
                        s -> Float.toString(Float.parseFloat(s)),
                        "3.40282e38",
                        "-1.17549e-38",
                        "0",
                        "3.14159",
                        "-0.5")));
        cols.add(new Column(
                "d",
                "DOUBLE",
                Canonical.DOUBLE,
                literals(
                        s -> Double.toString(Double.parseDouble(s)),
                        "1.7976931348623157e308",
                        "4.9e-324",
                        "-2.5",
                        "0.1",
                        "-1234567.890123")));
        cols.add(new Column(
                "dec65",
                "DECIMAL(65,30)",
                Canonical.DECIMAL,
                literals(
                        s -> new BigDecimal(s).setScale(30).toPlainString(),
                        "-99999999999999999999999999999999999.999999999999999999999999999999",
                        "0.000000000000000000000000000001",
                        "12345.678",
                        "0",
                        "99999999999999999999999999999999999.999999999999999999999999999999")));
        cols.add(new Column(
                "dec10",
                "DECIMAL(10,2)",
                Canonical.DECIMAL,
                literals(
                        s -> new BigDecimal(s).setScale(2).toPlainString(),
                        "-12345678.90",
                        "0.00",
                        "99999999.99",
                        "-0.01")));
        // The sandbox's sql_mode (STRICT_TRANS_TABLES, no NO_ZERO_DATE) admits the zero date.
        cols.add(temporal("dt", "DATE", Canonical.DATE, "0000-00-00", "1000-01-01", "9999-12-31", "2024-02-29"));
        cols.add(temporal(
                "dtm",
                "DATETIME(6)",
                Canonical.DATETIME,
                "0000-00-00 00:00:00",
                "1000-01-01 00:00:00",
                "9999-12-31 23:59:59.999999",
                "2024-02-29 12:34:56.000001",
                "2000-01-01 00:00:00.5"));
        cols.add(temporal(
                "ts",
                "TIMESTAMP(6) NULL",
                Canonical.DATETIME,
                "0000-00-00 00:00:00",
                "1970-01-01 00:00:01",
                "2038-01-19 03:14:07.999999",
                "2024-02-29 12:34:56.5"));
        cols.add(temporal(
                "tm",
                "TIME(6)",
                Canonical.TIME,
                "-838:59:59.000000",
                "838:59:59",
                "00:00:00",
                "-00:00:01.5",
                "25:00:00.000001"));
        cols.add(temporal("tm0", "TIME", Canonical.TIME, "-838:59:59", "12:00:00", "-01:02:03"));
        cols.add(new Column("y", "YEAR", Canonical.YEAR, literals(s -> s, "0", "1901", "2155", "2024")));
        cols.add(texts("ch", "CHAR(20)", "abc", "", "😀ü", "日本語"));
        cols.add(texts(
                "vc",
                "VARCHAR(200)",
                "😀 emoji 🇺🇦",
                "Ελληνικά русский 中文 العربية हिन्दी",
                "with 'quote', \\ backslash, \"dq\", tab\t, nul\0 end",
                ""));
        cols.add(bytes("bin", "BINARY(4)", new byte[] {0, (byte) 0xFF, 10, 0}, new byte[4]));
        cols.add(bytes(
                "vb", "VARBINARY(20)", new byte[0], new byte[] {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 0
                }));
        // Lengths chosen so the length-encoded header takes 1 (< 251), 3 (0xFC) and 4 (0xFD) bytes.
        cols.add(bytes("tb", "TINYBLOB", random(random, 250), random(random, 255), new byte[0]));
        cols.add(bytes("bl", "BLOB", random(random, 251), random(random, 65535), random(random, 1)));
        cols.add(bytes("mb", "MEDIUMBLOB", random(random, 65536), random(random, 3)));
        cols.add(bytes("lb", "LONGBLOB", random(random, 300_000), new byte[0]));
        cols.add(texts("tt", "TINYTEXT", "tiny 😀", ""));
        cols.add(texts("tx", "TEXT", "text ü".repeat(100), "x"));
        cols.add(texts("mt", "MEDIUMTEXT", "中".repeat(30_000), ""));
        cols.add(texts("lt", "LONGTEXT", "long 😀 ".repeat(20_000), "z"));
        cols.add(
                new Column("b1", "BIT(1)", Canonical.BYTES, List.of(new Value("b'0'", "00"), new Value("b'1'", "01"))));
        cols.add(new Column(
                "b64",
                "BIT(64)",
                Canonical.BYTES,
                List.of(
                        new Value("b'" + "1".repeat(64) + "'", "ffffffffffffffff"),
                        new Value("b'0'", "0000000000000000"),
                        new Value("b'1010'", "000000000000000a"),
                        new Value("b'1" + "0".repeat(63) + "'", "8000000000000000"))));
        Column json = texts("j", "JSON", "{\"a\": [1, 2.5, \"ü😀\"], \"b\": null}", "[]", "\"s\"");
        cols.add(new Column(json.name(), "JSON", json.kind(), json.values())); // MariaDB: LONGTEXT utf8mb4_bin
        cols.add(new Column(
                "e",
                "ENUM('small','medium','large','😀')",
                Canonical.TEXT,
                literals(s -> s, "'small'", "'😀'", "'large'").stream()
                        .map(v ->
                                new Value(v.sql(), v.sql().substring(1, v.sql().length() - 1)))
                        .toList()));
        cols.add(new Column(
                "st",
                "SET('a','b','c')",
                Canonical.TEXT,
                List.of(new Value("''", ""), new Value("'c,a'", "a,c"), new Value("'a,b,c'", "a,b,c"))));
        cols.add(new Column(
                "p",
                "POINT",
                Canonical.BYTES,
                List.of(
                        new Value("POINT(1, 2)", wkbPoint(1, 2)),
                        new Value("POINT(-1.5, 1e10)", wkbPoint(-1.5, 1e10)))));
        cols.add(new Column(
                "g",
                "GEOMETRY",
                Canonical.BYTES,
                List.of(
                        new Value("ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)')", null),
                        new Value("ST_GeomFromText('POINT(3 4)')", wkbPoint(3, 4)))));
        return cols;
    }

    private static Column ints(String name, String ddl, String... values) {
        return new Column(name, ddl, Canonical.INTEGER, literals(s -> s, values));
    }

    private static Column temporal(String name, String ddl, Canonical kind, String... values) {
        return new Column(
                name,
                ddl,
                kind,
                literals(kind::parse, values).stream()
                        .map(v -> new Value("'" + v.sql() + "'", v.expected()))
                        .toList());
    }

    private static Column texts(String name, String ddl, String... values) {
        List<Value> list = new ArrayList<>();
        for (String v : values) {
            list.add(new Value(quote(v), v));
        }
        return new Column(name, ddl + " CHARACTER SET utf8mb4", Canonical.TEXT, list);
    }

    private static Column bytes(String name, String ddl, byte[]... values) {
        List<Value> list = new ArrayList<>();
        for (byte[] v : values) {
            String hex = HexFormat.of().formatHex(v);
            list.add(new Value("x'" + hex + "'", hex));
        }
        return new Column(name, ddl, Canonical.BYTES, list);
    }

    private static List<Value> literals(java.util.function.UnaryOperator<String> expected, String... values) {
        List<Value> list = new ArrayList<>();
        for (String v : values) {
            list.add(new Value(v, expected.apply(v)));
        }
        return list;
    }

    public static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0") + "'";
    }

    private static byte[] random(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** What MariaDB stores for a POINT: SRID int4 (0), then WKB: byte order 1 (LE), type 1, x, y as doubles. */
    private static String wkbPoint(double x, double y) {
        ByteBuffer b = ByteBuffer.allocate(25).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).put((byte) 1).putInt(1).putDouble(x).putDouble(y);
        return HexFormat.of().formatHex(b.array());
    }

    /** Cell-by-cell differences, each naming row, column and both values (long values abbreviated). */
    public static List<String> differences(
            String what, List<Column> columns, List<List<String>> expected, List<List<String>> actual) {
        List<String> diffs = new ArrayList<>();
        if (expected.size() != actual.size()) {
            diffs.add(what + ": " + actual.size() + " rows, expected " + expected.size());
            return diffs;
        }
        for (int r = 0; r < expected.size(); r++) {
            for (int i = 0; i < expected.get(r).size(); i++) {
                String e = expected.get(r).get(i);
                String a = actual.get(r).get(i);
                if (!Objects.equals(e, a)) {
                    String column = i == 0
                            ? "id INT"
                            : columns.get(i - 1).name() + " "
                                    + columns.get(i - 1).ddl();
                    diffs.add(what + ": row " + (r + 1) + ", column " + column + ": expected " + abbreviate(e)
                            + ", got " + abbreviate(a));
                }
            }
        }
        return diffs;
    }

    public static String abbreviate(String s) {
        return s == null
                ? "NULL"
                : s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 60) + "...' (" + s.length() + " chars)";
    }
}
