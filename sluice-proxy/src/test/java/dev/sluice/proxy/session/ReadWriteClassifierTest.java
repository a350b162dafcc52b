package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.proxy.session.ReadWriteClassifier.Hint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class ReadWriteClassifierTest {
    static ByteBuf payload(String sql) {
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x03); // COM_QUERY
        payload.writeCharSequence(sql.replace("{nl}", "\n"), StandardCharsets.UTF_8);
        return payload;
    }

    static ReadWriteClass classify(String sql, boolean noBackslashEscapes) {
        ByteBuf b = payload(sql);
        return ReadWriteClassifier.ofQuery(b, 1, b.writerIndex(), noBackslashEscapes);
    }

    static ReadWriteClass tokenPath(String sql, boolean noBackslashEscapes) {
        ByteBuf b = payload(sql);
        return ReadWriteClassifier.parse(b, 1, b.writerIndex(), noBackslashEscapes);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                // plain reads
                "SELECT c FROM sbtest1 WHERE id=5|READ",
                "select c from sbtest1 where id in (1, 2, 3) and k between 4 and 5|READ",
                "SELECT id, k, c, pad FROM sbtest1 WHERE id BETWEEN 4711 AND 4810 ORDER BY c LIMIT 10|READ",
                "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c|READ",
                "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 1 AND 100|READ",
                "sElEcT 1 fRoM dual|READ",
                "(SELECT 1) UNION (SELECT 2)|READ",
                "SELECT 1 UNION ALL SELECT 2 FROM dual|READ",
                "((SELECT a FROM t1) INTERSECT (SELECT a FROM t2)) ORDER BY a|READ",
                "WITH x AS (SELECT a FROM t) SELECT * FROM x|READ",
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r|READ",
                "VALUES (1, 2), (3, 4)|READ",
                "SELECT SLEEP(1)|READ",
                "SELECT NOW(), UUID(), RAND(), CONNECTION_ID(), BENCHMARK(10, 1)|READ",
                "SELECT IFNULL(a, 0), LOCATE('x', b), FIRST_VALUE(a) OVER (PARTITION BY b) FROM t LIMIT 1|READ",
                "SELECT * FROM t1 JOIN t2 USING (id) WHERE t1.a IN (SELECT a FROM t3)|READ",
                "SELECT REPLACE(a, 'x', 'y'), INSERT(a, 1, 2, 'z') FROM t|READ",
                "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10|READ",
                "SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01 00:00:00'|READ",
                "SELECT @@version, @@session.autocommit, @@max_allowed_packet|READ",
                "SELECT a FROM t WHERE b = 'x@y.z'|READ",
                "SELECT 1;|READ",
                // prepared statement texts: a ? is a value
                "SELECT c FROM sbtest1 WHERE id = ?|READ",
                "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? FOR UPDATE|WRITE",
                "SELECT GET_LOCK(?, 0)|WRITE",
                "SELECT 1; SELECT 2|READ",
                // keywords that are not code
                "SELECT 'FOR UPDATE'|READ",
                "SELECT `for` FROM t|READ",
                "SELECT `for`, `into`, `lock` FROM `update`|READ",
                "SELECT \"LOCK IN SHARE MODE\", 'INTO @a', 'GET_LOCK(''a'', 1)'|READ",
                "SELECT `GET_LOCK` FROM t|READ",
                "SELECT 1 -- FOR UPDATE{nl}|READ",
                "SELECT 1 # INTO OUTFILE '/tmp/x'|READ",
                "/* FOR UPDATE */ SELECT 1|READ",
                "SELECT /*!40001 SQL_NO_CACHE */ * FROM t|READ",
                "/*!40101 SELECT 1 */|READ",
                "SELECT 1 /*+ sluice:writer */|READ",
                "SELECT '/* sluice:writer */'|READ",
                "SELECT 1 -- /* sluice:writer */{nl}|READ",
                // SHOW, DESCRIBE, EXPLAIN
                "SHOW TABLES|READ",
                "SHOW FULL COLUMNS FROM t|READ",
                "show create table t|READ",
                "SHOW DATABASES LIKE 'x%'|READ",
                "SHOW GRANTS|READ",
                "SHOW TABLE STATUS LIKE 't'|READ",
                "SHOW CHARACTER SET|READ",
                "SHOW EXTENDED FULL COLUMNS IN t|READ",
                "SHOW PROCEDURE STATUS|READ",
                "ANALYZE FORMAT=JSON SELECT a FROM t|READ",
                "DESCRIBE t|READ",
                "DESC `t` a|READ",
                "EXPLAIN SELECT * FROM t WHERE id = 1|READ",
                "EXPLAIN FORMAT=JSON SELECT 1|READ",
                "DESCRIBE SELECT 1|READ",
                "EXPLAIN EXTENDED (SELECT 1) UNION (SELECT 2)|READ",
                // hints that agree
                "SELECT 1 /* sluice:reader */|READ",
                "/* sluice:reader */ SELECT c FROM t|READ",
                // values one connection keeps
                "SELECT LAST_INSERT_ID()|SAME_CONNECTION",
                "select found_rows()|SAME_CONNECTION",
                "SELECT ROW_COUNT()|SAME_CONNECTION",
                "SELECT LASTVAL(s)|SAME_CONNECTION",
                "SELECT PREVIOUS VALUE FOR s|SAME_CONNECTION",
                "SELECT @@identity|SAME_CONNECTION",
                "SELECT @@warning_count|SAME_CONNECTION",
                "SHOW WARNINGS|SAME_CONNECTION",
                "SHOW COUNT(*) ERRORS|SAME_CONNECTION",
                "SHOW PROFILES|SAME_CONNECTION",
                "SELECT @a|SAME_CONNECTION",
                "SELECT a FROM t WHERE b = @b|SAME_CONNECTION",
                "SELECT @`a b`, @'c'|SAME_CONNECTION",
                "SELECT 1; SELECT LAST_INSERT_ID()|SAME_CONNECTION",
                // FOUND_ROWS() after a select of the same text reads that select, on the same connection
                "SELECT SQL_CALC_FOUND_ROWS a FROM t LIMIT 1; SELECT FOUND_ROWS()|READ",
                "/* sluice:reader */ SELECT LAST_INSERT_ID()|SAME_CONNECTION",
                // locking reads, INTO, assignments
                "SELECT * FROM t FOR UPDATE|WRITE",
                "select * from t where id = 1 for update nowait|WRITE",
                "SELECT * FROM t WHERE a = 'x' FOR UPDATE SKIP LOCKED|WRITE",
                "SELECT * FROM t LOCK IN SHARE MODE|WRITE",
                "SELECT * FROM t FOR SHARE|WRITE",
                "(SELECT a FROM t) UNION (SELECT a FROM u FOR UPDATE)|WRITE",
                "SELECT a INTO @x FROM t LIMIT 1|WRITE",
                "SELECT 1 INTO @a, @b|WRITE",
                "SELECT a FROM t INTO OUTFILE '/tmp/a'|WRITE",
                "SELECT a FROM t INTO DUMPFILE '/tmp/a'|WRITE",
                "SELECT @a := 1|WRITE",
                "SELECT @a := a FROM t|WRITE",
                "SELECT 1 FROM t /*M!100500 FOR UPDATE */|WRITE",
                "SELECT 1 FROM t /*!50000 FOR UPDATE */|WRITE",
                "/*!SELECT*/ 1 FROM t FOR UPDATE|WRITE",
                // functions with side effects or server-bound state
                "SELECT GET_LOCK('a', 1)|WRITE",
                "SELECT RELEASE_LOCK('a')|WRITE",
                "SELECT RELEASE_LOCK(@n)|WRITE",
                "SELECT RELEASE_ALL_LOCKS()|WRITE",
                "SELECT IS_USED_LOCK('a')|WRITE",
                "SELECT is_free_lock('a')|WRITE",
                "SELECT `get_lock`('a', 1)|WRITE",
                "SELECT GET_LOCK{nl}('a', 1)|WRITE",
                "SELECT GET_LOCK /* c */ ('a', 1)|WRITE",
                "SELECT NEXTVAL(s)|WRITE",
                "SELECT NEXT VALUE FOR s|WRITE",
                "SELECT SETVAL(s, 10)|WRITE",
                "SELECT LAST_INSERT_ID(5)|WRITE",
                "SELECT db.f(1)|WRITE",
                "SELECT db . f(1), `db`.`f`(2)|WRITE",
                "SELECT{nl}  COUNT(*){nl}FROM t|READ",
                "SELECT LOAD_FILE('/etc/passwd')|WRITE",
                "SELECT MASTER_GTID_WAIT('0-1-5', 1)|WRITE",
                "SELECT @@read_only|WRITE",
                "SELECT @@global.gtid_binlog_pos|WRITE",
                // data-changing statements, also behind WITH
                "WITH x AS (SELECT 1) UPDATE t SET a = 1|WRITE",
                "WITH x AS (SELECT a FROM t) DELETE FROM t WHERE a IN (SELECT a FROM x)|WRITE",
                "INSERT INTO t VALUES (1)|WRITE",
                "insert into t select * from u|WRITE",
                "UPDATE t SET a = 1|WRITE",
                "DELETE FROM t|WRITE",
                "REPLACE INTO t VALUES (1)|WRITE",
                "CREATE TABLE t (a INT)|WRITE",
                "CREATE TABLE t AS SELECT 1|WRITE",
                "DROP TABLE t|WRITE",
                "ALTER TABLE t ADD b INT|WRITE",
                "TRUNCATE t|WRITE",
                "CALL p()|WRITE",
                "LOAD DATA INFILE 'x' INTO TABLE t|WRITE",
                "TABLE t|WRITE",
                // session state, transactions, locks, server state
                "SET @a = 1|WRITE",
                "SET autocommit = 0|WRITE",
                "USE db|WRITE",
                "BEGIN|WRITE",
                "START TRANSACTION|WRITE",
                "START TRANSACTION READ WRITE|WRITE",
                "START TRANSACTION WITH CONSISTENT SNAPSHOT|WRITE",
                "START TRANSACTION READ ONLY, READ WRITE|WRITE",
                "COMMIT|WRITE",
                "DO SLEEP(1)|WRITE",
                "DO 1|WRITE",
                "LOCK TABLES t READ|WRITE",
                "HANDLER t READ FIRST|WRITE",
                "XA START 'x'|WRITE",
                "KILL 5|WRITE",
                "SHOW STATUS|WRITE",
                "SHOW GLOBAL VARIABLES|WRITE",
                "SHOW PROCESSLIST|WRITE",
                "SHOW FULL PROCESSLIST|WRITE",
                "SHOW SLAVE STATUS|WRITE",
                "SHOW MASTER STATUS|WRITE",
                "SHOW ENGINE INNODB STATUS|WRITE",
                "SHOW OPEN TABLES|WRITE",
                "SHOW BINLOG EVENTS|WRITE",
                "SET TRANSACTION READ ONLY|WRITE",
                "SELECT 1 /*+ sluice:reader */ FOR UPDATE|WRITE",
                "EXPLAIN SELECT GET_LOCK('a', 1)|WRITE",
                "EXPLAIN UPDATE t SET a = 1|WRITE",
                "EXPLAIN SELECT * FROM t FOR UPDATE|WRITE",
                "EXPLAIN FOR CONNECTION 5|WRITE",
                "ANALYZE TABLE t|WRITE",
                // several statements: the strictest
                "SELECT 1; INSERT INTO t VALUES (1)|WRITE",
                "SELECT 1; START TRANSACTION READ ONLY|WRITE",
                "SELECT 1; SELECT 2 FOR UPDATE|WRITE",
                // nothing to run, or not recognised
                "~   ~|WRITE",
                "/* only a comment */|WRITE",
                "-- {nl}|WRITE",
                "label: BEGIN NOT ATOMIC SELECT 1; END|WRITE",
                // writer hints, reader hints on writes
                "/* sluice:writer */ SELECT 1|WRITE",
                "SELECT c FROM t /* sluice:writer */|WRITE",
                "SELECT 1 /*  SLUICE:Writer  */|WRITE",
                "SELECT 1; /* sluice:writer */ SELECT 2|WRITE",
                "/* sluice:reader */ /* sluice:writer */ SELECT 1|WRITE",
                "/* sluice:reader */ INSERT INTO t VALUES (1)|WRITE",
                "/* sluice:reader */ SELECT * FROM t FOR UPDATE|WRITE",
                "SELECT GET_LOCK('a', 1) /* sluice:reader */|WRITE",
                // transactions that may go to a reader
                "START TRANSACTION READ ONLY|READ_ONLY_TRANSACTION",
                "start transaction read only, with consistent snapshot|READ_ONLY_TRANSACTION",
                "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY|READ_ONLY_TRANSACTION",
                "/* sluice:reader */ START TRANSACTION READ ONLY|READ_ONLY_TRANSACTION",
                "/* sluice:writer */ START TRANSACTION READ ONLY|WRITE",
            })
    void classifies(String sql, ReadWriteClass expected) {
        assertThat(classify(sql, false)).as(sql).isEqualTo(expected);
        assertThat(tokenPath(sql, false)).as("token path: " + sql).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                // with escapes the first string runs to "', '" and FOR UPDATE is code; without, both are strings
                "SELECT 'a\\', ' FOR UPDATE'|WRITE|READ",
                // with escapes one string to the end; without, 'a\' ends and FOR UPDATE is code
                "SELECT 'a\\' FOR UPDATE -- '|READ|WRITE",
                "SELECT 'x\\'', @a := 1|WRITE|READ",
                "SELECT \"a\\\" INTO @b \"|READ|WRITE",
                "SELECT 'c\\\\' FROM t FOR UPDATE|WRITE|WRITE",
            })
    void honoursNoBackslashEscapes(String sql, ReadWriteClass escapes, ReadWriteClass noEscapes) {
        assertThat(classify(sql, false)).as(sql).isEqualTo(escapes);
        assertThat(classify(sql, true)).as("NO_BACKSLASH_ESCAPES: " + sql).isEqualTo(noEscapes);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "SELECT 1|NONE",
                "/* sluice:writer */ SELECT 1|WRITER",
                "/*sluice:reader*/ SELECT 1|READER",
                "SELECT 1 /* sluice:reader */|READER",
                "SELECT 1 /* sluice:reader */ /* sluice:writer */|WRITER",
                "INSERT INTO t VALUES (1); /* sluice:reader */ SELECT 1|READER",
                "SELECT '/* sluice:reader */'|NONE",
                "SELECT 1 # /* sluice:reader */|NONE",
                "/* sluice: reader */ SELECT 1|NONE",
                "/* sluice:readers */ SELECT 1|NONE",
                "SELECT 1 / 2|NONE",
            })
    void readsHints(String sql, Hint expected) {
        ByteBuf b = payload(sql);
        assertThat(ReadWriteClassifier.hint(b, 1, b.writerIndex(), false))
                .as(sql)
                .isEqualTo(expected);
    }

    @Test
    void anIgnoredReaderHintIsLoggedAtDebugLevel() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.sluice.proxy.routing");
        Level level = logger.getLevel();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        logger.setLevel(Level.DEBUG);
        try {
            assertThat(classify("/* sluice:reader */ SELECT 1", false)).isEqualTo(ReadWriteClass.READ);
            assertThat(classify("SELECT 2 /* sluice:writer */", false)).isEqualTo(ReadWriteClass.WRITE);
            assertThat(events.list).isEmpty();
            assertThat(classify("/* sluice:reader */ UPDATE t SET a = 1", false))
                    .isEqualTo(ReadWriteClass.WRITE);
            assertThat(events.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(e.getFormattedMessage())
                        .isEqualTo(
                                "sluice:reader hint ignored, the statement is WRITE: /* sluice:reader */ UPDATE t SET a = 1");
            });
        } finally {
            logger.detachAppender(events);
            logger.setLevel(level);
        }
    }

    /** Which statements the fast path answers alone (the rest are read token by token). */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "SELECT id, k, c, pad FROM sbtest1 WHERE id BETWEEN 4711 AND 4810 AND k > 12345 LIMIT 10|0",
                "SELECT c FROM sbtest1 WHERE id IN (1, 2) AND SLEEP(0) = 0 ORDER BY c|0",
                "INSERT INTO sbtest1 (id, k, c, pad) VALUES (0, 50234, '1-2', '3-4')|1",
                "UPDATE sbtest1 SET k=k+1 WHERE id=7|1",
                "COMMIT|1",
                "SELECT * FROM t FOR UPDATE|2",
                "SELECT GET_LOCK('a', 1)|2",
                "SELECT 'x' INTO @a|2",
                "SHOW TABLES|2",
                "/* sluice:writer */ SELECT 1|2",
            })
    void fastPath(String sql, int expected) {
        ByteBuf b = payload(sql);
        assertThat(ReadWriteClassifier.fastPath(b, 1, b.writerIndex())).as(sql).isEqualTo(expected);
    }

    @Test
    void theFastPathDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        ByteBuf select = payload("SELECT id, k, c, pad FROM sbtest1 WHERE id BETWEEN 4711 AND 4810 AND k > 12345"
                + " AND c <> '68487932199-96439406143' AND pad <> 'x' AND IFNULL(k, 0) > 1 ORDER BY c, k LIMIT 10");
        ByteBuf insert = payload("INSERT INTO sbtest1 (id, k, c, pad) VALUES (0, 50234, '1-2', '3-4')");
        int reads = 0;
        for (int i = 0; i < 20_000; i++) { // warm up, so that the allocations measured are the classifier's
            reads += ReadWriteClassifier.ofQuery(select, 1, select.writerIndex(), false) == ReadWriteClass.READ ? 1 : 0;
            ReadWriteClassifier.ofQuery(insert, 1, insert.writerIndex(), false);
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 10_000; i++) {
            reads += ReadWriteClassifier.ofQuery(select, 1, select.writerIndex(), false) == ReadWriteClass.READ ? 1 : 0;
            ReadWriteClassifier.ofQuery(insert, 1, insert.writerIndex(), false);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(reads).isEqualTo(30_000);
        assertThat(allocated).as("bytes allocated by 20,000 classifications").isLessThan(10_000);
    }

    /** The pinning fuzz test's fragments (lexical traps, effect functions) and the words of reads and writes. */
    private static final String[] FRAGMENTS = Stream.concat(
                    Arrays.stream(StatementEffectsFuzzTest.FRAGMENTS),
                    Stream.of(
                            "DESC",
                            "EXPLAIN",
                            "ONLY",
                            "WRITE",
                            "UPDATE",
                            "SHARE",
                            "IN",
                            "OUTFILE",
                            "/* sluice:writer */",
                            "/* sluice:reader */",
                            "IS_USED_LOCK",
                            "SLEEP",
                            "INSERT",
                            "DELETE",
                            "read_only",
                            "t",
                            "SELECT"))
            .toArray(String[]::new);

    /** Random texts: never throws, and the fast path's answers are the token path's. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20261207})
    void theFastPathAgreesWithTheTokenPath(long seed) {
        Random random = new Random(seed);
        for (int round = 0; round < 4000; round++) {
            StringBuilder start = new StringBuilder(random.nextInt(3) == 0 ? "SELECT " : "");
            StringBuilder sql = StatementEffectsFuzzTest.glued(random, FRAGMENTS, 20, start);
            ByteBuf text = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
            int to = text.writerIndex();
            boolean noBackslashEscapes = random.nextBoolean();
            ReadWriteClass parsed = ReadWriteClassifier.parse(text, 0, to, noBackslashEscapes);
            int fast = ReadWriteClassifier.fastPath(text, 0, to);
            if (fast == ReadWriteClassifier.FAST_READ) {
                assertThat(parsed).as("seed %d round %d: %s", seed, round, sql).isEqualTo(ReadWriteClass.READ);
            } else if (fast == ReadWriteClassifier.FAST_WRITE) {
                assertThat(parsed).as("seed %d round %d: %s", seed, round, sql).isEqualTo(ReadWriteClass.WRITE);
            }
            ReadWriteClassifier.hint(text, 0, to, noBackslashEscapes);
        }
    }
}
