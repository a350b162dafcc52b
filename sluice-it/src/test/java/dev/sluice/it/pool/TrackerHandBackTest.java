package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.SessionStateChange;
import dev.sluice.proxy.session.PinCounters;
import dev.sluice.proxy.session.PinReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pool.mode transaction with clients that set their own session trackers (MariaDB Connector/J 3.x does at connect):
 * the statement runs under the client's trackers, Sluice reads back what it changed and puts its own trackers back,
 * and the session does not pin (no {@code tracker-settings}). Its sessions share the pool's two connections, and
 * what they see is what they see connected directly: the catalog, autocommit and isolation the driver keeps from the
 * OK trackers, their own {@code @@session_track_*} values, the OK tracker entries (in the server's order for the
 * client's own list) after their session moved to another connection.
 */
class TrackerHandBackTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE DATABASE other",
                    "CREATE TABLE test.t (id INT AUTO_INCREMENT PRIMARY KEY, who INT)",
                    "CREATE TABLE other.o (y INT)",
                    "INSERT INTO other.o VALUES (42)")
            .build();

    private static final int CONNECTIONS = 2;
    private static final int SESSIONS = 16;

    static PoolProxy sluice;
    static EventLoopGroup group;
    static ServerConnector direct;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(CONNECTIONS, Duration.ofSeconds(10), Duration.ofSeconds(2)));
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        direct = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stop() {
        sluice.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static Connection mariadbDirect(String params) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://" + db.sandbox().host() + ":" + db.sandbox().port() + "/test"
                        + (params.isEmpty() ? "" : "?" + params),
                PoolProxy.USER,
                PoolProxy.PASSWORD);
    }

    private static ServerConnection codecDirect() {
        return ServerConnection.await(direct.connect(
                ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                        .user(PoolProxy.USER, PoolProxy.PASSWORD)
                        .database("test")
                        .connectTimeout(Duration.ofSeconds(30))
                        .build()));
    }

    private static long rootConnectionsOnServer() throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        "jdbc:mariadb://" + db.sandbox().host() + ":"
                                + db.sandbox().port() + "/",
                        "root",
                        db.sandbox().rootPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'root'"
                        + " AND ID <> CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long serverThread(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@pseudo_thread_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void mariadbConnectorSessionsShareTwoConnectionsWithoutPins() throws Exception {
        long trackerPinsBefore = PinCounters.global().started(PinReason.TRACKER_SETTINGS);
        long createdBefore = sluice.stats().createdCount();
        long rebalancedBefore = sluice.stats().discardedCount(PoolStats.DiscardReason.REBALANCED);
        long givenBackBefore = sluice.stats().returnedAsIsCount();
        List<Connection> sessions = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try {
            for (int i = 0; i < SESSIONS; i++) {
                // as root: the only sessions of that pool, so the server's count of root connections is the pool's
                sessions.add(DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:" + sluice.port() + "/test",
                        "root",
                        db.sandbox().rootPassword()));
            }
            List<CompletableFuture<Set<Long>>> runs = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                Connection c = sessions.get(i);
                int who = i;
                runs.add(CompletableFuture.supplyAsync(
                        () -> {
                            try (Statement s = c.createStatement()) {
                                Set<Long> threads = new LinkedHashSet<>();
                                for (int n = 0; n < 10; n++) {
                                    s.executeUpdate("INSERT INTO test.t (who) VALUES (" + who + ")");
                                    threads.add(serverThread(c));
                                    c.setCatalog(n % 2 == 0 ? "other" : "test");
                                    assertThat(c.getCatalog()).isEqualTo(n % 2 == 0 ? "other" : "test");
                                }
                                return threads;
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            Set<Long> used = new LinkedHashSet<>();
            for (CompletableFuture<Set<Long>> run : runs) {
                used.addAll(run.get(120, TimeUnit.SECONDS));
            }
            long rebalanced = sluice.stats().discardedCount(PoolStats.DiscardReason.REBALANCED) - rebalancedBefore;
            assertThat(rootConnectionsOnServer())
                    .as("server connections behind %d open sessions", SESSIONS)
                    .isLessThanOrEqualTo(CONNECTIONS);
            assertThat(sluice.stats().createdCount() - createdBefore)
                    .as("connections opened for the sessions")
                    .isLessThanOrEqualTo(CONNECTIONS + rebalanced);
            assertThat(used).as("server threads behind the sessions").hasSizeLessThanOrEqualTo((int)
                    (CONNECTIONS + rebalanced));
            assertThat(rebalanced).as("rebalanced").isLessThan(SESSIONS);
            assertThat(PinCounters.global().started(PinReason.TRACKER_SETTINGS) - trackerPinsBefore)
                    .as("sessions pinned by their tracker settings")
                    .isZero();
            assertThat(sluice.stats().returnedAsIsCount() - givenBackBefore)
                    .as("connections given back between statements")
                    .isGreaterThan(SESSIONS * 10L);
            try (Statement s = sessions.get(0).createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM test.t")) {
                rs.next();
                assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(SESSIONS * 10L);
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
            pool.shutdownNow();
        }
    }

    /**
     * A session that, every other call, holds one of the two connections in a transaction: the session under test then
     * runs on the other one (taken one after the other, a single connection would serve everything).
     */
    private static final class Holder implements AutoCloseable {
        /** A statement of the holding session; it must be in the pool of the session under test. */
        private final java.util.function.Consumer<String> run;

        private final AutoCloseable session;
        private boolean holding;

        Holder(java.util.function.Consumer<String> run, AutoCloseable session) {
            this.run = run;
            this.session = session;
        }

        static Holder codec() {
            ServerConnection c = sluice.codec();
            return new Holder(c::querySync, c);
        }

        static Holder mariadb(String params) throws SQLException {
            Connection c = sluice.mariadb(params);
            return new Holder(
                    sql -> {
                        try (Statement s = c.createStatement()) {
                            s.execute(sql);
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    c);
        }

        void toggle() {
            if (holding) {
                run.accept("COMMIT");
            } else {
                run.accept("START TRANSACTION");
                run.accept("SELECT COUNT(*) FROM test.t");
            }
            holding = !holding;
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** What MariaDB Connector/J reports of its session, step by step; {@code between} runs after each step. */
    private static List<String> driverView(Connection c, Runnable between) throws SQLException {
        List<String> seen = new ArrayList<>();
        String observe = "SELECT DATABASE(), @@autocommit, @@tx_isolation, @@session_track_system_variables,"
                + " @@session_track_schema, @@session_track_state_change, @@sql_mode, @@collation_connection,"
                + " @@time_zone, @@wait_timeout";
        try (Statement s = c.createStatement()) {
            seen.add("catalog " + c.getCatalog() + ", autocommit " + c.getAutoCommit() + ", isolation "
                    + c.getTransactionIsolation());
            between.run();
            c.setCatalog("other");
            between.run();
            seen.add("after setCatalog: " + c.getCatalog());
            s.execute("USE test");
            between.run();
            seen.add("after USE: " + c.getCatalog());
            c.setAutoCommit(false);
            between.run();
            s.executeUpdate("INSERT INTO test.t (who) VALUES (-1)");
            c.commit();
            between.run();
            seen.add("autocommit " + c.getAutoCommit());
            c.setAutoCommit(true);
            between.run();
            seen.add("autocommit " + c.getAutoCommit());
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            between.run();
            seen.add("isolation " + c.getTransactionIsolation());
            s.execute("SET time_zone = '+02:00', sql_mode = 'ANSI_QUOTES'");
            between.run();
            try (ResultSet rs = s.executeQuery(observe)) {
                rs.next();
                StringBuilder row = new StringBuilder("row");
                for (int i = 1; i <= 10; i++) {
                    row.append(' ').append(rs.getString(i));
                }
                seen.add(row.toString());
            }
            between.run();
            seen.add("catalog " + c.getCatalog() + ", autocommit " + c.getAutoCommit() + ", isolation "
                    + c.getTransactionIsolation());
        }
        return seen;
    }

    /**
     * With the driver's defaults, and with session variables and a collation of its own (both set in its connect
     * statement; neither sql_mode nor collation_connection is in its tracker list: Sluice reads them back).
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "sessionVariables=sql_mode=ANSI,wait_timeout=500&connectionCollation=utf8mb4_bin"})
    void mariadbConnectorSeesWhatItSeesDirectly(String params) throws Exception {
        long trackerPinsBefore = PinCounters.global().started(PinReason.TRACKER_SETTINGS);
        List<String> expected;
        try (Connection c = mariadbDirect(params)) {
            expected = driverView(c, () -> {});
        }
        try (Connection c = sluice.mariadb(params);
                Connection noise = sluice.mariadb(params);
                Holder holder = Holder.mariadb(params)) {
            Set<Long> threads = new LinkedHashSet<>();
            List<String> actual = driverView(c, () -> {
                try (Statement s = noise.createStatement()) {
                    holder.toggle();
                    // another session of the pool, with other state, uses the connections in between
                    noise.setCatalog("other");
                    s.execute("SET time_zone = '-05:00', sql_mode = ''");
                    noise.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                    threads.add(serverThread(c));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(actual).isEqualTo(expected);
            assertThat(threads).as("server connections the session ran on").hasSizeGreaterThan(1);
        }
        assertThat(PinCounters.global().started(PinReason.TRACKER_SETTINGS) - trackerPinsBefore)
                .as("sessions pinned by their tracker settings")
                .isZero();
    }

    /** A codec client's OKs as far as trackers go: status flags, then each entry's type and bytes, in order. */
    private static String trackers(OkPacket ok) {
        StringBuilder s =
                new StringBuilder("changed=" + ServerStatus.has(ok.statusFlags(), ServerStatus.SESSION_STATE_CHANGED));
        for (SessionStateChange change : ok.sessionStateChanges()) {
            s.append(' ')
                    .append(change.type())
                    .append(':')
                    .append(HexFormat.of().formatHex(change.data()));
        }
        return s.toString();
    }

    private static final List<String> RAW_SCRIPT = List.of(
            "SET session_track_system_variables = 'time_zone,sql_mode,autocommit,wait_timeout', session_track_state_change = ON",
            "SET time_zone = '+02:00', sql_mode = 'ANSI_QUOTES', autocommit = 0, wait_timeout = 300",
            "SET autocommit = 1, time_zone = '+03:00', character_set_client = latin1",
            "SELECT @@session_track_system_variables, @@session_track_schema, @@session_track_state_change",
            "USE other",
            "SET wait_timeout = 200, sql_mode = DEFAULT, time_zone = DEFAULT",
            "SET session_track_schema = OFF",
            // under the client's list as Sluice puts it back (the server's spelling of it), several variables at once
            "SET session_track_state_change = ON, time_zone = '+05:00', sql_mode = 'ANSI', autocommit = 1,"
                    + " wait_timeout = 250",
            "USE test",
            "SET @@session.sql_mode = 'TRADITIONAL', autocommit = 0, time_zone = '+04:00'",
            "SELECT @@session_track_system_variables, @@session_track_schema, @@sql_mode, @@time_zone,"
                    + " @@wait_timeout, @@character_set_client, DATABASE()");

    /** Each statement's OK trackers (or its first row), as the codec client sees them. */
    private static List<String> runRaw(ServerConnection c, Runnable between) {
        List<String> seen = new ArrayList<>();
        for (String sql : RAW_SCRIPT) {
            var result = c.querySync(sql);
            if (result.resultSets().isEmpty()) {
                seen.add(sql + " -> " + trackers(result.ok()));
            } else {
                List<Object> row = text(result.resultSet().rows().get(0));
                seen.add(sql + " -> " + row
                        + (result.oks().isEmpty()
                                ? ""
                                : " " + trackers(result.oks().get(result.oks().size() - 1))));
            }
            between.run();
        }
        return seen;
    }

    @Test
    void aClientsOwnTrackerListGivesTheOkBytesItGetsDirectly() throws Exception {
        long trackerPinsBefore = PinCounters.global().started(PinReason.TRACKER_SETTINGS);
        List<String> expected;
        try (ServerConnection c = codecDirect()) {
            expected = runRaw(c, () -> {});
        }
        try (ServerConnection c = sluice.codec();
                ServerConnection noise = sluice.codec();
                Holder holder = Holder.codec()) {
            Set<Object> threads = new LinkedHashSet<>();
            List<String> actual = runRaw(c, () -> {
                holder.toggle();
                noise.querySync("SET time_zone = '-05:00', sql_mode = '', wait_timeout = 1000");
                threads.add(c.querySync("SELECT @@pseudo_thread_id")
                        .resultSet()
                        .rows()
                        .get(0)
                        .get(0));
            });
            assertThat(actual).isEqualTo(expected);
            assertThat(threads).as("server connections the session ran on").hasSizeGreaterThan(1);
        }
        assertThat(PinCounters.global().started(PinReason.TRACKER_SETTINGS) - trackerPinsBefore)
                .as("sessions pinned by their tracker settings")
                .isZero();
    }

    /**
     * A statement on the trackers that a read-back cannot cover ({@code SET STATEMENT ... FOR}: its settings hold for
     * the one statement) still answers what the server would directly, and pins as before (tracker-settings).
     */
    @Test
    void aStatementSluiceCannotHandBackPinsAndAnswersAsDirectly() throws Exception {
        String sql = "SET STATEMENT max_statement_time = 10 FOR SELECT @@session_track_system_variables,"
                + " @@session_track_schema";
        List<Object> expected;
        try (ServerConnection c = codecDirect()) {
            expected = text(c.querySync(sql).resultSet().rows().get(0));
        }
        long trackerPinsBefore = PinCounters.global().started(PinReason.TRACKER_SETTINGS);
        try (ServerConnection c = sluice.codec()) {
            assertThat(text(c.querySync(sql).resultSet().rows().get(0))).isEqualTo(expected);
            assertThat(PinCounters.global().started(PinReason.TRACKER_SETTINGS) - trackerPinsBefore)
                    .as("the session pinned")
                    .isEqualTo(1);
        }
    }

    private static List<Object> text(List<Object> row) {
        return row.stream()
                .map(v -> v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v)
                .toList();
    }

    /**
     * The order probe sets each variable of the tracker list to itself; setting character_set_connection resets the
     * collation to the set's default. It runs when each connection is set up (the global list, with
     * character_set_connection) and after a client set its list: a login collation other than the default
     * (utf8mb4_bin, id 46) must survive both.
     */
    @Test
    void aCollationOtherThanTheDefaultSurvivesTheOrderProbe() {
        String read = "SELECT @@collation_connection";
        Object expected;
        try (ServerConnection c = ServerConnection.await(direct.connect(
                ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                        .user(PoolProxy.USER, PoolProxy.PASSWORD)
                        .database("test")
                        .collationId(46)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build()))) {
            expected = text(c.querySync(read).resultSet().rows().get(0));
        }
        try (ServerConnection c =
                sluice.codec(sluice.appOptions().collationId(46).build())) {
            assertThat(text(c.querySync(read).resultSet().rows().get(0)))
                    .as("after the set-up's probe")
                    .isEqualTo(expected)
                    .isEqualTo(List.of("utf8mb4_bin"));
            c.querySync("SET session_track_system_variables = 'character_set_connection,autocommit'");
            assertThat(text(c.querySync(read).resultSet().rows().get(0)))
                    .as("after the probe of the client's list")
                    .isEqualTo(expected);
        }
    }
}
