package dev.sluice.backend.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transaction mode's lease and give-back under concurrency: sessions on several event loops lease a connection per
 * "statement" (the fast path, {@link ServerPool#acquireIdleNow}, else {@link ServerPool#acquire}) and give it back
 * as it is ({@link ServerPool#giveBackAsIs}), while a thread off the loops leases through the slow path and more
 * sessions than connections make clients wait. No connection may ever be held by two leases at once, and each is
 * handed out on its own loop.
 */
class ConcurrentLeasesTest {
    private static final String USER = "app";
    private static final String PASSWORD = "app-pw";
    private static final int LOOPS = 4;
    private static final int SESSIONS_PER_LOOP = 3;
    private static final int ROUNDS = 1500;
    private static final int OFF_LOOP_LEASES = 300;

    @RegisterExtension
    static MariaDbSandboxExtension db =
            MariaDbSandboxExtension.builder().user(USER, PASSWORD).build();

    private static EventLoopGroup group;
    private static ServerConnector connector;

    @BeforeAll
    static void startClient() {
        Transport transport = Transport.best();
        group = transport.newGroup(LOOPS);
        connector = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stopClient() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Who holds which connection now; a second holder is a failure, recorded with its name. */
    private final Map<PooledConnection, String> holders = new ConcurrentHashMap<>();

    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicLong fastLeases = new AtomicLong();
    private final AtomicLong slowLeases = new AtomicLong();

    /**
     * Room for more connections than sessions (no client waits): nearly every lease takes the fast path, on four
     * loops at once, while the thread off the loops leases through the slow one.
     */
    @Test
    void fastLeasesOnSeveralLoopsNeverShareAConnection() throws Exception {
        ServerPool pool = run(LOOPS * SESSIONS_PER_LOOP * 2);
        assertThat(fastLeases.get())
                .as("most leases take the fast path")
                .isGreaterThan((long) LOOPS * SESSIONS_PER_LOOP * ROUNDS / 2);
    }

    /**
     * More sessions than connections: clients wait, the fast path steps aside for them, returned connections serve
     * them (on their loop, or closed and opened again on a loop that has none).
     */
    @Test
    void leasesWithWaitingClientsNeverShareAConnection() throws Exception {
        ServerPool pool = run(LOOPS * SESSIONS_PER_LOOP * 2 / 3);
        assertThat(pool.stats().acquireWaitCount())
                .as("more sessions than connections: some waited")
                .isPositive();
    }

    /**
     * Runs {@link #ROUNDS} statements in each of {@link #SESSIONS_PER_LOOP} sessions on each of {@link #LOOPS} loops,
     * and {@link #OFF_LOOP_LEASES} leases from a thread off the loops, on a pool of {@code maxSize}; checks that no
     * connection was held twice or handed out off its loop, and that all came back. Returns the (closed) pool.
     */
    private ServerPool run(int maxSize) throws Exception {
        PoolSettings settings = PoolSettings.builder()
                .maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(20))
                .build();
        ServerPool pool = new ServerPool(
                "sandbox",
                ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                        .user(USER, PASSWORD)
                        .sessionTracking(true)
                        .build(),
                connector,
                settings,
                new PoolStats(),
                null,
                new ServerSlots("sandbox", settings),
                () -> null);
        try {
            List<EventLoop> loops = new ArrayList<>();
            for (int i = 0; i < LOOPS; i++) {
                loops.add(group.next());
            }
            assertThat(loops).doesNotHaveDuplicates();

            int sessions = LOOPS * SESSIONS_PER_LOOP;
            CountDownLatch done = new CountDownLatch(sessions + 1);
            for (EventLoop loop : loops) {
                for (int s = 0; s < SESSIONS_PER_LOOP; s++) {
                    String name = "session " + s + " of " + loop;
                    loop.execute(() -> statement(pool, loop, name, ROUNDS, done));
                }
            }
            Thread offLoop = new Thread(() -> {
                for (int i = 0; i < OFF_LOOP_LEASES && failure.get() == null; i++) {
                    EventLoop loop = loops.get(i % LOOPS);
                    String name = "off-loop lease " + i;
                    PooledConnection c = ServerConnection.await(pool.acquire(loop), Duration.ofSeconds(30));
                    slowLeases.incrementAndGet();
                    CountDownLatch back = new CountDownLatch(1);
                    loop.execute(() -> {
                        hold(c, loop, name);
                        release(pool, c);
                        back.countDown();
                    });
                    try {
                        if (!back.await(30, TimeUnit.SECONDS)) {
                            failure.compareAndSet(null, name + " not given back");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                done.countDown();
            });
            offLoop.start();

            assertThat(done.await(120, TimeUnit.SECONDS))
                    .as("every session finished its rounds")
                    .isTrue();
            assertThat(failure.get()).isNull();
            System.out.printf(
                    "concurrent-leases: max-size %d: %d fast leases, %d slow ones, %d waits, %d connections opened%n",
                    maxSize,
                    fastLeases.get(),
                    slowLeases.get(),
                    pool.stats().acquireWaitCount(),
                    pool.stats().createdCount());
            assertThat(pool.openCount()).isLessThanOrEqualTo(maxSize);
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.idleCount() == pool.openCount());
            assertThat(holders).isEmpty();
            return pool;
        } finally {
            pool.close();
        }
    }

    /** One statement of a session on {@code loop}: lease, hold, give back later (other sessions run meanwhile). */
    private void statement(ServerPool pool, EventLoop loop, String name, int left, CountDownLatch done) {
        if (left == 0 || failure.get() != null) {
            done.countDown();
            return;
        }
        PooledConnection fast = pool.acquireIdleNow(loop);
        if (fast != null) {
            fastLeases.incrementAndGet();
            holdThenNext(pool, fast, loop, name, left, done);
            return;
        }
        pool.acquire(loop).whenComplete((c, e) -> {
            if (e != null) {
                failure.compareAndSet(null, name + ": " + e);
                done.countDown();
                return;
            }
            slowLeases.incrementAndGet();
            loop.execute(() -> holdThenNext(pool, c, loop, name, left, done));
        });
    }

    private void holdThenNext(
            ServerPool pool, PooledConnection c, EventLoop loop, String name, int left, CountDownLatch done) {
        hold(c, loop, name);
        loop.execute(() -> {
            release(pool, c);
            statement(pool, loop, name, left - 1, done);
        });
    }

    private void hold(PooledConnection c, EventLoop loop, String name) {
        String other = holders.putIfAbsent(c, name);
        if (other != null) {
            failure.compareAndSet(null, c + " handed to " + name + " while " + other + " held it");
        }
        if (c.loop() != loop || !loop.inEventLoop()) {
            failure.compareAndSet(null, c + " of " + c.loop() + " handed to " + name);
        }
        c.lease(null); // detaches the channel, as a session does (throws off its loop)
    }

    private void release(ServerPool pool, PooledConnection c) {
        holders.remove(c);
        pool.giveBackAsIs(c);
    }
}
