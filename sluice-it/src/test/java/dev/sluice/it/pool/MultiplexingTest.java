package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pool.mode transaction (issue 11): many client sessions share a pool of two server connections. A session holds a
 * connection only while it needs one: during a transaction it keeps the same one; a session whose state lives on its
 * connection stays there; between statements its connection serves other sessions. Codec clients, so every
 * session lands in the same pool.
 */
class MultiplexingTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE TABLE test.t (id INT AUTO_INCREMENT PRIMARY KEY, who INT)")
            .build();

    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(3);

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(2, ACQUIRE_TIMEOUT, Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    private static long serverThread(ServerConnection c) {
        // through Sluice CONNECTION_ID() is the session's id; @@pseudo_thread_id is the server connection's
        return ((Number) c.querySync("SELECT @@pseudo_thread_id")
                        .resultSet()
                        .rows()
                        .get(0)
                        .get(0))
                .longValue();
    }

    private static Object value(ServerConnection c, String sql) {
        return c.querySync(sql).resultSet().rows().get(0).get(0);
    }

    @Test
    void thirtyClientsShareTwoServerConnections() throws Exception {
        long createdBefore = sluice.stats().createdCount();
        long rebalancedBefore = sluice.stats().discardedCount(PoolStats.DiscardReason.REBALANCED);
        int clients = 30;
        int statements = 20;
        List<ServerConnection> sessions = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                sessions.add(sluice.codec());
            }
            List<CompletableFuture<Set<Long>>> runs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                ServerConnection c = sessions.get(i);
                int who = i;
                runs.add(CompletableFuture.supplyAsync(
                        () -> {
                            Set<Long> threads = new HashSet<>();
                            for (int n = 0; n < statements; n++) {
                                c.querySync("INSERT INTO test.t (who) VALUES (" + who + ")");
                                threads.add(serverThread(c));
                            }
                            return threads;
                        },
                        pool));
            }
            Set<Long> used = new HashSet<>();
            for (CompletableFuture<Set<Long>> run : runs) {
                used.addAll(run.get());
            }
            // two at a time; a connection idling on one event loop while clients of the other wait is replaced by
            // one on theirs (counted as rebalanced), so over the run at most that many more were opened
            long rebalanced = sluice.stats().discardedCount(PoolStats.DiscardReason.REBALANCED) - rebalancedBefore;
            assertThat(sluice.stats().createdCount() - createdBefore)
                    .as("connections opened for 30 sessions")
                    .isLessThanOrEqualTo(2 + rebalanced);
            assertThat(used).as("server connections behind 30 sessions").hasSizeLessThanOrEqualTo((int)
                    (2 + rebalanced));
            assertThat(rebalanced).as("rebalanced").isLessThan(clients);
            for (int i = 0; i < clients; i++) {
                assertThat(((Number) value(sessions.get(0), "SELECT COUNT(*) FROM test.t WHERE who = " + i))
                                .longValue())
                        .as("rows of client %d", i)
                        .isEqualTo(statements);
            }
            assertThat(sluice.stats().returnedAsIsCount()).isGreaterThan(0);
        } finally {
            sessions.forEach(ServerConnection::close);
            pool.shutdownNow();
        }
    }

    @Test
    void aTransactionKeepsItsConnectionWhileOthersUseTheOther() {
        try (ServerConnection a = sluice.codec();
                ServerConnection b = sluice.codec();
                ServerConnection c = sluice.codec()) {
            a.querySync("START TRANSACTION");
            long aThread = serverThread(a);
            a.querySync("INSERT INTO test.t (who) VALUES (1000)");
            for (int i = 0; i < 10; i++) {
                // b and c take turns on the other connection while a's transaction holds its own
                assertThat(serverThread(b)).isNotEqualTo(aThread);
                assertThat(serverThread(c)).isNotEqualTo(aThread);
                assertThat(((Number) value(b, "SELECT COUNT(*) FROM test.t WHERE who = 1000")).longValue())
                        .as("a's uncommitted row is not visible")
                        .isZero();
                assertThat(serverThread(a)).isEqualTo(aThread);
            }
            a.querySync("COMMIT");
            assertThat(((Number) value(b, "SELECT COUNT(*) FROM test.t WHERE who = 1000")).longValue())
                    .isEqualTo(1);
        }
    }

    @Test
    void aSessionWithUserVariablesStaysOnItsConnectionAndNobodyElseSeesThem() {
        try (ServerConnection a = sluice.codec();
                ServerConnection b = sluice.codec()) {
            a.querySync("SET @mine = 42");
            long aThread = serverThread(a);
            for (int i = 0; i < 10; i++) {
                assertThat(value(b, "SELECT @mine"))
                        .as("another session's user variable")
                        .isNull();
                assertThat(((Number) value(a, "SELECT @mine")).longValue()).isEqualTo(42);
                assertThat(serverThread(a)).isEqualTo(aThread);
            }
        }
    }

    @Test
    void connectionIdIsTheSessionsAcrossServerConnections() {
        try (ServerConnection a = sluice.codec();
                ServerConnection b = sluice.codec()) {
            Object first = value(a, "SELECT CONNECTION_ID()");
            for (int i = 0; i < 5; i++) {
                value(b, "SELECT 1");
                assertThat(value(a, "SELECT CONNECTION_ID()")).isEqualTo(first);
            }
            assertThat(((Number) first).longValue()).isEqualTo(a.connectionId());
        }
    }

    @Test
    void aStatementFindingEveryConnectionHeldGetsTheServersErr1040AndTheSessionGoesOn() {
        try (ServerConnection a = sluice.codec();
                ServerConnection b = sluice.codec();
                ServerConnection c = sluice.codec()) {
            a.querySync("START TRANSACTION");
            a.querySync("INSERT INTO test.t (who) VALUES (2000)");
            b.querySync("START TRANSACTION");
            b.querySync("INSERT INTO test.t (who) VALUES (2001)");
            long start = System.nanoTime();
            ServerException refused = catchThrowableOfType(ServerException.class, () -> c.querySync("SELECT 1"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(refused).as("both connections are in transactions").isNotNull();
            assertThat(refused.errorCode()).isEqualTo(1040);
            assertThat(refused.sqlState()).isEqualTo("08004");
            assertThat(refused.err().message()).isEqualTo("Too many connections");
            assertThat(millis).as("waited acquire-timeout").isGreaterThanOrEqualTo(ACQUIRE_TIMEOUT.toMillis() - 50);
            a.querySync("COMMIT");
            assertThat(((Number) value(c, "SELECT COUNT(*) FROM test.t WHERE who = 2000")).longValue())
                    .as("the refused session goes on once a connection is free")
                    .isEqualTo(1);
            b.querySync("ROLLBACK");
        }
    }
}
