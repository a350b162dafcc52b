package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.ResultSet;
import dev.sluice.backend.ServerConnection;
import dev.sluice.it.EveryTypeTable.Column;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.testkit.MariaDbSandboxExtension;
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

    @BeforeAll
    static void createTable() {
        codec = new CodecClient();
        columns = EveryTypeTable.columns(new Random(SEED));
        try (ServerConnection c = codec.connect(db.sandbox(), b -> b.database("it"))) {
            EveryTypeTable.setupSql("types", columns).forEach(c::querySync);
        }
    }

    @AfterAll
    static void stopClient() {
        codec.close();
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
        try (Connection c = DriverManager.getConnection(
                url, db.sandbox().rootUser(), db.sandbox().rootPassword())) {
            return EveryTypeTable.jdbcRows(c, SELECT, columns);
        }
    }

    // ---- tests -----------------------------------------------------------------------------

    @Test
    void theCodecReadsTheInsertedValuesOverTheTextProtocol() {
        List<List<String>> expected = new ArrayList<>();
        int rows = EveryTypeTable.valueRows(columns);
        for (int r = 0; r < rows; r++) {
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(r + 1));
            for (Column col : columns) {
                row.add(EveryTypeTable.value(col, r).expected());
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
                if (r < rows
                        && i > 0
                        && EveryTypeTable.value(columns.get(i - 1), r).expected() == null) {
                    expected.get(r).set(i, actual.get(r).get(i));
                }
            }
        }
        assertThat(EveryTypeTable.differences("codec text vs literals (seed " + SEED + ")", columns, expected, actual))
                .isEmpty();
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
                    diffs.add("row " + (r + 1) + " column "
                            + (i == 0 ? "id" : columns.get(i - 1).name()) + ": text " + describe(t) + ", binary "
                            + describe(b));
                }
            }
        }
        assertThat(diffs).isEmpty();
        assertThat(EveryTypeTable.differences("codec binary vs text", columns, canonical(text), canonical(binary)))
                .isEmpty();
    }

    private static String describe(Object v) {
        if (v == null) {
            return "NULL";
        }
        String s = v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString();
        return v.getClass().getSimpleName() + " " + EveryTypeTable.abbreviate(s);
    }

    @Test
    void theCodecSeesEveryWireTypeTheServerSends() {
        try (ServerConnection c = codec.connect(db.sandbox(), b -> b.database("it"))) {
            ResultSet rs = c.querySync(SELECT).resultSet();
            Set<ColumnType> types = rs.columns().stream()
                    .map(ColumnDefinition41::type)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(ColumnType.class)));
            assertThat(types)
                    .containsAll(EnumSet.of(
                            ColumnType.TINY,
                            ColumnType.SHORT,
                            ColumnType.INT24,
                            ColumnType.LONG,
                            ColumnType.LONGLONG,
                            ColumnType.FLOAT,
                            ColumnType.DOUBLE,
                            ColumnType.NEWDECIMAL,
                            ColumnType.DATE,
                            ColumnType.DATETIME,
                            ColumnType.TIMESTAMP,
                            ColumnType.TIME,
                            ColumnType.YEAR,
                            ColumnType.STRING,
                            ColumnType.VAR_STRING,
                            ColumnType.BLOB,
                            ColumnType.BIT,
                            ColumnType.GEOMETRY));
            assertThat(rs.columns().get(rs.columnIndex("bu")).binaryType().unsigned())
                    .isTrue();
            assertThat(rs.columns().get(rs.columnIndex("bi")).binaryType().unsigned())
                    .isFalse();
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
        assertThat(EveryTypeTable.differences(name + " vs codec text", columns, codecText, jdbc))
                .isEmpty();
        assertThat(EveryTypeTable.differences(name + " vs codec binary", columns, codecBinary, jdbc))
                .isEmpty();
    }
}
