package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementScannerTest {
    private static ByteBuf payload(String sql) {
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x03); // COM_QUERY
        payload.writeCharSequence(sql, StandardCharsets.UTF_8);
        return payload;
    }

    private static StatementScanner.Scan scan(ByteBuf p, boolean noBackslashEscapes) {
        return StatementScanner.scan(p, 1, p.writerIndex(), noBackslashEscapes);
    }

    private static String keywords(String sql) {
        ByteBuf p = payload(sql.replace("{nl}", "\n"));
        StringBuilder out = new StringBuilder();
        for (StatementScanner.Statement s : scan(p, false).statements()) {
            out.append(s.keyword());
        }
        return out.toString();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "KILL QUERY 5|1",
                "  kill 12|1",
                "\tKill\tconnection 3|1",
                "LOAD DATA LOCAL INFILE 'x' INTO TABLE t|2",
                "SHOW SESSION STATUS LIKE 'Ssl_cipher'|3",
                "SELECT 1|0",
                "KILLER 1|0",
                "/* app */ KILL 5|1",
                "-- note{nl}KILL 5|1",
                "# note{nl}LOAD DATA LOCAL INFILE 'a' INTO TABLE t|2",
                "/*!50000 KILL */ 5|1",
                "/*M!100301 KILL 5*/|1",
                "SELECT 1; KILL 5|01",
                "SELECT ';', \"; KILL 1\", `a;b` FROM t; LOAD DATA LOCAL INFILE 'f' INTO TABLE t|02",
                "SELECT 'it''s; KILL 1'|0",
                "SELECT 'a\\'; KILL 1'|0",
                "SELECT 1 /* ; KILL 2 */|0",
                "SELECT 1;;  ;|0",
                "CREATE PROCEDURE p() SELECT 1|4",
                "--1|0",
                "--é KILL 1|0",
            })
    void findsEachStatementAndItsFirstKeyword(String sql, String expected) {
        assertThat(keywords(sql)).as(sql).isEqualTo(expected);
    }

    @Test
    void withoutBackslashEscapesABackslashEndsNothing() {
        ByteBuf p = payload("SELECT 'a\\'; KILL 1; '");
        assertThat(scan(p, true).statements())
                .extracting(StatementScanner.Statement::keyword)
                .containsExactly(0, 1, 0);
        assertThat(scan(p, false).statements())
                .extracting(StatementScanner.Statement::keyword)
                .containsExactly(0);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "SELECT 1|false|true",
                "INSERT INTO t VALUES (1), (2)|false|true",
                "SELECT 1; SELECT 2|false|true",
                "SELECT 1; SELECT 2|true|false",
                "/* c */ SELECT 1|false|false",
                "KILL 5|false|false",
                "SHOW TABLES|false|false",
                "select connection_id()|false|false",
                "SELECT CONNECTION_ID ()|false|false",
                "SELECT my_connection_id()|false|true",
                "SELECT f(x)|false|true",
                "~   ~|false|true",
                "PREPARE s FROM 'KILL 5'|false|false",
                "execute immediate 'SELECT 1'|false|false",
                "EXPLAIN SELECT 1|false|true",
            })
    void plainTextsNeedNoScan(String sql, boolean multi, boolean plain) {
        ByteBuf p = payload(sql);
        assertThat(StatementScanner.isPlain(p, 1, p.writerIndex(), multi))
                .as(sql)
                .isEqualTo(plain);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "SELECT CONNECTION_ID()|SELECT 2155872257 AS `CONNECTION_ID()`",
                "select connection_id( ) as id|select 2155872257 as id",
                "SELECT 1, CONNECTION_ID() FROM dual|SELECT 1, 2155872257 AS `CONNECTION_ID()` FROM dual",
                "SELECT CONNECTION_ID() + 1|SELECT 2155872257 + 1",
                "SELECT IF(1, CONNECTION_ID(), 0)|SELECT IF(1, 2155872257, 0)",
                "SELECT a FROM t WHERE id = CONNECTION_ID()|SELECT a FROM t WHERE id = 2155872257",
                "SELECT a FROM t ORDER BY a, CONNECTION_ID()|SELECT a FROM t ORDER BY a, 2155872257",
                "SELECT (SELECT CONNECTION_ID())|SELECT (SELECT 2155872257 AS `CONNECTION_ID()`)",
                "SELECT 'CONNECTION_ID()' /* CONNECTION_ID() */|SELECT 'CONNECTION_ID()' /* CONNECTION_ID() */",
                "KILL CONNECTION_ID()|KILL CONNECTION_ID()",
                "CREATE VIEW v AS SELECT CONNECTION_ID()|CREATE VIEW v AS SELECT CONNECTION_ID()",
                "DO 1; SELECT CONNECTION_ID();|DO 1; SELECT 2155872257 AS `CONNECTION_ID()`;",
            })
    void connectionIdCallsBecomeTheSessionsId(String sql, String expected) {
        ByteBuf p = payload(sql);
        StatementScanner.Scan scan = scan(p, false);
        String out = scan.connectionIdCalls().isEmpty() ? sql : rewritten(p, scan);
        assertThat(out).isEqualTo(expected);
    }

    private static String rewritten(ByteBuf p, StatementScanner.Scan scan) {
        ByteBuf out = QueryPlan.withConnectionId(ByteBufAllocator.DEFAULT, p, scan.connectionIdCalls(), 2155872257L);
        try {
            assertThat(out.getByte(0)).isEqualTo((byte) 0x03);
            return out.toString(1, out.readableBytes() - 1, StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "KILL 5|null|false|5|",
                "kill query 7;|null|true|7|",
                "KILL HARD CONNECTION 9|HARD|false|9|",
                "/* x */ KILL SOFT QUERY 2147483649|SOFT|true|2147483649|",
                "KILL QUERY ID 5|||-1|KILL QUERY ID",
                "KILL USER app|||-1|KILL USER",
                "KILL @id|||-1|not a number",
                "KILL 5 + 1|||-1|expression",
                "KILL 0x10|||-1|not a number",
                "KILL QUERY connection_id()|null|true|1073741830|",
                "KILL CONNECTION_ID() + 1|||-1|not a number",
                "KILL 99999999999999999999999|||-1|not a number",
            })
    void killForms(String sql, String modifier, Boolean query, long id, String unsupported) {
        ByteBuf p = payload(sql);
        StatementScanner.Statement st = scan(p, false).single();
        KillStatement kill = KillStatement.parse(p, st, false, 1073741830L);
        assertThat(kill.id()).isEqualTo(id);
        if (unsupported == null) {
            assertThat(kill.unsupported()).isNull();
            assertThat(kill.modifier()).isEqualTo("null".equals(modifier) ? null : modifier);
            assertThat(kill.query()).isEqualTo(query);
        } else {
            assertThat(kill.unsupported()).contains(unsupported);
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                // statement | NO_BACKSLASH_ESCAPES | file the server asks for (Java escapes) | allowed
                "LOAD DATA LOCAL INFILE 'C:\\\\data\\\\in.csv' INTO TABLE t|false|C:\\data\\in.csv|true",
                "LOAD DATA LOCAL INFILE 'C:\\\\data\\\\in.csv' INTO TABLE t|true|C:\\\\data\\\\in.csv|true",
                "LOAD DATA LOCAL INFILE 'C:\\\\data\\\\in.csv' INTO TABLE t|true|C:\\data\\in.csv|false",
                "LOAD DATA LOCAL INFILE 'it''s.csv' INTO TABLE t|false|it's.csv|true",
                "LOAD DATA LOCAL INFILE 'it\\'s.csv' INTO TABLE t|false|it's.csv|true",
                "LOAD DATA LOCAL INFILE \"a\"\"b\" INTO TABLE t|false|a\"b|true",
                "LOAD DATA LOCAL INFILE '50\\%.csv' INTO TABLE t|false|50\\%.csv|true",
                "load xml low_priority local infile '/tmp/x.xml' into table t|false|/tmp/x.xml|true",
                "LOAD DATA LOCAL INFILE '/tmp/innocent.tsv' INTO TABLE t|false|/etc/passwd|false",
                "LOAD DATA LOCAL INFILE '/tmp/a' INTO TABLE t|false|/tmp/|false",
                "LOAD DATA INFILE '/tmp/a' INTO TABLE t|false|/tmp/a|false",
                "/* app */ LOAD DATA LOCAL INFILE '/tmp/a' INTO TABLE t|false|/tmp/a|true",
                "SELECT 1; LOAD DATA LOCAL INFILE '/tmp/b' INTO TABLE t|false|/tmp/b|true",
                "SELECT '/tmp/c'|false|/tmp/c|false",
            })
    void theGuardComparesWithTheLiteralAsTheServerReadsIt(String sql, boolean nbe, String requested, boolean allowed) {
        ByteBuf p = payload(sql);
        LocalInfileGuard guard = LocalInfileGuard.of(p, scan(p, nbe), nbe);
        ByteBuf request = Unpooled.buffer();
        request.writeByte(0xFB);
        request.writeCharSequence(requested, StandardCharsets.UTF_8);
        assertThat(guard != null && guard.allows(request))
                .as("%s asks %s", sql, requested)
                .isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "PREPARE s FROM 'KILL 5'|true",
                "PREPARE s FROM '/* x */ kill query 5'|true",
                "EXECUTE IMMEDIATE 'KILL 5'|true",
                "EXECUTE IMMEDIATE 'SELECT 1; KILL 5'|true",
                "EXECUTE IMMEDIATE 'EXECUTE IMMEDIATE ''KILL 5'''|true",
                "PREPARE s FROM 'SELECT ''KILL 5'''|false",
                "PREPARE s FROM @sql|false",
                "EXECUTE s USING @a|false",
            })
    void killInsideDynamicSqlIsFound(String sql, boolean kill) {
        ByteBuf p = payload(sql);
        StatementScanner.Statement st = scan(p, false).single();
        assertThat(st.keyword()).isEqualTo(StatementScanner.DYNAMIC);
        assertThat(StatementScanner.preparesKill(p, st, false)).as(sql).isEqualTo(kill);
    }

    @Test
    void aLiteralWithControlEscapesUnescapesAsTheServerDoes() {
        ByteBuf p = payload("LOAD DATA LOCAL INFILE 'a\\tb\\nc\\0d\\Ze\\x' INTO TABLE t");
        byte[] file = LocalInfileGuard.localFile(p, scan(p, false).single(), false);
        assertThat(file).containsExactly('a', '\t', 'b', '\n', 'c', 0, 'd', 0x1A, 'e', 'x');
        assertThat(List.of(1)).hasSize(1);
    }
}
