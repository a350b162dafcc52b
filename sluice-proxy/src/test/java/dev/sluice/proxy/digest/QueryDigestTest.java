package dev.sluice.proxy.digest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class QueryDigestTest {
    /** One digester reused by every test of the class, as the relay will reuse one. */
    private static final Digester REUSED = new Digester();

    /** A COM_QUERY payload: the command byte 0x03, then the text ({nl} for a newline). */
    static ByteBuf payload(String sql) {
        return Unpooled.wrappedBuffer(("\u0003" + sql.replace("{nl}", "\n")).getBytes(StandardCharsets.UTF_8));
    }

    static QueryDigest digest(String sql, boolean noBackslashEscapes) {
        ByteBuf b = payload(sql);
        QueryDigest d = QueryDigest.of(b, 1, b.writerIndex(), noBackslashEscapes);
        // the hot path's digest, without text, is the same, and it is the hash of the text's bytes
        assertThat(QueryDigest.digestOf(b, 1, b.writerIndex(), noBackslashEscapes))
                .isEqualTo(d.digest())
                .isEqualTo(Digester.hash(d.text().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(REUSED.digest(b, 1, b.writerIndex(), noBackslashEscapes));
        assertThat(REUSED.normalise(b, 1, b.writerIndex(), noBackslashEscapes)).isEqualTo(d);
        return d;
    }

    static String text(String sql) {
        return digest(sql, false).text();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            # literals
            SELECT c FROM sbtest1 WHERE id=42                     | select c from sbtest1 where id = ?
            select 'a', "b", 4.5, .5, 1e10, 1.5E-3, 2e+7          | select ?, ?, ?, ?, ?, ?, ?
            select 0x1F, x'0a1B', X'', b'0101', 0b11, N'été'      | select ?, ?, ?, ?, ?, ?
            select _utf8mb4'x', _binary 'y'                       | select _utf8mb4 ?, _binary ?
            select true, FALSE, Null, ? from t                    | select true, false, null, ? from t
            select 1st, 1e, 2x, a1 from t9                         | select 1st, 1e, 2x, a1 from t9
            # negative numbers after an operator, ( , ; and at the start; a binary minus stays
            select * from t where a = -5 and b>- 2.5              | select * from t where a = ? and b > ?
            select f(-1, -2), -3                                  | select f (?, ?), ?
            select -1                                             | select - ?
            select a-1, a -1, (a)-1, 1-1, 1--1, 1 - -1            | select a - ?, a - ?, (a) - ?, ? - ?, ? - ?, ? - ?
            # lists
            select * from t where id IN (1, 2, 3)                 | select * from t where id in (...)
            select * from t where id in(?)                        | select * from t where id in (...)
            select * from t where id in ('a',-1 , 0x2,?)          | select * from t where id in (...)
            select * from t where id in (1, a)                    | select * from t where id in (?, a)
            select * from t where id in (select id from u)        | select * from t where id in (select id from u)
            select * from t where (a, b) in ((1, 2), (3, 4))      | select * from t where (a, b) in ((?, ?), (?, ?))
            INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')        | insert into t (a, b) values (...)
            insert into t values(1,2)                             | insert into t values (...)
            insert into t value (1), (2) on duplicate key update a=3 | insert into t value (...) on duplicate key update a = ?
            insert into t values (1, now()), (2, now())           | insert into t values (?, now ()), (?, now ())
            insert into t values (1), (2, now())                  | insert into t values (?), (?, now ())
            # comments and executable comments
            select /* x */ 1 -- y{nl}from t # z                   | select ? from t
            select 1/*+ hint */from t                             | select ? from t
            /*!40101 SET NAMES utf8 */                            | set names utf8
            select /*!50100 SQL_NO_CACHE */ c from t              | select sql_no_cache c from t
            select /*M!100301 1, */ 2                             | select ?, ?
            select /*! STRAIGHT_JOIN*/c from t                    | select straight_join c from t
            # spacing and operators
            {nl}  SELECT{nl}c\tFROM   t  ;                        | select c from t;
            select a.b, t.*, `db`.`t`.c from db.t                 | select a.b, t.*, `db`.`t`.c from db.t
            ~select a>=1, a<=>b, a<>b, a!=b, a:=1, a||b, a&&b~    | ~select a >= ?, a <=> b, a <> b, a != b, a := ?, a || b, a && b~
            select j->'$.a', j->>'$.b', a<<2, a>>1, a<b           | select j -> ?, j ->> ?, a << ?, a >> ?, a < b
            select count(*), @v, @@session.autocommit, @@x        | select count (*), @v, @@session.autocommit, @@x
            create user 'u'@'%'                                   | create user ? @ ?
            # quoted identifiers kept as written, other words folded; UTF-8 kept
            SELECT `Col``1`, Col2 FROM `MyTable`                  | select `Col``1`, col2 from `MyTable`
            SELECT Größe, `Straße` FROM Tabelle                   | select größe, `Straße` from tabelle
            select 名前 from 表 where 名前 = '東京'                | select 名前 from 表 where 名前 = ?
            """)
    void normalises(String sql, String expected) {
        assertThat(text(sql.replace("\\t", "\t"))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            select 'it''s', 'a\\'b', "q""q", "x\\"y" from t        | select ?, ?, ?, ? from t
            select '-- not a comment', '/* nor this */', '#' from t | select ?, ?, ? from t
            select 'a\\\\' , 'b' from t                          | select ?, ? from t
            select `a -- b`, `c/*d*/` from t                      | select `a -- b`, `c/*d*/` from t
            """)
    void stringsHoldQuotesEscapesAndCommentMarkers(String sql, String expected) {
        assertThat(text(sql)).isEqualTo(expected);
    }

    @Test
    void noBackslashEscapes() {
        // with backslash escapes, 'a\', b, ' is one string and the last quote opens another; without them 'a\' ends
        String sql = "select 'a\\', b, 'c' from t";
        assertThat(digest(sql, false).text()).isEqualTo("select ? c ?");
        assertThat(digest(sql, true).text()).isEqualTo("select ?, b, ? from t");
        assertThat(digest("select n'a\\', 1", true).text()).isEqualTo("select ?, ?");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            select 'abc                  | select ?
            select "abc\\                | select ?
            select `abc                  | select `abc
            select 1 /* open             | select ?
            select /*!50100 1            | select ?
            select 1 -- x                | select ?
            select x'0a                  | select ?
            select 1e                    | select 1e
            select a in (1, 2            | select a in (?, ?
            select a -                   | select a -
            select @@                    | select @ @
            ~~                           | ~~
            ~   ~                        | ~~
            /* only a comment */         | ~~
            """)
    void truncatedOrEmptyTextsNormaliseWithoutException(String sql, String expected) {
        assertThat(text(sql)).isEqualTo(expected);
    }

    @Test
    void aReusedDigesterForgetsThePreviousStatement() {
        Digester digester = new Digester();
        ByteBuf longer = payload("select 'a long statement' from t where x in (1, 2, 3) /*! and y = 2 */");
        ByteBuf shorter = payload("select 1 /*! + 2");
        QueryDigest first = digester.normalise(longer, 1, longer.writerIndex(), false);
        QueryDigest second = digester.normalise(shorter, 1, shorter.writerIndex(), false);
        assertThat(first.text()).isEqualTo("select ? from t where x in (...) and y = ?");
        assertThat(second.text()).isEqualTo("select ? + ?");
        assertThat(digester.digest(longer, 1, longer.writerIndex(), false)).isEqualTo(first.digest());
        assertThat(digester.normalise(shorter, 1, shorter.writerIndex(), false)).isEqualTo(second);
    }

    @Test
    void emptyTextHasTheDigestOfNoBytes() {
        assertThat(digest("", false).digest()).isEqualTo(Digester.FNV_OFFSET_BASIS);
    }

    @Test
    void fnv1a64KnownAnswers() {
        // the published FNV-1a 64 test vectors
        assertThat(Digester.hash(new byte[0])).isEqualTo(0xcbf29ce484222325L);
        assertThat(Digester.hash("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(Digester.hash("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x85944171f73967e8L);
    }

    static Stream<String[]> sameDigest() {
        return Stream.of(
                new String[] {"SELECT c FROM sbtest1 WHERE id=42", "select c  from sbtest1 where id = 7 -- x"},
                new String[] {"select c from t where id in (1,2,3)", "SELECT c FROM t WHERE id IN ('a')"},
                new String[] {"select c from t where a = -1", "select /* hi */ c from t where a=  2.5e3"},
                new String[] {"insert into t values (1,'a')", "INSERT INTO t VALUES (2,'b'),(3,'c'),(4, ?)"},
                new String[] {"select /*!40001 SQL_NO_CACHE */ * from t", "select sql_no_cache * from t"},
                new String[] {"select\n\tc\nfrom t where x = 'a b'", "select c from t where x = \"it's\""},
                new String[] {"select c from t where x = 0x1f", "select c from t where x = b'1'"});
    }

    @ParameterizedTest
    @MethodSource("sameDigest")
    void literalsSpacingCaseAndCommentsDoNotChangeTheDigest(String a, String b) {
        assertThat(digest(a, false)).isEqualTo(digest(b, false));
    }

    static Stream<String[]> otherDigest() {
        return Stream.of(
                new String[] {"select c from t where id = 1", "select k from t where id = 1"},
                new String[] {"select c from t where id = 1", "select c from u where id = 1"},
                new String[] {"select c from t where id = 1", "select c, k from t where id = 1"},
                // a single value: IN (...) and = ? are different statements to the server and in the digest
                new String[] {"select c from t where id in (1)", "select c from t where id = 1"},
                new String[] {"select c from t where id = 1", "select c from t where id = true"},
                new String[] {"select c from t where id = 1", "select c from t where id is null"},
                new String[] {"select `c` from t", "select c from t"},
                new String[] {"select `C` from t", "select `c` from t"},
                new String[] {"select a - 1", "select a, -1"});
    }

    @ParameterizedTest
    @MethodSource("otherDigest")
    void structureChangesTheDigest(String a, String b) {
        assertThat(digest(a, false).digest()).isNotEqualTo(digest(b, false).digest());
    }

    @Test
    void readsOnlyItsRegionOfTheBuffer() {
        ByteBuf b = payload("select 1 from t; garbage 'unterminated");
        int to = 1 + "select 1 from t".length();
        QueryDigest d = QueryDigest.of(b, 1, to, false);
        assertThat(d.text()).isEqualTo("select ? from t");
        assertThat(d.hex()).hasSize(16).isEqualTo(String.format("%016x", d.digest()));
        assertThat(b.readerIndex()).isZero();
    }

    @Test
    void randomBytesNeverThrow() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] alphabet = "'\"`\\/*!M-#?()., =<>@xXbB0123456789eE\n aZ\u00e9;".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(60)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] =
                        random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            ByteBuf b = Unpooled.wrappedBuffer(bytes);
            boolean nbe = random.nextBoolean();
            QueryDigest d = QueryDigest.of(b, 0, bytes.length, nbe);
            assertThat(QueryDigest.digestOf(b, 0, bytes.length, nbe))
                    .as("seed %d, input %s", seed, new String(bytes, StandardCharsets.ISO_8859_1))
                    .isEqualTo(d.digest());
            if (bytes.length > 0 && new String(bytes, StandardCharsets.ISO_8859_1).indexOf('`') < 0) {
                // outside a quoted identifier (kept as written) no space is doubled or at either end
                assertThat(d.text())
                        .as("seed %d", seed)
                        .doesNotStartWith(" ")
                        .doesNotEndWith(" ")
                        .doesNotContain("  ");
            }
        }
    }
}
