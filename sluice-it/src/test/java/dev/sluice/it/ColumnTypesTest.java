package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.ResultSet;
import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The codec-built client and real drivers read one table holding every MariaDB column type (extremes, zero
 * dates, TIME beyond 24 h and negative, 4-byte UTF-8, BLOBs whose length-encoded headers take 1, 3 and 4
 * bytes, a row of NULLs) and must see identical values, compared in the canonical form of {@link Canonical}.
 * Readings: the codec over COM_QUERY (text rows) and over COM_STMT_EXECUTE (binary rows), MySQL Connector/J
 * and MariaDB Connector/J each with client-side (text) and server-side (binary) prepared statements.
 */
class ColumnTypesTest {
    private static final long SEED = 0x5EED_C0DEL;
    private static final String SELECT = "SELECT * FROM types ORDER BY id";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .initSql("CREATE DATABASE it CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            .build();

    private static CodecClient codec;
    private static List<Column> columns;

    /** A value as SQL literal and, unless null, its expected canonical form. */
    private record Value(String sql, String expected) {}

    private record Column(String name, String ddl, Canonical kind, List<Value> values) {}

    @BeforeAll
    static void createTable() {
        codec = new CodecClient();
        columns = columns(new Random(SEED));
        int rows = columns.stream().mapToInt(c -> c.values().size()).max().orElseThrow();
        try (ServerConnection c = codec.connect(db.sandbox(), b -> b.database("it"))) {
            c.querySync("CREATE TABLE types (id INT PRIMARY KEY, "
                    + columns.stream().map(col -> col.name() + " " + col.ddl()).collect(Collectors.joining(", "))
                    + ")");
            for (int r = 0; r < rows; r++) {
                int row = r;
                c.querySync("INSERT INTO types VALUES (" + (r + 1) + ", "
                        + columns.stream().map(col -> value(col, row).sql()).collect(Collectors.joining(", "))
                        + ")");
            }
            c.querySync("INSERT INTO types (id) VALUES (" + (rows + 1) + ")"); // every other column NULL
        }
    }

    @AfterAll
    static void stopClient() {
        codec.close();
    }

    private static Value value(Column column, int row) {
        return column.values().get(row % column.values().size());
    }

    private static List<Column> columns(Random random) {
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
        cols.add(ints("bu", "BIGINT UNSIGNED", "0", "18446744073709551615", "9223372036854775808",
                "9223372036854775807"));
        cols.add(new Column("f", "FLOAT", Canonical.FLOAT, literals(
                s -> Float.toString(Float.parseFloat(s)), "3.40282e38", "-1.17549e-38", "0", "3.14159", "-0.5")));
        cols.add(new Column("d", "DOUBLE", Canonical.DOUBLE, literals(
                s -> Double.toString(Double.parseDouble(s)),
                "1.7976931348623157e308", "4.9e-324", "-2.5", "0.1", "-1234567.890123")));
        cols.add(new Column("dec65", "DECIMAL(65,30)", Canonical.DECIMAL, literals(
                s -> new BigDecimal(s).setScale(30).toPlainString(),
                "-99999999999999999999999999999999999.999999999999999999999999999999",
                "0.000000000000000000000000000001", "12345.678", "0",
                "99999999999999999999999999999999999.999999999999999999999999999999")));
        cols.add(new Column("dec10", "DECIMAL(10,2)", Canonical.DECIMAL, literals(
                s -> new BigDecimal(s).setScale(2).toPlainString(), "-12345678.90", "0.00", "99999999.99", "-0.01")));
        // The sandbox's sql_mode (STRICT_TRANS_TABLES, no NO_ZERO_DATE) admits the zero date.
        cols.add(temporal("dt", "DATE", Canonical.DATE, "0000-00-00", "1000-01-01", "9999-12-31", "2024-02-29"));
        cols.add(temporal("dtm", "DATETIME(6)", Canonical.DATETIME, "0000-00-00 00:00:00", "1000-01-01 00:00:00",
                "9999-12-31 23:59:59.999999", "2024-02-29 12:34:56.000001", "2000-01-01 00:00:00.5"));
        cols.add(temporal("ts", "TIMESTAMP(6) NULL", Canonical.DATETIME, "0000-00-00 00:00:00",
                "1970-01-01 00:00:01", "2038-01-19 03:14:07.999999", "2024-02-29 12:34:56.5"));
        cols.add(temporal("tm", "TIME(6)", Canonical.TIME, "-838:59:59.000000", "838:59:59", "00:00:00",
                "-00:00:01.5", "25:00:00.000001"));
        cols.add(temporal("tm0", "TIME", Canonical.TIME, "-838:59:59", "12:00:00", "-01:02:03"));
        cols.add(new Column("y", "YEAR", Canonical.YEAR, literals(s -> s, "0", "1901", "2155", "2024")));
        cols.add(texts("ch", "CHAR(20)", "abc", "", "😀ü", "日本語"));
        cols.add(texts("vc", "VARCHAR(200)", "😀 emoji 🇺🇦", "Ελληνικά русский 中文 العربية हिन्दी",
                "with 'quote', \\ backslash, \"dq\", tab\t, nul\0 end", ""));
        cols.add(bytes("bin", "BINARY(4)", new byte[] {0, (byte) 0xFF, 10, 0}, new byte[4]));
        cols.add(bytes("vb", "VARBINARY(20)", new byte[0], new byte[] {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE,
                (byte) 0xEF, 0}));
        // Lengths chosen so the length-encoded header takes 1 (< 251), 3 (0xFC) and 4 (0xFD) bytes.
        cols.add(bytes("tb", "TINYBLOB", random(random, 250), random(random, 255), new byte[0]));
        cols.add(bytes("bl", "BLOB", random(random, 251), random(random, 65535), random(random, 1)));
        cols.add(bytes("mb", "MEDIUMBLOB", random(random, 65536), random(random, 3)));
        cols.add(bytes("lb", "LONGBLOB", random(random, 300_000), new byte[0]));
        cols.add(texts("tt", "TINYTEXT", "tiny 😀", ""));
        cols.add(texts("tx", "TEXT", "text ü".repeat(100), "x"));
        cols.add(texts("mt", "MEDIUMTEXT", "中".repeat(30_000), ""));
        cols.add(texts("lt", "LONGTEXT", "long 😀 ".repeat(20_000), "z"));
        cols.add(new Column("b1", "BIT(1)", Canonical.BYTES,
                List.of(new Value("b'0'", "00"), new Value("b'1'", "01"))));
        cols.add(new Column("b64", "BIT(64)", Canonical.BYTES, List.of(
                new Value("b'" + "1".repeat(64) + "'", "ffffffffffffffff"),
                new Value("b'0'", "0000000000000000"),
                new Value("b'1010'", "000000000000000a"),
                new Value("b'1" + "0".repeat(63) + "'", "8000000000000000"))));
        Column json = texts("j", "JSON", "{\"a\": [1, 2.5, \"ü😀\"], \"b\": null}", "[]", "\"s\"");
        cols.add(new Column(json.name(), "JSON", json.kind(), json.values())); // MariaDB: LONGTEXT utf8mb4_bin
        cols.add(new Column("e", "ENUM('small','medium','large','😀')", Canonical.TEXT,
                literals(s -> s, "'small'", "'😀'", "'large'").stream()
                        .map(v -> new Value(v.sql(), v.sql().substring(1, v.sql().length() - 1)))
                        .toList()));
        cols.add(new Column("st", "SET('a','b','c')", Canonical.TEXT, List.of(
                new Value("''", ""), new Value("'c,a'", "a,c"), new Value("'a,b,c'", "a,b,c"))));
        cols.add(new Column("p", "POINT", Canonical.BYTES, List.of(
                new Value("POINT(1, 2)", wkbPoint(1, 2)), new Value("POINT(-1.5, 1e10)", wkbPoint(-1.5, 1e10)))));
        cols.add(new Column("g", "GEOMETRY", Canonical.BYTES, List.of(
                new Value("ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)')", null),
                new Value("ST_GeomFromText('POINT(3 4)')", wkbPoint(3, 4)))));
        return cols;
    }

    private static Column ints(String name, String ddl, String... values) {
        return new Column(name, ddl, Canonical.INTEGER, literals(s -> s, values));
    }

    private static Column temporal(String name, String ddl, Canonical kind, String... values) {
        return new Column(name, ddl, kind, literals(kind::parse, values).stream()
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

    static String quote(String s) {
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

    // ---- readings -----------------------------------------------------------------------------

    private static List<List<Object>> codecRows(boolean binary) {
        try (ServerConnection c = codec.connect(db.sandbox(), b -> b.database("it"))) {
            if (!binary) {
                return c.querySync(SELECT).resultSet().rows();
            }
            PreparedStatement statement = c.prepareSync(SELECT);
            return c.executeSync(statement, List.of()).resultSet().rows();
        }
    }

    private static List<List<String>> canonical(List<List<Object>> rows) {
        List<List<String>> out = new ArrayList<>();
        for (List<Object> row : rows) {
            List<String> canon = new ArrayList<>();
            canon.add(Canonical.INTEGER.ofCodec(row.get(0)));
            for (int i = 0; i < columns.size(); i++) {
                canon.add(columns.get(i).kind().ofCodec(row.get(i + 1)));
            }
            out.add(canon);
        }
        return out;
    }

    private static List<List<String>> jdbcRows(String url) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, db.sandbox().rootUser(), db.sandbox().rootPassword());
                java.sql.PreparedStatement ps = c.prepareStatement(SELECT);
                java.sql.ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                row.add(Canonical.INTEGER.ofJdbc(rs, 1));
                for (int i = 0; i < columns.size(); i++) {
                    row.add(columns.get(i).kind().ofJdbc(rs, i + 2));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** Cell-by-cell differences, each naming row, column and both values (long values abbreviated). */
    private static List<String> differences(String what, List<List<String>> expected, List<List<String>> actual) {
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
                    String column = i == 0 ? "id INT" : columns.get(i - 1).name() + " " + columns.get(i - 1).ddl();
                    diffs.add(what + ": row " + (r + 1) + ", column " + column + ": expected " + abbreviate(e)
                            + ", got " + abbreviate(a));
                }
            }
        }
        return diffs;
    }

    private static String abbreviate(String s) {
        return s == null ? "NULL" : s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 60) + "...' ("
                + s.length() + " chars)";
    }

    // ---- tests -----------------------------------------------------------------------------

    @Test
    void theCodecReadsTheInsertedValuesOverTheTextProtocol() {
        List<List<String>> expected = new ArrayList<>();
        int rows = columns.stream().mapToInt(c -> c.values().size()).max().orElseThrow();
        for (int r = 0; r < rows; r++) {
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(r + 1));
            for (Column col : columns) {
                row.add(value(col, r).expected());
            }
            expected.add(row);
        }
        List<String> nulls = new ArrayList<>();
        nulls.add(Integer.toString(rows + 1));
        columns.forEach(c -> nulls.add(null));
        expected.add(nulls);

        List<List<String>> actual = canonical(codecRows(false));
        // Values without a literal expectation (a LINESTRING's WKB) are compared across clients only.
        for (int r = 0; r < expected.size(); r++) {
            for (int i = 0; i < expected.get(r).size(); i++) {
                if (r < rows && i > 0 && value(columns.get(i - 1), r).expected() == null) {
                    expected.get(r).set(i, actual.get(r).get(i));
                }
            }
        }
        assertThat(differences("codec text vs literals (seed " + SEED + ")", expected, actual)).isEmpty();
    }

    @Test
    void theCodecReadsIdenticalJavaValuesOverTextAndBinaryProtocols() {
        List<List<Object>> text = codecRows(false);
        List<List<Object>> binary = codecRows(true);
        assertThat(binary).hasSameSizeAs(text);
        List<String> diffs = new ArrayList<>();
        for (int r = 0; r < text.size(); r++) {
            for (int i = 0; i < text.get(r).size(); i++) {
                Object t = text.get(r).get(i);
                Object b = binary.get(r).get(i);
                if (!Objects.deepEquals(t, b)) {
                    diffs.add("row " + (r + 1) + " column " + (i == 0 ? "id" : columns.get(i - 1).name()) + ": text "
                            + describe(t) + ", binary " + describe(b));
                }
            }
        }
        assertThat(diffs).isEmpty();
        assertThat(differences("codec binary vs text", canonical(text), canonical(binary))).isEmpty();
    }

    private static String describe(Object v) {
        if (v == null) {
            return "NULL";
        }
        String s = v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString();
        return v.getClass().getSimpleName() + " " + abbreviate(s);
    }

    @Test
    void theCodecSeesEveryWireTypeTheServerSends() {
        try (ServerConnection c = codec.connect(db.sandbox(), b -> b.database("it"))) {
            ResultSet rs = c.querySync(SELECT).resultSet();
            Set<ColumnType> types = rs.columns().stream().map(ColumnDefinition41::type)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(ColumnType.class)));
            assertThat(types).containsAll(EnumSet.of(ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24,
                    ColumnType.LONG, ColumnType.LONGLONG, ColumnType.FLOAT, ColumnType.DOUBLE, ColumnType.NEWDECIMAL,
                    ColumnType.DATE, ColumnType.DATETIME, ColumnType.TIMESTAMP, ColumnType.TIME, ColumnType.YEAR,
                    ColumnType.STRING, ColumnType.VAR_STRING, ColumnType.BLOB, ColumnType.BIT, ColumnType.GEOMETRY));
            assertThat(rs.columns().get(rs.columnIndex("bu")).binaryType().unsigned()).isTrue();
            assertThat(rs.columns().get(rs.columnIndex("bi")).binaryType().unsigned()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "MySQL Connector/J text, jdbc:mysql, useServerPrepStmts=false&yearIsDateType=false&preserveInstants=false",
        "MySQL Connector/J binary, jdbc:mysql, useServerPrepStmts=true&yearIsDateType=false&preserveInstants=false",
        "MariaDB Connector/J text, jdbc:mariadb, useServerPrepStmts=false",
        "MariaDB Connector/J binary, jdbc:mariadb, useServerPrepStmts=true",
    })
    void jdbcDriversSeeTheSameValuesAsTheCodec(String name, String scheme, String parameters) throws SQLException {
        String url = scheme + "://" + db.sandbox().host() + ":" + db.sandbox().port() + "/it?" + parameters;
        List<List<String>> codecText = canonical(codecRows(false));
        List<List<String>> codecBinary = canonical(codecRows(true));
        List<List<String>> jdbc = jdbcRows(url);
        assertThat(differences(name + " vs codec text", codecText, jdbc)).isEmpty();
        assertThat(differences(name + " vs codec binary", codecBinary, jdbc)).isEmpty();
    }
}
