package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seed 001, bug 1 (DESIGN invariant 5): the server closes idle connections after wait_timeout = 1 s, and clients
 * that connect, run one statement and disconnect with gaps longer than that must never see it. 10,000 checked
 * statements from 200 concurrent clients; zero client-visible errors; the pool's counters show the connections
 * it retired (idle past what wait_timeout allows) or found closed by the server (stale).
 */
class StaleConnectionsTest {
    private static final int STATEMENTS = 10_000;
    private static final int CLIENTS = 200;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("wait_timeout", "1")
            .option("max_connections", "800")
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    static PoolProxy sluice;

    @BeforeAll
    static void start() {
        sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(CLIENTS + 50, Duration.ofSeconds(10), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void tenThousandStatementsWithIdleGapsBeyondWaitTimeoutSeeNoError() throws Exception {
        long seed = Long.getLong("sluice.seed", System.nanoTime()); // -Dsluice.seed=<printed seed> replays the gaps
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
        long begin = System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Random random = new Random(seed + i);
                threads.execute(() -> {
                    idle(random.nextInt(1300)); // spread the first logins
                    for (int k; (k = next.getAndIncrement()) < STATEMENTS; ) {
                        try (ServerConnection c = sluice.codec()) {
                            String tag = "stale-" + seed + "-" + k;
                            List<Object> row = c.querySync("SELECT '" + tag + "', SHA2('" + tag + "', 256)")
                                    .resultSet()
                                    .rows()
                                    .get(0);
                            if (!tag.equals(Sha.text(row.get(0)))
                                    || !Sha.sha256(tag).equals(Sha.text(row.get(1)))) {
                                throw new AssertionError("statement " + k + ": wrong row " + row);
                            }
                            done.incrementAndGet();
                        } catch (RuntimeException | AssertionError e) {
                            errors.incrementAndGet();
                            if (firstErrors.size() < 10) {
                                firstErrors.add("statement " + k + ": " + e);
                            }
                        }
                        if (next.get() < STATEMENTS) {
                            // The scenario itself, not synchronisation: the client stays away longer than the
                            // server's wait_timeout (1 s) before it connects again.
                            idle(1100 + random.nextInt(401));
                        }
                    }
                });
            }
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(200, TimeUnit.SECONDS))
                    .as("clients finished")
                    .isTrue();
        }
        long seconds = (System.nanoTime() - begin) / 1_000_000_000L;
        PoolStats stats = sluice.stats();
        long stale = stats.discardedCount(DiscardReason.STALE);
        long idleTimeout = stats.discardedCount(DiscardReason.IDLE_TIMEOUT);
        System.out.printf(
                "stale-connections: seed %d: %d statements ok, %d errors in %d s; stale %d, idle-timeout %d;" + " %s%n",
                seed, done.get(), errors.get(), seconds, stale, idleTimeout, stats);
        assertThat(errors.get())
                .as("client-visible errors (seed %d): %s", seed, firstErrors)
                .isZero();
        assertThat(done.get()).isEqualTo(STATEMENTS);
        assertThat(stale + idleTimeout)
                .as("connections retired or found closed by the server: %s", stats)
                .isPositive();
        assertThat(stats.reusedCount()).as("the pool was used: %s", stats).isPositive();
    }

    private static void idle(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
