package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pool limits through Sluice (issue 5): max-size 2 with acquire-timeout 500 ms. A third client waits for a
 * returned connection, or gets ERR 1040 after acquire-timeout; a returned connection is reset before the next client
 * gets it. The ERR is the server's own ER_CON_COUNT_ERROR, code, SQLSTATE and text (issue 10). Codec clients
 * only, so every session lands in the same pool (the key includes capabilities). pool.mode session: each client holds
 * its connection from login to disconnect (MultiplexingTest covers the limit in transaction mode).
 */
class PoolLimitsTest {
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE TABLE test.t (x INT)", "CREATE DATABASE other")
            .build();

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(2, ACQUIRE_TIMEOUT, Duration.ofSeconds(2)).withMode(PoolMode.SESSION));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    private static long connectionId(ServerConnection c) {
        // the server thread: through Sluice, CONNECTION_ID() is the session's id
        return ((Number) c.querySync("SELECT @@pseudo_thread_id")
                        .resultSet()
                        .rows()
                        .get(0)
                        .get(0))
                .longValue();
    }

    @Test
    void thirdClientWaitsAndGetsTheConnectionAClientReturns() {
        try (ServerConnection a = sluice.codec();
                ServerConnection b = sluice.codec()) {
            long threadA = connectionId(a);
            connectionId(b);
            long waits = sluice.stats().acquireWaitCount();
            ServerConnection c = sluice.codec(); // Sluice answers the login; the lease is what waits
            try {
                CompletableFuture<QueryResult> first = c.query("SELECT @@pseudo_thread_id");
                await().pollInterval(Duration.ofMillis(2))
                        .atMost(Duration.ofMillis(400))
                        .until(() -> sluice.stats().acquireWaitCount() > waits);
                assertThat(first)
                        .as("the third client must wait while both connections are leased")
                        .isNotDone();
                long returned = System.nanoTime();
                a.close();
                QueryResult r = ServerConnection.await(first, Duration.ofSeconds(5));
                long waitedMillis = (System.nanoTime() - returned) / 1_000_000;
                assertThat(waitedMillis)
                        .as("served after the first client left")
                        .isLessThan(ACQUIRE_TIMEOUT.toMillis());
                long threadC = ((Number) r.resultSet().rows().get(0).get(0)).longValue();
                // same event loop: A's connection itself; another loop: a new one replaces it (REBALANCED)
                System.out.printf(
                        "pool-limits: waiter served %d ms after the return; thread %d (returned %d); %s%n",
                        waitedMillis, threadC, threadA, sluice.stats());
            } finally {
                c.close();
            }
        }
    }

    @Test
    void exhaustedPoolAnswersTheServersErr1040WithinAcquireTimeout() {
        try (ServerConnection a = sluice.codec();
                ServerConnection b = sluice.codec()) {
            connectionId(a);
            connectionId(b);
            long timeouts = sluice.stats().acquireTimeoutCount();
            long begin = System.nanoTime();
            try (ServerConnection c = sluice.codec()) {
                List<Object> charset = b.querySync(
                                "SELECT @@character_set_client, @@collation_connection," + " @@character_set_results")
                        .resultSet()
                        .rows()
                        .get(0);
                assertThat(charset)
                        .as("the pool's character set (the codec client logs in with 45), not A's SET NAMES")
                        .extracting(
                                v -> v == null ? null : new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8))
                        .containsExactly("utf8mb4", "utf8mb4_general_ci", "utf8mb4");
                ServerException e = catchThrowableOfType(ServerException.class, () -> c.querySync("SELECT 1"));
                long elapsed = (System.nanoTime() - begin) / 1_000_000;
                assertThat(e).as("the third client must get an ERR").isNotNull();
                assertThat(e.errorCode()).isEqualTo(1040);
                assertThat(e.sqlState()).isEqualTo("08004");
                // exactly the server's answer (drivers match on it); the pool's numbers go to Sluice's log
                assertThat(e.err().message()).isEqualTo("Too many connections");
                assertThat(elapsed)
                        .as("ERR after the acquire timeout, not much later: %d ms", elapsed)
                        .isBetween(ACQUIRE_TIMEOUT.toMillis() - 50, ACQUIRE_TIMEOUT.toMillis() + 700);
                System.out.printf(
                        "pool-limits: ERR %d after %d ms: %s%n",
                        e.errorCode(), elapsed, e.err().message());
            }
            assertThat(sluice.stats().acquireTimeoutCount()).isEqualTo(timeouts + 1);
            // the two holders are unaffected
            assertThat(a.querySync("SELECT 1").resultSet().rows()).hasSize(1);
            assertThat(b.querySync("SELECT 1").resultSet().rows()).hasSize(1);
        }
    }

    private static String database(ServerConnection c) {
        return new String(
                (byte[]) c.querySync("SELECT DATABASE()")
                        .resultSet()
                        .rows()
                        .get(0)
                        .get(0),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void returnedConnectionIsResetBeforeTheNextClientGetsIt() {
        long resets = sluice.stats().resetCount();
        long threadA;
        try (ServerConnection a = sluice.codec()) {
            threadA = connectionId(a);
            a.querySync("SET @leak = 42");
            a.querySync("CREATE TEMPORARY TABLE leak_tmp (x INT)");
            a.querySync("SET SESSION wait_timeout = 1234");
            a.querySync("SET SESSION sql_mode = 'ANSI_QUOTES'");
            a.querySync("SET NAMES latin1 COLLATE latin1_german1_ci");
            a.querySync("SET character_set_results = NULL");
            a.querySync("SET autocommit = 0");
            a.querySync("INSERT INTO t VALUES (7)");
            a.querySync("SELECT 1; USE other"); // a database change Sluice does not look for
            assertThat(database(a)).isEqualTo("other");
            assertThat(a.querySync("SELECT @@in_transaction")
                            .resultSet()
                            .rows()
                            .get(0)
                            .get(0)
                            .toString())
                    .isEqualTo("1");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sluice.stats().resetCount() > resets);
        // Pools are event-loop affine: the next client gets A's connection only on A's loop, so try a few
        List<Long> seen = new ArrayList<>();
        for (int attempt = 0; attempt < 4; attempt++) {
            try (ServerConnection b = sluice.codec()) {
                long threadB = connectionId(b);
                seen.add(threadB);
                if (threadB != threadA) {
                    continue;
                }
                assertThat(database(b))
                        .as("the database the pool promises, not A's last USE")
                        .isEqualTo("test");
                List<Object> row = b.querySync(
                                "SELECT @leak IS NULL, @@session.wait_timeout = @@global.wait_timeout,"
                                        + " @@sql_mode LIKE '%ANSI_QUOTES%', @@autocommit, @@in_transaction, (SELECT COUNT(*) FROM t)")
                        .resultSet()
                        .rows()
                        .get(0);
                assertThat(row)
                        .as("@leak is null, wait_timeout global, no ANSI_QUOTES, autocommit, no transaction, "
                                + "A's insert rolled back")
                        .extracting(Object::toString)
                        .containsExactly("1", "1", "0", "1", "0", "0");
                List<Object> charset = b.querySync(
                                "SELECT @@character_set_client, @@collation_connection," + " @@character_set_results")
                        .resultSet()
                        .rows()
                        .get(0);
                assertThat(charset)
                        .as("the pool's character set (the codec client logs in with 45), not A's SET NAMES")
                        .extracting(
                                v -> v == null ? null : new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8))
                        .containsExactly("utf8mb4", "utf8mb4_general_ci", "utf8mb4");
                ServerException e =
                        catchThrowableOfType(ServerException.class, () -> b.querySync("SELECT * FROM leak_tmp"));
                assertThat(e).as("A's temporary table must be gone").isNotNull();
                assertThat(e.errorCode()).isEqualTo(1146);
                System.out.printf(
                        "pool-limits: thread %d reused after reset on attempt %d; %s%n",
                        threadA, attempt + 1, sluice.stats());
                return;
            }
        }
        throw new AssertionError("no client got A's server connection (thread " + threadA + ") back; saw " + seen);
    }
}
