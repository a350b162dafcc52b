package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Health (issue 5): the server is stopped and started again while three clients keep connecting through Sluice
 * and running a statement. While it is down every attempt fails fast (well under connect-timeout 5 s) with a
 * clear ERR; once it is back, clients succeed within one health-check interval (500 ms) plus slack.
 */
class HealthTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final long FAST_MILLIS = 500;
    private static final long BACK_SLACK_MILLIS = 1000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
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
                PoolProxy.timeouts(CONNECT_TIMEOUT),
                PoolProxy.pool(20, Duration.ofSeconds(5), INTERVAL));
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    /** One client attempt: connect to Sluice, run SELECT 1; times in nanos. */
    private record Attempt(long start, long end, int code, String message) {
        boolean ok() {
            return code == 0;
        }

        long millis() {
            return (end - start) / 1_000_000;
        }
    }

    private static Attempt attempt() {
        long start = System.nanoTime();
        try (ServerConnection c = sluice.codec()) {
            c.querySync("SELECT 1");
            return new Attempt(start, System.nanoTime(), 0, null);
        } catch (ServerException e) {
            return new Attempt(start, System.nanoTime(), e.errorCode(), e.err().message());
        } catch (RuntimeException e) {
            return new Attempt(start, System.nanoTime(), -1, String.valueOf(e));
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stoppedServerGivesFastErrorsAndIsUsedAgainWithinOneCheckInterval() throws Exception {
        MariaDbSandbox server = db.sandbox();
        ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(3);
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            clients.execute(() -> {
                while (running.get()) {
                    attempts.add(attempt());
                }
            });
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> attempts.stream().filter(Attempt::ok).count() >= 50);
        long stopCalled = System.nanoTime();
        server.stop();
        long stopped = System.nanoTime();
        // the outage itself: long enough for many attempts while Sluice knows the server is down
        await().atMost(Duration.ofSeconds(20))
                .until(() -> sluice.health().isDown()
                        && attempts.stream()
                                        .filter(a -> a.start() > stopped && !a.ok())
                                        .count()
                                >= 100);
        long startCalled = System.nanoTime();
        server.start();
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> attempts.stream()
                                .filter(a -> a.start() > started && a.ok())
                                .count()
                        >= 50);
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

        List<Attempt> all = new ArrayList<>(attempts);
        all.sort(Comparator.comparingLong(Attempt::start));
        List<Attempt> failures = all.stream().filter(a -> !a.ok()).toList();
        Attempt firstFailure = failures.get(0);
        Attempt lastFailure = failures.get(failures.size() - 1);
        Attempt firstDown = failures.stream()
                .filter(a -> a.message().contains("is down"))
                .findFirst()
                .orElseThrow();
        Attempt firstBack = all.stream()
                .filter(a -> a.ok() && a.end() > firstFailure.end())
                .findFirst()
                .orElseThrow();
        long slowestFailure = failures.stream().mapToLong(Attempt::millis).max().orElse(0);
        long isDown =
                failures.stream().filter(a -> a.message().contains("is down")).count();
        System.out.printf(
                "health: timeline (ms from start): stop() called %d, returned %d; first failed attempt ended %d"
                        + " (%s); first 'is down' %d; start() called %d, returned %d; last failure ended %d; first success"
                        + " after the outage ended %d (%d ms after start() returned); %d attempts, %d failed (%d 'is down'),"
                        + " slowest failure %d ms; %s%n",
                ms(t0, stopCalled),
                ms(t0, stopped),
                ms(t0, firstFailure.end()),
                firstFailure.message(),
                ms(t0, firstDown.end()),
                ms(t0, startCalled),
                ms(t0, started),
                ms(t0, lastFailure.end()),
                ms(t0, firstBack.end()),
                ms(started, firstBack.end()),
                all.size(),
                failures.size(),
                isDown,
                slowestFailure,
                sluice.stats());

        for (Attempt a : failures) {
            assertThat(a.code())
                    .as("ERR code of a failed attempt: %s", a.message())
                    .isIn(1429, 1158);
            assertThat(a.millis())
                    .as("a failure is fast (connect-timeout is %d ms): %s", CONNECT_TIMEOUT.toMillis(), a.message())
                    .isLessThan(FAST_MILLIS);
        }
        assertThat(firstDown.message())
                .contains("sluice: cannot open a connection to server " + PoolProxy.SERVER)
                .contains("is down")
                .contains("checked every 500 ms");
        assertThat(sluice.stats().fastFailureCount()).isPositive();
        assertThat(ms(started, firstBack.end()))
                .as("back within one check interval plus slack")
                .isLessThanOrEqualTo(INTERVAL.toMillis() + BACK_SLACK_MILLIS);
        assertThat(failures.stream()
                        .filter(a -> a.start()
                                > started + TimeUnit.MILLISECONDS.toNanos(INTERVAL.toMillis() + BACK_SLACK_MILLIS)))
                .as("failures once the server is back")
                .isEmpty();
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
