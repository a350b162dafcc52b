package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.proxy.session.PinCounters;
import dev.sluice.proxy.session.PinReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pool.mode transaction with server-side prepared statements (issue 11): a COM_STMT_PREPARE no longer pins the
 * session. Twenty driver sessions share two server connections, each preparing the same statements and executing them
 * many times at once; the server holds one statement per text per connection (Sluice's ids, statements prepared again
 * where a session's next connection lacks them), a cursor keeps its connection until it is read, and
 * LAST_INSERT_ID() through a prepared statement is the session's own.
 */
class PreparedMultiplexingTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.p (id INT PRIMARY KEY, v INT)",
                    "INSERT INTO test.p SELECT seq, seq * 10 FROM test.seq_1_to_100",
                    "CREATE TABLE test.ai (id INT AUTO_INCREMENT PRIMARY KEY, who INT)")
            .build();

    private static final int CONNECTIONS = 2;
    private static final int SESSIONS = 20;
    private static final int ROUNDS = 25;
    /** The texts every session prepares: the server should hold each once per connection, not once per session. */
    private static final String BY_ID = "SELECT v FROM test.p WHERE id = ?";

    private static final String COUNT_ABOVE = "SELECT COUNT(*) FROM test.p WHERE v > ?";

    private static final String MARIADB = "useServerPrepStmts=true";

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(CONNECTIONS, Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    private static Connection root() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://" + db.sandbox().host() + ":" + db.sandbox().port() + "/",
                "root",
                db.sandbox().rootPassword());
    }

    private static long preparedOnServer() throws SQLException {
        return serverStatus("Prepared_stmt_count");
    }

    private static long serverStatus(String name) throws SQLException {
        try (Connection c = root();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static Connection mysql(String params) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:" + sluice.port() + "/test?sslMode=DISABLED&allowPublicKeyRetrieval=true&"
                        + params,
                PoolProxy.USER,
                PoolProxy.PASSWORD);
    }

    /** One session through Sluice with its two statements. */
    private interface Client extends AutoCloseable {
        /** Prepares both texts. */
        void prepare() throws Exception;

        /** v of {@code id}, by the first statement. */
        long valueOf(int id) throws Exception;

        /** Rows with v above {@code v}, by the second. */
        long countAbove(int v) throws Exception;
    }

    private interface Opener {
        Client open() throws Exception;
    }

    /** A JDBC session; the driver closes its statements with the connection. */
    private record Jdbc(Connection c, PreparedStatement[] statements) implements Client {
        Jdbc(Connection c) {
            this(c, new PreparedStatement[2]);
        }

        @Override
        public void prepare() throws SQLException {
            statements[0] = c.prepareStatement(BY_ID);
            statements[1] = c.prepareStatement(COUNT_ABOVE);
        }

        @Override
        public long valueOf(int id) throws SQLException {
            return single(statements[0], id);
        }

        @Override
        public long countAbove(int v) throws SQLException {
            return single(statements[1], v);
        }

        private static long single(PreparedStatement s, int parameter) throws SQLException {
            s.setInt(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                long value = rs.getLong(1);
                assertThat(rs.next()).isFalse();
                return value;
            }
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }

    /** Sluice's own codec client: the binary protocol without a driver's extras. */
    private record Codec(ServerConnection c, dev.sluice.backend.PreparedStatement[] statements) implements Client {
        Codec(ServerConnection c) {
            this(c, new dev.sluice.backend.PreparedStatement[2]);
        }

        @Override
        public void prepare() {
            statements[0] = c.prepareSync(BY_ID);
            statements[1] = c.prepareSync(COUNT_ABOVE);
        }

        @Override
        public long valueOf(int id) {
            return single(statements[0], id);
        }

        @Override
        public long countAbove(int v) {
            return single(statements[1], v);
        }

        private long single(dev.sluice.backend.PreparedStatement s, int parameter) {
            QueryResult r =
                    c.executeSync(s, List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG), (long) parameter)));
            assertThat(r.resultSet().rows()).hasSize(1);
            return ((Number) r.resultSet().rows().get(0).get(0)).longValue();
        }

        @Override
        public void close() {
            c.close();
        }
    }

    /**
     * MariaDB Connector/J sets its own session trackers when it connects ({@code session_track_schema=1},
     * {@code session_track_system_variables=...}): Sluice hands them back after that statement (no pin
     * tracker-settings, see TrackerHandBackTest), so its sessions share the connections like any other.
     */
    @Test
    void mariadbSessionsShareTwoConnectionsAndTheirStatements() throws Exception {
        runAll(() -> new Jdbc(sluice.mariadb(MARIADB)));
    }

    @Test
    void mysqlConnectorSessionsShareTwoConnectionsAndTheirStatements() throws Exception {
        runAll(() -> new Jdbc(mysql("useServerPrepStmts=true&cachePrepStmts=true")));
    }

    @Test
    void codecSessionsShareTwoConnectionsAndTheirStatements() throws Exception {
        runAll(() -> new Codec(sluice.codec()));
    }

    /**
     * Every session prepares both texts, then all execute them at once, many times; while all twenty still hold their
     * statements open the server holds each text at most once per connection.
     */
    private static void runAll(Opener opener) throws Exception {
        List<Client> sessions = new ArrayList<>();
        // statements of earlier tests stay on the pool's connections (shared, bounded): counted from here
        long onServerBefore = preparedOnServer();
        long givenBackBefore = sluice.stats().returnedAsIsCount();
        long pinnedBefore = PinCounters.global().started(PinReason.PREPARED_STATEMENT);
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        CountDownLatch prepared = new CountDownLatch(SESSIONS);
        CountDownLatch ran = new CountDownLatch(SESSIONS);
        CountDownLatch checked = new CountDownLatch(1);
        try {
            for (int i = 0; i < SESSIONS; i++) {
                sessions.add(opener.open());
            }
            List<CompletableFuture<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                Client c = sessions.get(i);
                int who = i;
                runs.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                c.prepare();
                                prepared.countDown();
                                int right = 0;
                                for (int n = 0; n < ROUNDS; n++) {
                                    int id = 1 + (who * 7 + n * 13) % 100;
                                    assertThat(c.valueOf(id)).as("v of %d", id).isEqualTo(id * 10L);
                                    assertThat(c.countAbove(id * 10))
                                            .as("rows above %d", id)
                                            .isEqualTo(100L - id);
                                    right += 2;
                                }
                                ran.countDown();
                                // keep the statements open until the server's count was read
                                assertThat(checked.await(60, TimeUnit.SECONDS)).isTrue();
                                return right;
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            assertThat(prepared.await(60, TimeUnit.SECONDS))
                    .as("all sessions prepared their statements")
                    .isTrue();
            // once every session ran its rounds (a duplicate left by a client's prepare is closed with the next
            // command on its connection), twenty sessions with two statements each: two texts on each connection
            assertThat(ran.await(120, TimeUnit.SECONDS)).as("all sessions ran").isTrue();
            assertThat(preparedOnServer() - onServerBefore)
                    .as("prepared statements on the server")
                    .isLessThanOrEqualTo(CONNECTIONS * 2);
            checked.countDown();
            for (CompletableFuture<Integer> run : runs) {
                assertThat(run.get(120, TimeUnit.SECONDS)).isEqualTo(ROUNDS * 2);
            }
            assertThat(sluice.stats().returnedAsIsCount() - givenBackBefore)
                    .as("connections given back between statements")
                    .isGreaterThan(SESSIONS);
            assertThat(PinCounters.global().started(PinReason.PREPARED_STATEMENT) - pinnedBefore)
                    .as("sessions pinned by a prepare")
                    .isZero();
        } finally {
            checked.countDown();
            for (Client c : sessions) {
                c.close();
            }
            pool.shutdownNow();
        }
    }

    /**
     * A cursor lives on one server statement: its session keeps the connection until the cursor is read to its end,
     * while the other sessions go on using the other connection.
     */
    @Test
    void aCursorKeepsItsConnectionUntilRead() throws Exception {
        try (Connection a = mysql("useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=10");
                Connection b = sluice.mariadb(MARIADB);
                PreparedStatement ids = a.prepareStatement("SELECT id FROM test.p ORDER BY id");
                PreparedStatement thread = b.prepareStatement("SELECT @@pseudo_thread_id")) {
            List<Integer> read = new ArrayList<>();
            try (ResultSet rs = ids.executeQuery()) {
                for (int i = 0; i < 15; i++) {
                    assertThat(rs.next()).isTrue();
                    read.add(rs.getInt(1));
                }
                long aThread;
                try (Statement s = a.createStatement();
                        ResultSet t = s.executeQuery("SELECT @@pseudo_thread_id")) {
                    t.next();
                    aThread = t.getLong(1);
                }
                assertThat(PinCounters.global().current(PinReason.CURSOR))
                        .as("sessions pinned by a cursor")
                        .isGreaterThanOrEqualTo(1);
                for (int i = 0; i < 10; i++) {
                    try (ResultSet t = thread.executeQuery()) {
                        t.next();
                        assertThat(t.getLong(1)).as("b's connection").isNotEqualTo(aThread);
                    }
                }
                while (rs.next()) {
                    read.add(rs.getInt(1));
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                expected.add(i);
            }
            assertThat(read).isEqualTo(expected);
        }
    }

    /**
     * A prepared statement keeps the meaning its text had when it was prepared (MariaDB parses it then): under
     * PIPES_AS_CONCAT {@code 'a' || 'b'} is 'ab', otherwise 0. Prepared again by Sluice on another connection after the
     * session went back to the default sql_mode, it still reads 'ab'; a session with the default sql_mode preparing
     * the same text gets its own statement, 0.
     */
    @Test
    void aStatementKeepsTheSqlModeItWasPreparedUnder() throws Exception {
        String concat = "SELECT 'a' || 'b'";
        try (Connection a = mysql("useServerPrepStmts=true");
                Connection other = mysql("useServerPrepStmts=true");
                Connection second = mysql("useServerPrepStmts=true");
                Connection plain = mysql("useServerPrepStmts=true")) {
            try (Statement s = a.createStatement()) {
                s.execute("SET SESSION sql_mode = 'PIPES_AS_CONCAT'");
            }
            try (PreparedStatement ps = a.prepareStatement(concat)) {
                assertThat(single(ps)).isEqualTo("ab");
                long preparedOn = thread(a);
                try (Statement s = a.createStatement()) {
                    s.execute("SET SESSION sql_mode = DEFAULT");
                }
                // the connection that has the statement is held by another session's transaction
                // (sessions are spread over event loops, each of which prefers its own connection: try two)
                Connection holder = null;
                for (int i = 0; i < 50 && holder == null; i++) {
                    for (Connection candidate : List.of(other, second)) {
                        try (Statement h = candidate.createStatement()) {
                            h.execute("START TRANSACTION");
                            if (thread(candidate) == preparedOn) {
                                holder = candidate;
                                break;
                            }
                            h.execute("COMMIT");
                        }
                    }
                }
                assertThat(holder)
                        .as("a session holding the statement's connection")
                        .isNotNull();
                assertThat(thread(a)).isNotEqualTo(preparedOn);
                assertThat(single(ps)).as("executed on the other connection").isEqualTo("ab");
                try (PreparedStatement plainConcat = plain.prepareStatement(concat)) {
                    assertThat(single(plainConcat))
                            .as("the same text under the default sql_mode")
                            .isEqualTo("0");
                }
                try (Statement h = holder.createStatement()) {
                    h.execute("COMMIT");
                }
                assertThat(single(ps)).as("again, wherever it runs").isEqualTo("ab");
            }
        }
    }

    private static String single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static long thread(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@pseudo_thread_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Long data (COM_STMT_SEND_LONG_DATA, MySQL Connector/J for a stream parameter) lives on one server statement: the
     * session keeps its connection from the first part to the execution, which inserts what was sent, while other
     * sessions run; then the connection goes back.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void longDataKeepsItsConnectionUntilExecuted() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        long longDataBefore = PinCounters.global().started(PinReason.LONG_DATA);
        try (Connection a = mysql("useServerPrepStmts=true");
                Connection b = mysql("useServerPrepStmts=true");
                Statement s = a.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS test.blobs (id INT PRIMARY KEY, data LONGBLOB)");
            try (PreparedStatement insert = a.prepareStatement("INSERT INTO test.blobs VALUES (?, ?)");
                    PreparedStatement count = b.prepareStatement(COUNT_ABOVE)) {
                for (int id = 1; id <= 5; id++) {
                    insert.setInt(1, id);
                    insert.setBinaryStream(2, new java.io.ByteArrayInputStream(data), data.length);
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                    count.setInt(1, 500);
                    try (ResultSet rs = count.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).isEqualTo(50);
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(data = X'"
                    + java.util.HexFormat.of().formatHex(data) + "') FROM test.blobs")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(5);
                assertThat(rs.getLong(2)).as("rows with the data sent").isEqualTo(5);
            }
        }
        assertThat(PinCounters.global().started(PinReason.LONG_DATA) - longDataBefore)
                .as("sessions pinned by long data")
                .isGreaterThanOrEqualTo(1);
        assertThat(PinCounters.global().current(PinReason.LONG_DATA))
                .as("long-data pins left")
                .isZero();
    }

    /**
     * LAST_INSERT_ID() read by a prepared statement is the id of the session's own insert, as on a direct connection,
     * while other sessions insert on the same two connections.
     */
    @Test
    void lastInsertIdThroughAPreparedStatementIsTheSessions() throws Exception {
        int sessions = 6;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                int who = 1000 + i;
                runs.add(CompletableFuture.runAsync(
                        () -> {
                            try (Connection c = sluice.mariadb(MARIADB);
                                    PreparedStatement insert = c.prepareStatement(
                                            "INSERT INTO test.ai (who) VALUES (?)", Statement.RETURN_GENERATED_KEYS);
                                    PreparedStatement last = c.prepareStatement("SELECT LAST_INSERT_ID()")) {
                                for (int n = 0; n < 10; n++) {
                                    insert.setInt(1, who);
                                    insert.executeUpdate();
                                    long generated;
                                    try (ResultSet keys = insert.getGeneratedKeys()) {
                                        keys.next();
                                        generated = keys.getLong(1);
                                    }
                                    try (ResultSet rs = last.executeQuery()) {
                                        rs.next();
                                        assertThat(rs.getLong(1))
                                                .as("LAST_INSERT_ID() of session %d", who)
                                                .isEqualTo(generated);
                                    }
                                }
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            for (CompletableFuture<Void> run : runs) {
                run.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
