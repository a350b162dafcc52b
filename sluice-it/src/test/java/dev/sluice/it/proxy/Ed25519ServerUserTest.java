package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sluice logging in to MariaDB as ed25519 accounts (issue 14 item 5): the server, without TLS, switches Sluice to
 * client_ed25519 and Sluice signs the scramble. Clients log in to Sluice as usual (mysql_native_password); both
 * Java drivers and the {@code mariadb} CLI then run statements on connections Sluice opened as the ed25519 account,
 * in pool mode transaction and session; KILL QUERY (a connection of its own, as the same account) stops a running
 * statement; COM_CHANGE_USER moves to another ed25519 account; a wrong server password is the server's ERR 1045,
 * relayed with Sluice's note as for a mysql_native_password account.
 */
class Ed25519ServerUserTest {
    private static final String ED_USER = "edu";
    private static final String ED_PASSWORD = "ëd-pässwörd, longer than 32 bytes: 0123456789";
    private static final String OTHER_ED_USER = "edv";
    private static final String OTHER_ED_PASSWORD = "x";
    /** Sluice's user for the other ed25519 account, to change to. */
    private static final String OTHER = "other";

    private static final String OTHER_PASSWORD = "other-secret";
    /**
     * A Sluice user mapped to an ed25519 account of its own with a wrong server password (an account of its own:
     * pools are keyed by server user, not password).
     */
    private static final String MISMAPPED = "mismapped";

    private static final String MISMAPPED_ED_USER = "edw";

    private static final Duration STOPPED_WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ED_USER, ED_PASSWORD, "ed25519")
            .user(OTHER_ED_USER, OTHER_ED_PASSWORD, "ed25519")
            .user(MISMAPPED_ED_USER, ED_PASSWORD, "ed25519")
            .initSql("CREATE DATABASE test", "CREATE TABLE test.t (id INT PRIMARY KEY, v VARCHAR(20))")
            .build();

    private static ProxyFixture transaction;
    private static ProxyFixture session;
    private static ExecutorService executor;

    @BeforeAll
    static void start() {
        ProxyConfig base = ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false);
        List<UserConfig> users = new ArrayList<>();
        users.add(new UserConfig(ProxyFixture.USER, ProxyFixture.PASSWORD, null, ED_USER, ED_PASSWORD));
        users.add(new UserConfig(OTHER, OTHER_PASSWORD, null, OTHER_ED_USER, OTHER_ED_PASSWORD));
        users.add(new UserConfig(MISMAPPED, ProxyFixture.PASSWORD, null, MISMAPPED_ED_USER, ED_PASSWORD + "!"));
        users.add(UserConfig.of("root", db.sandbox().rootPassword()));
        ProxyConfig config = new ProxyConfig(
                base.listeners(),
                base.servers(),
                users,
                base.clientTls(),
                base.timeouts(),
                base.limits(),
                base.localInfile());
        transaction = new ProxyFixture(db.sandbox(), ProxyFixture.withMode(config, PoolMode.TRANSACTION));
        session = new ProxyFixture(db.sandbox(), ProxyFixture.withMode(config, PoolMode.SESSION));
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
        transaction.close();
        session.close();
    }

    private static ProxyFixture fixture(String mode) {
        return mode.equals("transaction") ? transaction : session;
    }

    private static String scalar(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    /** The key Sluice derives from the configured password is the one the server stored for the account. */
    @Test
    void theServersStoredKeyIsTheOneSluiceDerivesFromThePassword() {
        for (String[] account : new String[][] {{ED_USER, ED_PASSWORD}, {OTHER_ED_USER, OTHER_ED_PASSWORD}}) {
            String stored = db.sandbox()
                    .execute("SELECT plugin, authentication_string FROM mysql.user WHERE user = '" + account[0] + "'")
                    .strip();
            byte[] derived = Ed25519Password.publicKey(account[1].getBytes(StandardCharsets.UTF_8));
            assertThat(stored).isEqualTo("ed25519\t" + Ed25519Password.formatStoredKey(derived));
        }
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J, transaction", "MARIADB, transaction", "CONNECTOR_J, session", "MARIADB, session"})
    void bothDriversRunStatementsAsTheEd25519Account(Driver driver, String mode) throws Exception {
        int id = (driver.ordinal() + 1) * 10 + (mode.equals("session") ? 1 : 0);
        try (Connection c = driver.viaSluice(fixture(mode), "");
                Statement s = c.createStatement()) {
            assertThat(scalar(s, "SELECT CURRENT_USER()")).isEqualTo(ED_USER + "@%");
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO t VALUES (" + id + ", '" + mode + "')");
            assertThat(scalar(s, "SELECT v FROM t WHERE id = " + id)).isEqualTo(mode);
            c.rollback();
            c.setAutoCommit(true);
            assertThat(scalar(s, "SELECT COUNT(*) FROM t WHERE id = " + id)).isEqualTo("0");
            s.executeUpdate("INSERT INTO t VALUES (" + id + ", 'kept')");
            assertThat(scalar(s, "SELECT v FROM t WHERE id = " + id)).isEqualTo("kept");
            s.executeUpdate("DELETE FROM t WHERE id = " + id);
        }
    }

    @ParameterizedTest
    @CsvSource({"transaction", "session"})
    void theMariadbCliRunsStatementsAsTheEd25519Account(String mode) {
        ProgramRun run = ProgramRun.run(
                List.of(
                        "mariadb",
                        "--no-defaults",
                        "-h127.0.0.1",
                        "-P" + fixture(mode).port(),
                        "-u" + ProxyFixture.USER,
                        "-p" + ProxyFixture.PASSWORD,
                        "--batch",
                        "-N",
                        "-e",
                        "SELECT CURRENT_USER(); SELECT COUNT(*) FROM t",
                        "test"),
                Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).isEqualTo(ED_USER + "@%\n0\n");
    }

    /** Both drivers cancel with KILL QUERY over a new connection: a session of its own, as the ed25519 account. */
    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void statementCancelStopsTheStatement(Driver driver) throws Exception {
        try (Connection a = driver.viaSluice(transaction, "");
                Statement sa = a.createStatement()) {
            String marker = "ed_cancel_" + driver.name().toLowerCase();
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(
                    () -> {
                        long start = System.nanoTime();
                        try (ResultSet rs = sa.executeQuery("SELECT SLEEP(30) AS " + marker)) {
                            rs.next();
                        } catch (SQLException e) {
                            // ER_QUERY_INTERRUPTED, or Connector/J's own cancel exception: the time tells
                        }
                        return (System.nanoTime() - start) / 1_000_000;
                    },
                    executor);
            awaitRunning(marker);
            sa.cancel();

            assertThat(running.get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS))
                    .isLessThan(STOPPED_WITHIN.toMillis());
            assertThat(scalar(sa, "SELECT 'still here'")).isEqualTo("still here");
        }
    }

    /**
     * A client gone mid-statement: Sluice stops the statement with KILL QUERY on a connection of its own
     * ({@code QueryKiller}), which logs in as the ed25519 account too.
     */
    @ParameterizedTest
    @CsvSource({"transaction", "session"})
    void aClientGoneMidStatementHasItsStatementKilled(String mode) throws Exception {
        ProxyFixture fixture = fixture(mode);
        long killsBefore = fixture.proxy.poolStats(ProxyFixture.SERVER).killCount();
        String marker = "ed_gone_" + mode;
        try (RawClient client = RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            byte[] sql = ("SELECT SLEEP(30) AS " + marker).getBytes(StandardCharsets.UTF_8);
            byte[] query = new byte[sql.length + 1];
            query[0] = 0x03; // COM_QUERY
            System.arraycopy(sql, 0, query, 1, sql.length);
            client.writePacket(0, query);
            awaitRunning(marker);
        } // the socket closes mid-statement

        await().atMost(STOPPED_WITHIN).pollInterval(Duration.ofMillis(50)).until(() -> running(marker) == 0);
        assertThat(fixture.proxy.poolStats(ProxyFixture.SERVER).killCount())
                .as("KILL QUERY connections Sluice opened")
                .isGreaterThan(killsBefore);
    }

    private static void awaitRunning(String marker) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> running(marker) == 1);
    }

    /** How many statements tagged {@code marker} the ed25519 account runs on the server now. */
    private static int running(String marker) throws SQLException {
        try (Connection root = Driver.MARIADB.connect(
                        db.sandbox().port(),
                        "",
                        db.sandbox().rootUser(),
                        db.sandbox().rootPassword());
                Statement s = root.createStatement()) {
            return Integer.parseInt(scalar(
                    s,
                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + ED_USER
                            + "' AND INFO LIKE '%SLEEP(30) AS " + marker + "%' AND COMMAND <> 'Killed'"));
        }
    }

    @ParameterizedTest
    @CsvSource({"transaction", "session"})
    void changeUserMovesToAnotherEd25519Account(String mode) throws Exception {
        try (Connection c = Driver.CONNECTOR_J.viaSluice(fixture(mode), "");
                Statement s = c.createStatement()) {
            assertThat(scalar(s, "SELECT CURRENT_USER()")).isEqualTo(ED_USER + "@%");
            c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser(OTHER, OTHER_PASSWORD);
            try (Statement after = c.createStatement()) {
                assertThat(scalar(after, "SELECT CURRENT_USER()")).isEqualTo(OTHER_ED_USER + "@%");
            }
        }
    }

    /**
     * The server's ERR 1045 for Sluice's login reaches the client with Sluice's note. In session mode MariaDB
     * Connector/J meets it in the statements it sends after the login and wraps it ("Initialization command fail"):
     * the server's error is then its cause.
     */
    @ParameterizedTest
    @CsvSource({"CONNECTOR_J, transaction", "MARIADB, transaction", "CONNECTOR_J, session", "MARIADB, session"})
    void aWrongServerPasswordIsTheServersAccessDenied(Driver driver, String mode) {
        Throwable failure = catchThrowable(() -> {
            try (Connection c = driver.connect(fixture(mode).port(), "", MISMAPPED, ProxyFixture.PASSWORD);
                    Statement s = c.createStatement()) {
                s.executeQuery("SELECT 1").close();
            }
        });

        SQLException denied = null;
        for (Throwable t = failure; t != null && denied == null; t = t.getCause()) {
            if (t instanceof SQLException e && e.getErrorCode() == 1045) {
                denied = e;
            }
        }
        assertThat((Object) denied)
                .as("an SQLException with code 1045 in %s", failure)
                .isNotNull();
        assertThat(denied.getSQLState()).isEqualTo("28000");
        assertThat(denied.getMessage())
                .contains("Access denied for user '" + MISMAPPED_ED_USER + "'@'127.0.0.1' (using password: YES)")
                .contains("(sluice: server " + ProxyFixture.SERVER + ")");
    }
}
