package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.session.ProxyErrors;
import dev.sluice.proxy.session.SessionDrain;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The graceful drain (issue 13 item 6) through real drivers against a real server: a transaction in flight finishes
 * and commits while readiness is false, liveness true and new clients are refused; a statement still running at
 * shutdown-timeout is stopped on the server and its client gets ERR 1053; an idle session is closed at once.
 */
class DrainTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static final AtomicInteger IDS = new AtomicInteger();

    private ProxyFixture fixture;

    @BeforeAll
    static void table() {
        db.sandbox().execute("CREATE TABLE test.drained (id INT PRIMARY KEY) ENGINE=InnoDB");
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private ProxyFixture start(PoolMode mode) {
        ProxyConfig config = ProxyFixture.withMode(ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), mode)
                .withHttp(HttpConfig.of("127.0.0.1", 0));
        fixture = new ProxyFixture(db.sandbox(), config);
        return fixture;
    }

    @ParameterizedTest
    @EnumSource(
            value = PoolMode.class,
            names = {"SESSION", "TRANSACTION"})
    void transactionInFlightCommitsThenTheSessionCloses(PoolMode mode) throws Exception {
        ProxyFixture f = start(mode);
        int id = IDS.incrementAndGet();
        try (Connection c = f.mariadb("");
                Connection idle = f.mysql("")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO drained VALUES (" + id + ")");
            }
            CompletableFuture<SessionDrain.Result> drain =
                    CompletableFuture.supplyAsync(() -> f.proxy.drain(Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(10)).until(() -> !f.proxy.accepting());
            assertThat(f.httpStatus("/health/ready")).isEqualTo(503);
            assertThat(f.httpStatus("/health/live")).isEqualTo(200);
            assertThatThrownBy(() -> f.mariadb("connectTimeout=3000"))
                    .as("a new client during the drain")
                    .isInstanceOf(SQLException.class);
            await().atMost(Duration.ofSeconds(20))
                    .alias("the idle session is closed at once (well before shutdown-timeout)")
                    .until(() -> f.proxy.sessionCount() == 1);
            assertThat(drain).as("the drain waits for the transaction").isNotDone();

            c.commit();

            SessionDrain.Result result = drain.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(result.idle()).as(result.toString()).isEqualTo(1);
            assertThat(result.finished()).as(result.toString()).isEqualTo(1);
            assertThat(result.cut()).as(result.toString()).isZero();
            assertThat(f.proxy.sessionCount()).isZero();
            assertThat(f.httpStatus("/health/live")).as("live until the end").isEqualTo(200);
            assertThat(db.sandbox()
                            .execute("SELECT COUNT(*) FROM test.drained WHERE id = " + id)
                            .strip())
                    .isEqualTo("1");
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT 1"))
                    .as("the session closed after its transaction")
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void aStatementSentAfterTheTransactionEndedGetsErr1053() throws Exception {
        ProxyFixture f = start(PoolMode.SESSION);
        int id = IDS.incrementAndGet();
        try (RawClient raw = RawClient.login(f.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            raw.query("BEGIN");
            raw.query("INSERT INTO drained VALUES (" + id + ")");
            CompletableFuture<SessionDrain.Result> drain =
                    CompletableFuture.supplyAsync(() -> f.proxy.drain(Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(10)).until(() -> !f.proxy.accepting());

            // pipelined in one write: the SELECT is queued while the COMMIT runs
            raw.writeRaw(concat(frame("COMMIT"), frame("SELECT 1")));

            assertThat(raw.read().first()).as("COMMIT's OK").isZero();
            RawClient.RawPacket refused = raw.read();
            assertThat(refused.isErr()).isTrue();
            assertThat(refused.sequenceId()).isEqualTo(1);
            assertThat(refused.err().errorCode()).isEqualTo(ProxyErrors.SHUTDOWN);
            assertThat(refused.err().message())
                    .startsWith("Server shutdown in progress")
                    .contains("not sent to a server");
            assertThat(raw.closedByPeer()).isTrue();
            SessionDrain.Result result = drain.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(result.finished()).as(result.toString()).isEqualTo(1);
            assertThat(db.sandbox()
                            .execute("SELECT COUNT(*) FROM test.drained WHERE id = " + id)
                            .strip())
                    .isEqualTo("1");
        }
    }

    private static byte[] frame(String sql) {
        byte[] text = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] framed = new byte[text.length + 5];
        framed[0] = (byte) (text.length + 1);
        framed[1] = (byte) ((text.length + 1) >>> 8);
        framed[4] = 0x03;
        System.arraycopy(text, 0, framed, 5, text.length);
        return framed;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @ParameterizedTest
    @EnumSource(
            value = PoolMode.class,
            names = {"SESSION", "TRANSACTION"})
    void statementRunningAtTheTimeoutIsStoppedAndItsClientHearsWhy(PoolMode mode) throws Exception {
        ProxyFixture f = start(mode);
        int id = IDS.incrementAndGet();
        try (Connection c = f.mariadb("")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO drained VALUES (" + id + ")");
            }
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> {
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT SLEEP(30)");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> sleepsOnServer() == 1);
            long start = System.nanoTime();
            SessionDrain.Result result = f.proxy.drain(Duration.ofSeconds(1));
            SQLException e = sleeping.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("well before SLEEP(30) ends")
                    .isLessThan(Duration.ofSeconds(20));
            assertThat((Object) e).as("the client of the statement cut").isNotNull();
            assertThat(e.getErrorCode()).as(e.toString()).isEqualTo(ProxyErrors.SHUTDOWN);
            assertThat(e.getSQLState()).isEqualTo("08S01");
            assertThat(e.getMessage())
                    .contains("Server shutdown in progress")
                    .contains("shutdown-timeout (1000 ms)")
                    .contains("may not have completed")
                    .contains("not committed");
            assertThat(result.cut()).as(result.toString()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10))
                    .alias("the statement was stopped on the server")
                    .until(() -> sleepsOnServer() == 0);
            assertThat(db.sandbox()
                            .execute("SELECT COUNT(*) FROM test.drained WHERE id = " + id)
                            .strip())
                    .isEqualTo("0");
            // the row lock is gone with the transaction: the same key can be written at once
            try (Connection direct = f.direct("mariadb", "");
                    Statement s = direct.createStatement()) {
                s.execute("SET SESSION innodb_lock_wait_timeout = 5");
                s.executeUpdate("INSERT INTO drained VALUES (" + id + ")");
            }
        }
    }

    @Test
    void idleSessionIsClosedAtOnce() throws Exception {
        ProxyFixture f = start(PoolMode.SESSION);
        try (Connection c = f.mariadb("");
                RawClient raw = RawClient.login(f.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT 1")) {
                assertThat(r.next()).isTrue();
            }
            assertThat(raw.query("SELECT 1")).containsExactly(java.util.List.of("1"));
            long start = System.nanoTime();
            SessionDrain.Result result = f.proxy.drain(Duration.ofSeconds(30));
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("well before shutdown-timeout")
                    .isLessThan(Duration.ofSeconds(15));
            assertThat(result.idle()).as(result.toString()).isEqualTo(2);
            assertThat(result.sessions()).isEqualTo(2);
            assertThat(raw.closedByPeer())
                    .as("closed with nothing sent, as MariaDB closes idle connections when it stops")
                    .isTrue();
            assertThat(f.proxy.sessionCount()).isZero();
            SQLException next = null;
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT 1");
            } catch (SQLException e) {
                next = e;
            }
            assertThat((Object) next)
                    .as("the next statement on the closed session")
                    .isNotNull();
        }
    }

    private static int sleepsOnServer() {
        return Integer.parseInt(db.sandbox()
                .execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(30)'")
                .strip());
    }
}
