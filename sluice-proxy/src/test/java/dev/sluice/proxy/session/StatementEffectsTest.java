package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementEffectsTest {
    static StatementEffects effects(String sql, boolean noBackslashEscapes) {
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x03); // COM_QUERY
        payload.writeCharSequence(sql.replace("{nl}", "\n"), StandardCharsets.UTF_8);
        return StatementEffects.ofQuery(payload, 1, payload.writerIndex(), noBackslashEscapes);
    }

    static StatementEffects effects(String sql) {
        return effects(sql, false);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                // the common statements: no effect, the shared NONE
                "SELECT c FROM sbtest1 WHERE id=5|none",
                "select c from sbtest1 where id in (1, 2, 3) and k between 4 and 5|none",
                "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 10, '123-456', '789-012')|none",
                "UPDATE sbtest1 SET k=k+1 WHERE id=7|none",
                "DELETE FROM sbtest1 WHERE id=7|none",
                "BEGIN|remove:table-lock(lock-tables)",
                "begin work|remove:table-lock(lock-tables)",
                "COMMIT|none",
                "START TRANSACTION READ ONLY|remove:table-lock(lock-tables)",
                "start transaction; SELECT 1|remove:table-lock(lock-tables)",
                "START SLAVE|none",
                "SELECT user_id, count(*) FROM orders GROUP BY user_id|none",
                "SELECT 'a@b.c', \"x;y\", `GET_LOCK`|none",
                "SELECT 1 -- GET_LOCK('a', 1){nl}|none",
                "SELECT 1 # SET @a = 1|none",
                "/* SET @a=1 */ SELECT 1|none",
                "SELECT 'GET_LOCK(''a'', 1)'|none",
                "SELECT @a, @b + 1 FROM t WHERE c = @c|none",
                "SELECT @a = 1|none",
                "SELECT @@session.autocommit, @@version|none",
                "CREATE TABLE t (a INT)|none",
                "DROP VIEW v|none",
                // a body's statements after its first ';' look like statements of their own: added, never removed
                "CREATE PROCEDURE p() BEGIN SELECT GET_LOCK('x', 1); SET @a = 1; DO RELEASE_LOCK('y'); END|add:user-variable(a)",
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED|none",
                "SET GLOBAL TRANSACTION READ ONLY|none",
                "SET NAMES utf8mb4|none",
                "SET autocommit = 0, sql_mode = 'ANSI'|none",
                "USE db1|use(db1)",
                // temporary tables
                "CREATE TEMPORARY TABLE t (a INT)|add:temporary-table(t)",
                "create temporary table if not exists `my db`.`t``1` like s|add:temporary-table(my db.t`1)",
                "CREATE OR REPLACE TEMPORARY TABLE t2 AS SELECT 1|add:temporary-table(t2)",
                "CREATE /*!32323 TEMPORARY */ TABLE t3 (a INT)|add:temporary-table(t3)",
                "CREATE TEMPORARY SEQUENCE s|add:temporary-table(s)",
                "DROP TEMPORARY TABLE t|remove:temporary-table(t)",
                "DROP TABLE IF EXISTS a, db.b, `c`|remove:temporary-table(a) remove:temporary-table(db.b) remove:temporary-table(c)",
                "DROP TABLES a /* x */ , b RESTRICT|remove:temporary-table(a) remove:temporary-table(b)",
                "RENAME TABLE a TO b, c TO d|rename:temporary-table(a->b) rename:temporary-table(c->d)",
                "ALTER TABLE a ADD COLUMN x INT, RENAME TO b|rename:temporary-table(a->b)",
                "ALTER TABLE a RENAME COLUMN x TO y|none",
                // user variables
                "SET @a = 1|add:user-variable(a)",
                "SET @A := 1, @`b c` = 2, SESSION sql_mode = '', @'d' = @a|add:user-variable(a) add:user-variable(b c) add:user-variable(d)",
                "set @x.y$z=1|add:user-variable(x.y$z)",
                "SELECT @r := @r + 1 FROM t|add:user-variable(r)",
                "SELECT c INTO @a, @b FROM t LIMIT 1|add:user-variable(a) add:user-variable(b)",
                "SELECT c FROM t LIMIT 1 INTO @a|add:user-variable(a)",
                "UPDATE t SET c = @a WHERE d = (@b := 5)|add:user-variable(b)",
                "CREATE USER 'u'@'h' IDENTIFIED BY 'p'|none",
                "GRANT SELECT ON *.* TO u@localhost|none",
                "SET PASSWORD FOR 'u'@'%' = PASSWORD('x')|none",
                "LOAD DATA INFILE 'f' INTO TABLE t (c, @skip) SET d = @skip|add:user-variable(skip)",
                "/*!40101 SET @saved_cs = @@character_set_client */|add:user-variable(saved_cs)",
                "SET @@session.sql_mode = ''|none",
                // advisory locks
                "SELECT GET_LOCK('a', 10)|add:advisory-lock(a)",
                "select get_lock ( 'b' , 0 ), release_lock('a')|add:advisory-lock(b) remove:advisory-lock(a)",
                "DO GET_LOCK(CONCAT('x', 1), 0)|add:advisory-lock",
                "SELECT GET_LOCK(@name, 0)|add:advisory-lock",
                "SELECT GET_LOCK /* c */ ('c', 1)|add:advisory-lock(c)",
                "SELECT GET_LOCK{nl}-- c{nl}('d', 1)|add:advisory-lock(d)",
                "SELECT `get_lock`('e', 1)|add:advisory-lock(e)",
                "SELECT /*!50000GET_LOCK('f', 1)*/|add:advisory-lock(f)",
                "SELECT a != b, /*M!100100SQL_CALC_FOUND_ROWS*/ 1|add:found-rows",
                "SELECT RELEASE_LOCK(@n)|none",
                "SELECT RELEASE_ALL_LOCKS()|remove_all:advisory-lock remove_all:stored-routine",
                "SELECT db.GET_LOCK('a', 1)|none",
                "SELECT IS_USED_LOCK('a'), IS_FREE_LOCK('a')|none",
                // statement-level state
                "HANDLER t OPEN|add:handler(t)",
                "HANDLER db.t OPEN AS h|add:handler(h)",
                "HANDLER h CLOSE|remove:handler(h)",
                "HANDLER h READ FIRST|none",
                "PREPARE s1 FROM 'SELECT 1'|add:sql-prepared-statement(s1) prepare(s1)",
                "DEALLOCATE PREPARE S1|remove:sql-prepared-statement(s1)",
                "DROP PREPARE s1|remove:sql-prepared-statement(s1)",
                "EXECUTE s1 USING @a|execute(s1)",
                "EXECUTE IMMEDIATE 'CREATE TEMPORARY TABLE x (a INT)'|add:temporary-table(x)",
                "EXECUTE IMMEDIATE CONCAT('SELECT ', 1)|add:dynamic-sql",
                "XA START 'x'|add:xa",
                "XA BEGIN 'x'|add:xa",
                "XA END 'x'|none",
                "XA COMMIT 'x' ONE PHASE|remove_all:xa",
                "XA ROLLBACK 'x'|remove_all:xa",
                "LOCK TABLES t READ, u WRITE|add:table-lock(lock-tables)",
                "UNLOCK TABLES|remove_all:table-lock",
                "FLUSH TABLES WITH READ LOCK|add:table-lock(flush-tables)",
                "FLUSH NO_WRITE_TO_BINLOG TABLES t1, t2 WITH READ LOCK|add:table-lock(flush-tables)",
                "FLUSH TABLES t FOR EXPORT|add:table-lock(flush-tables)",
                "FLUSH TABLES|none",
                "FLUSH PRIVILEGES|none",
                "BACKUP STAGE START|add:backup-lock(stage)",
                "BACKUP STAGE END|remove:backup-lock(stage)",
                "BACKUP LOCK t|add:backup-lock(lock)",
                "BACKUP UNLOCK|remove:backup-lock(lock)",
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE|add:transaction-characteristics",
                "set transaction read only|add:transaction-characteristics",
                "SET STATEMENT max_statement_time=10 FOR CREATE TEMPORARY TABLE t (a INT)|add:temporary-table(t)",
                "SET STATEMENT sql_mode='' FOR SELECT @a := 1|add:user-variable(a)",
                "CALL p(1, @out)|add:stored-routine add:user-variable(out)",
                "BEGIN NOT ATOMIC SELECT 1; END|add:stored-routine",
                "IF 1 THEN DO RELEASE_LOCK('a'); END IF|add:stored-routine",
                // found-rows, insert id, adjacent reads
                "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10|add:found-rows",
                "(SELECT /*!40001 SQL_CALC_FOUND_ROWS */ a FROM t LIMIT 1)|add:found-rows",
                "SELECT FOUND_ROWS()|reads:found-rows",
                "SELECT ROW_COUNT()|reads:row-count",
                "SELECT LAST_INSERT_ID()|reads:last-insert-id",
                "SELECT @@identity|reads:last-insert-id",
                "select @@SESSION.last_insert_id|reads:last-insert-id",
                "UPDATE seq SET id = LAST_INSERT_ID(id + 1)|add:insert-id",
                "SET LAST_INSERT_ID = 5|add:insert-id",
                "SET @@session.identity = 5|add:insert-id",
                "SELECT found_rows_count(1)|none",
                "SET INSERT_ID = 10|add:insert-id",
                "SHOW WARNINGS|reads:diagnostics",
                "SELECT NEXT VALUE FOR db.s|add:sequence-value(db.s)",
                "INSERT INTO t VALUES (NEXTVAL(s), 'x')|add:sequence-value(s)",
                "SELECT setval(`s`, 100)|add:sequence-value(s)",
                "SELECT PREVIOUS VALUE FOR s, lastval(s)|reads:sequence-value",
                "SELECT value, values_x FROM v|none",
                "show count(*) errors|reads:diagnostics",
                "SHOW TABLES|none",
                "GET DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT, @s = RETURNED_SQLSTATE|add:user-variable(m) add:user-variable(s) reads:diagnostics",
                "SELECT @@warning_count, @@session.error_count|reads:diagnostics",
                "SELECT GET_LOCK(|add:advisory-lock",
                // multi-statement texts
                "SELECT 1; SET @a = 1|add:user-variable(a)",
                "SELECT ';'; SELECT 2|none",
                // a read of the previous statement's values inside one text needs nothing from an earlier connection
                "SELECT SQL_CALC_FOUND_ROWS a FROM t; SELECT FOUND_ROWS()|add:found-rows",
                "INSERT INTO t VALUES (1); SELECT ROW_COUNT(), LAST_INSERT_ID(); SHOW WARNINGS|reads:last-insert-id",
                "SELECT ROW_COUNT(); SELECT 1|reads:row-count",
                "USE d2; CREATE TEMPORARY TABLE t (a INT); DROP TABLE t|use(d2) add:temporary-table(t) remove:temporary-table(t)",
            })
    void classifies(String sql, String expected) {
        assertThat(effects(sql).toString()).as(sql).isEqualTo(expected);
        // the fast path only ever lets through what the parser finds no effect in
        ByteBuf text = Unpooled.copiedBuffer(sql.replace("{nl}", "\n"), StandardCharsets.UTF_8);
        assertThat(EffectsParser.parse(text, 0, text.writerIndex(), false).toString())
                .as(sql)
                .isEqualTo(expected);
    }

    @Test
    void theCommonStatementsGetTheSharedNone() {
        assertThat(effects("SELECT c FROM sbtest1 WHERE id=5")).isSameAs(StatementEffects.NONE);
        assertThat(effects("INSERT INTO t (a, b) VALUES (1, 'x')")).isSameAs(StatementEffects.NONE);
        assertThat(effects("/* app */ SELECT 1")).isSameAs(StatementEffects.NONE);
        assertThat(effects("BEGIN")).isSameAs(StatementEffects.TRANSACTION_START);
        assertThat(effects("START TRANSACTION WITH CONSISTENT SNAPSHOT")).isSameAs(StatementEffects.TRANSACTION_START);
    }

    @Test
    void aBackslashEndsNoStringWithoutBackslashEscapes() {
        String sql = "SELECT 'a\\'; SET @a = 1; '";
        assertThat(effects(sql, false).toString()).isEqualTo("none");
        assertThat(effects(sql, true).toString()).isEqualTo("add:user-variable(a)");
    }
}
