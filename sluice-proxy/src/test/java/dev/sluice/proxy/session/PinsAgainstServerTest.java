package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bookkeeping against a real MariaDB, for the states the server can show: after each statement (sent as one
 * COM_QUERY text, multi-statement texts included, failures included) the temporary tables {@link SessionPins} holds
 * are those the server has ({@code SHOW CREATE TABLE} says TEMPORARY), and the advisory locks it holds are those for
 * which {@code IS_USED_LOCK(name) = CONNECTION_ID()}, and the user variables it holds are those that have a value. Where Sluice cannot know (a GET_LOCK in a WHERE that matched
 * nothing), it may hold more than the server (a pin too many), never less.
 */
class PinsAgainstServerTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .initSql(
                    "CREATE DATABASE IF NOT EXISTS test",
                    "CREATE DATABASE other",
                    "CREATE TABLE test.h1 (a INT)",
                    "CREATE TABLE test.probe (a INT)")
            .build();

    private static final List<String> TABLES = List.of(
            "test.t1",
            "test.t 2",
            "other.t3",
            "test.t4",
            "test.t4b",
            "test.t5",
            "test.t5b",
            "test.t6",
            "test.t7",
            "test.t8",
            "test.t9",
            "test.fake",
            "test.fake2");
    private static final List<String> VARIABLES = List.of(
            "a",
            "b",
            "c",
            "c c",
            "d",
            "e",
            "f",
            "g",
            "h",
            "saved",
            "i",
            "j",
            "k",
            "l",
            "x.y$z",
            "y",
            "x",
            "autocommit");
    private static final List<String> LOCKS = List.of("a", "b", "c", "d", "e", "f", "C", "fake", "zz");

    private Connection connection;
    private Statement statement;
    private final SessionPins pins = new SessionPins(1, new PinCounters());

    @BeforeEach
    void connect() throws SQLException {
        connection = DriverManager.getConnection(
                "jdbc:mariadb://" + db.sandbox().host() + ":" + db.sandbox().port() + "/test?allowMultiQueries=true",
                "root",
                db.sandbox().rootPassword());
        statement = connection.createStatement();
        statement.setEscapeProcessing(false);
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    /** Runs one COM_QUERY text, applies its effects as the session would, and says whether the server said OK. */
    private boolean run(String sql) throws SQLException {
        String schema = query("SELECT DATABASE()");
        boolean noBackslashEscapes = query("SELECT @@sql_mode").contains("NO_BACKSLASH_ESCAPES");
        ByteBuf text = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        StatementEffects effects = StatementEffects.ofQuery(text, 0, text.writerIndex(), noBackslashEscapes);
        boolean ok = true;
        try {
            statement.execute(sql);
            while (statement.getMoreResults() || statement.getUpdateCount() != -1) {
                // read every result of a multi-statement text: an error in a later one surfaces here
            }
        } catch (SQLException e) {
            ok = false;
        }
        pins.applied(effects, ok, schema);
        return ok;
    }

    private String query(String sql) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Set<String> serverTemporaryTables() throws SQLException {
        Set<String> out = new TreeSet<>();
        for (String table : TABLES) {
            int dot = table.indexOf('.');
            String quoted = "`" + table.substring(0, dot) + "`.`" + table.substring(dot + 1) + "`";
            try (Statement s = connection.createStatement();
                    ResultSet rs = s.executeQuery("SHOW CREATE TABLE " + quoted)) {
                rs.next();
                if (rs.getString(2).startsWith("CREATE TEMPORARY TABLE")) {
                    out.add(table);
                }
            } catch (SQLException absent) {
                // no such table
            }
        }
        return out;
    }

    private Set<String> serverLocks() throws SQLException {
        Set<String> out = new TreeSet<>();
        for (String lock : LOCKS) {
            if ("1".equals(query("SELECT IS_USED_LOCK('" + lock + "') = CONNECTION_ID()"))) {
                out.add(lock);
            }
        }
        return out;
    }

    private void step(String sql, boolean expectOk) throws SQLException {
        step(sql, expectOk, true);
    }

    private void step(String sql, boolean expectOk, boolean exact) throws SQLException {
        assertThat(run(sql)).as("server accepted: " + sql).isEqualTo(expectOk);
        Set<String> ours = new TreeSet<>(pins.objects(PinReason.TEMPORARY_TABLE).keySet());
        if (exact) {
            assertThat(ours).as("temporary tables after: " + sql).isEqualTo(serverTemporaryTables());
        } else {
            assertThat(ours).as("temporary tables after: " + sql).containsAll(serverTemporaryTables());
        }
        assertThat(pins.holds(PinReason.TEMPORARY_TABLE)).isEqualTo(!ours.isEmpty());
    }

    private void lockStep(String sql, boolean exact) throws SQLException {
        assertThat(run(sql)).as("server accepted: " + sql).isTrue();
        Set<String> ours = new TreeSet<>(pins.objects(PinReason.ADVISORY_LOCK).keySet());
        if (exact) {
            assertThat(ours).as("locks after: " + sql).isEqualTo(serverLocks());
        } else {
            assertThat(ours).as("locks after: " + sql).containsAll(serverLocks());
        }
    }

    @Test
    void temporaryTablesMatchTheServerAfterEachStatement() throws SQLException {
        step("CREATE TEMPORARY TABLE t1 (a INT)", true);
        step("create temporary table if not exists `t 2` (a int)", true);
        step("CREATE TEMPORARY TABLE t1 (a INT)", false);
        step("CREATE TEMPORARY TABLE other.t3 (a INT)", true);
        step("/* CREATE TEMPORARY TABLE fake (a int) */ SELECT 1", true);
        step("SELECT 'CREATE TEMPORARY TABLE fake2 (a int)' -- CREATE TEMPORARY TABLE fake (a INT)", true);
        step("CREATE /*!32323 TEMPORARY */ TABLE t4 (a INT)", true);
        step("CREATE TEMPORARY TABLE t5 SELECT 1 AS a; CREATE TEMPORARY TABLE t6 LIKE t5", true);
        step("DROP TABLE t1", true);
        step("DROP TEMPORARY TABLE IF EXISTS `t 2`, nothing_here", true);
        step("USE other; DROP TEMPORARY TABLE t3; USE test", true);
        step("RENAME TABLE t4 TO t4b", true);
        step("ALTER TABLE t5 RENAME TO t5b", true);
        step("DROP TEMPORARY TABLE t4b, t5b, t6", true);
        step("DROP TEMPORARY TABLE missing", false);
        step("CREATE TEMPORARY TABLE t7 (a INT); SELECT no_such_column FROM t7", false);
        step("DROP TABLE t7", true);
        step("EXECUTE IMMEDIATE 'CREATE TEMPORARY TABLE t8 (a INT)'", true);
        step("PREPARE p1 FROM 'DROP TEMPORARY TABLE t8'", true);
        step("EXECUTE p1", true);
        step("DEALLOCATE PREPARE p1", true);
        step("SET STATEMENT max_statement_time=10 FOR CREATE TEMPORARY TABLE t9 (a INT)", true);
        step("DROP TABLE IF EXISTS t9", true);
        step("CREATE TEMPORARY TABLE t1 (a INT)", true);
        step("DROP TEMPORARY TABLE t1, missing", false, false); // MariaDB dropped t1 and failed: a pin too many
        step("DROP TEMPORARY TABLE IF EXISTS t1", true);
        assertThat(pins.isPinned()).isFalse();
    }

    /** The variables of the script the server has a value for (every assignment in it is not NULL). */
    private Set<String> serverUserVariables() throws SQLException {
        Set<String> out = new TreeSet<>();
        for (String name : VARIABLES) {
            if ("1".equals(query("SELECT @`" + name + "` IS NOT NULL"))) {
                out.add(name);
            }
        }
        return out;
    }

    private void variableStep(String sql) throws SQLException {
        assertThat(run(sql)).as("server accepted: " + sql).isTrue();
        assertThat(new TreeSet<>(pins.objects(PinReason.USER_VARIABLE).keySet()))
                .as("user variables after: " + sql)
                .isEqualTo(serverUserVariables());
    }

    @Test
    void userVariablesMatchTheServerAfterEachStatement() throws SQLException {
        variableStep("SELECT @a, @b + 1, @@session.autocommit, 'x@y', '@c := 1' /* @d := 2 */");
        variableStep("SET @a = 1");
        variableStep("SET @B := 2, @`c c` = 3, sql_mode = @@sql_mode, @'d' = @a");
        variableStep("SELECT @e := 5, @f = 6");
        variableStep("SELECT 1, 2 INTO @g, @h");
        variableStep("/*!40101 SET @saved = @@character_set_client */");
        variableStep("SET STATEMENT max_statement_time = 5 FOR SELECT @i := 1");
        variableStep("DO 1; SELECT 1 INTO @j; SELECT @k");
        variableStep("EXECUTE IMMEDIATE 'SET @l = 1'");
        variableStep("SELECT @x.y$z := 1");
    }

    /** Whether the statement runs without error (an oracle: it changes nothing the script looks at). */
    private boolean succeeds(String sql) {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** The server's view: open handlers (HANDLER h READ works), SQL prepared statements (EXECUTE works), LOCK TABLES. */
    private String serverObjects() throws SQLException {
        Set<String> handlers = new TreeSet<>();
        for (String h : List.of("h1", "hx", "hy", "missing")) {
            if (succeeds("HANDLER " + h + " READ FIRST")) {
                handlers.add(h);
            }
        }
        Set<String> prepared = new TreeSet<>();
        for (String p : List.of("p1", "p2", "p3")) {
            if (succeeds("EXECUTE " + p)) {
                prepared.add(p);
            }
        }
        boolean tablesLocked;
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT a FROM probe LIMIT 0");
            tablesLocked = false;
        } catch (SQLException e) {
            tablesLocked = e.getErrorCode() == 1100; // Table 'probe' was not locked with LOCK TABLES
        }
        return "handlers " + handlers + ", prepared " + prepared + ", table locks " + tablesLocked;
    }

    private String ourObjects() {
        return "handlers " + new TreeSet<>(pins.objects(PinReason.HANDLER).keySet()) + ", prepared "
                + new TreeSet<>(pins.objects(PinReason.SQL_PREPARED_STATEMENT).keySet()) + ", table locks "
                + pins.holds(PinReason.TABLE_LOCK);
    }

    private void objectStep(String sql, boolean expectOk) throws SQLException {
        assertThat(run(sql)).as("server accepted: " + sql).isEqualTo(expectOk);
        assertThat(ourObjects()).as("after: " + sql).isEqualTo(serverObjects());
    }

    @Test
    void handlersPreparedStatementsAndTableLocksMatchTheServerAfterEachStatement() throws SQLException {
        objectStep("HANDLER h1 OPEN", true);
        objectStep("handler test.h1 open as hx", true);
        objectStep("HANDLER `h1` OPEN hy; SELECT 'HANDLER hy CLOSE' /* HANDLER hx CLOSE */", true);
        objectStep("HANDLER h1 CLOSE", true);
        objectStep("HANDLER hx CLOSE; HANDLER hy CLOSE", true);
        objectStep("HANDLER missing OPEN", false);
        objectStep("PREPARE p1 FROM 'SELECT 1'", true);
        objectStep("PREPARE `P2` FROM \"SELECT 'DEALLOCATE PREPARE p1'\"", true);
        objectStep("PREPARE p3 FROM 'SELECT * FROM no_such_table'", false);
        objectStep("DEALLOCATE PREPARE P1", true);
        objectStep("/*!50000 DROP PREPARE p2 */", true);
        objectStep("LOCK TABLES h1 READ", true);
        objectStep("SELECT 'UNLOCK TABLES'", true);
        objectStep("UNLOCK TABLES", true);
        objectStep("LOCK TABLE h1 AS x WRITE; SELECT 1", true);
        objectStep("unlock table", true);
        objectStep("LOCK TABLES h1 WRITE", true);
        objectStep("START TRANSACTION", true);
        objectStep("COMMIT", true);
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void advisoryLocksMatchTheServerAfterEachStatement() throws SQLException {
        lockStep("SELECT GET_LOCK('a', 0)", true);
        lockStep("select get_lock ( 'b' , 0 ) /* , GET_LOCK('fake', 0) */", true);
        lockStep("SELECT GET_LOCK('a', 0)", true);
        lockStep("SELECT RELEASE_LOCK('a')", true);
        lockStep("SELECT 'RELEASE_LOCK(''b'')', RELEASE_LOCK('zz')", true);
        lockStep("DO RELEASE_LOCK('a'), GET_LOCK('c', 0)", true);
        lockStep("SELECT GET_LOCK('d', 0); SELECT RELEASE_LOCK('b')", true);
        lockStep("SELECT RELEASE_LOCK('C')", false); // names are compared as written: at worst a pin too many
        lockStep("SELECT RELEASE_ALL_LOCKS()", true);
        lockStep("SELECT GET_LOCK('e', 0) FROM DUAL WHERE 1 = 0", false); // never ran: a pin too many
        lockStep("SELECT RELEASE_LOCK('e')", true);
        lockStep("SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", true);
        lockStep("SELECT 'x\\', GET_LOCK('f', 0)", true);
        lockStep("SELECT RELEASE_LOCK('f')", true);
        assertThat(pins.isPinned()).isFalse();
    }
}
