package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 item 2: what Sluice sends on its own after a login has a deadline too. A server that completes the
 * login and then stops answering (a relay that swallows everything from a marker on, or the sandbox paused with
 * SIGSTOP) holds neither a client, nor a pool slot, nor a KILL connection: the set-up query is bounded by
 * connect-timeout, the reset of a returned connection and of a re-leased idle one by pool.reset-timeout, the KILL
 * QUERY connection by connect-timeout; each connection that misses its deadline is closed and counted.
 */
class SetUpDeadlineTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration RESET_TIMEOUT = Duration.ofMillis(500);
    private static final long SLACK_MILLIS = 700;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static PoolSettings pool() {
        // health checks far apart: only what a test does changes the server's state
        return PoolSettings.builder()
                .maxSize(10)
                .healthCheckInterval(Duration.ofSeconds(60))
                .resetTimeout(RESET_TIMEOUT)
                .mode(PoolMode.SESSION) // the resets at return and at lease are session mode's
                .build();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void setUpQueryIsBoundedByConnectTimeout() throws Exception {
        try (Relay relay = new Relay(db.sandbox().host(), db.sandbox().port());
                PoolProxy sluice = new PoolProxy(
                        "127.0.0.1",
                        relay.port(),
                        db.sandbox().rootPassword(),
                        PoolProxy.timeouts(CONNECT_TIMEOUT),
                        pool())) {
            relay.stallAt("@@wait_timeout");
            long begin = System.nanoTime();
            try (ServerConnection c = sluice.codec()) {
                CompletableFuture<QueryResult> first = c.query("SELECT 1");
                ServerException e = catchThrowableOfType(
                        ServerException.class, () -> ServerConnection.await(first, Duration.ofSeconds(10)));
                long elapsed = (System.nanoTime() - begin) / 1_000_000;
                System.out.printf(
                        "setup-deadline: ERR after %d ms: %s; %s%n",
                        elapsed, e == null ? first : e.err(), sluice.stats());
                assertThat(e)
                        .as("an ERR, within connect-timeout, for a server that logged in and went silent")
                        .isNotNull();
                assertThat(e.errorCode()).isEqualTo(1429);
                assertThat(e.err().message()).contains("@@wait_timeout").contains("connect-timeout 1000 ms");
                assertThat(elapsed)
                        .isBetween(CONNECT_TIMEOUT.toMillis() - 100, CONNECT_TIMEOUT.toMillis() + SLACK_MILLIS);
            }
            assertThat(relay.cuts()).as("the set-up query was swallowed").isEqualTo(1);
            assertThat(sluice.stats().discardedCount(DiscardReason.SETUP_TIMEOUT))
                    .isEqualTo(1);
            await().atMost(Duration.ofSeconds(3)).until(() -> relay.openConnections() == 0);
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isZero();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void resetOfAReturnedConnectionIsBoundedByResetTimeout() throws Exception {
        try (PoolProxy sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                pool())) {
            ServerConnection c = sluice.codec();
            c.querySync("SELECT 1"); // the lease is used: it is reset when it comes back
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isEqualTo(1);
            long resets = sluice.stats().resetCount();
            db.sandbox().pause();
            awaitStopped(db.sandbox().pid());
            long begin;
            long elapsed;
            try {
                begin = System.nanoTime();
                c.close();
                await().atMost(Duration.ofMillis(RESET_TIMEOUT.toMillis() + 3000))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> sluice.proxy.openServerConnections(PoolProxy.SERVER) == 0);
                elapsed = (System.nanoTime() - begin) / 1_000_000;
            } finally {
                db.sandbox().resume();
            }
            System.out.printf(
                    "reset-deadline: slot freed %d ms after the client left a paused server; %s%n",
                    elapsed, sluice.stats());
            assertThat(elapsed).isBetween(RESET_TIMEOUT.toMillis() - 100, RESET_TIMEOUT.toMillis() + SLACK_MILLIS);
            assertThat(sluice.stats().discardedCount(DiscardReason.RESET_TIMEOUT))
                    .isEqualTo(1);
            assertThat(sluice.stats().resetCount()).isEqualTo(resets);
            try (ServerConnection next = sluice.codec()) {
                assertThat(next.querySync("SELECT 1").resultSet().rows()).hasSize(1);
            }
        }
    }

    /**
     * The reset of an idle connection when it is leased again (so that the session starts from the server's
     * global values of now) has the same deadline: a client arriving while the server is paused gets an ERR
     * after reset-timeout (the idle connection is discarded) plus connect-timeout (a new one cannot log in).
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void resetOfALeaseIsBoundedByResetTimeout() throws Exception {
        try (PoolProxy sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(CONNECT_TIMEOUT),
                pool())) {
            // idle connections on every event loop of Sluice, so the next client's lease finds one of its loop
            java.util.List<ServerConnection> first = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                first.add(sluice.codec());
            }
            first.forEach(ServerConnection::close);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sluice.proxy.openServerConnections(PoolProxy.SERVER) == 4);
            db.sandbox().pause();
            long elapsed;
            ServerException e;
            try {
                awaitStopped(db.sandbox().pid());
                long begin = System.nanoTime();
                try (ServerConnection c = sluice.codec()) {
                    CompletableFuture<QueryResult> q = c.query("SELECT 1");
                    e = catchThrowableOfType(
                            ServerException.class, () -> ServerConnection.await(q, Duration.ofSeconds(10)));
                    elapsed = (System.nanoTime() - begin) / 1_000_000;
                }
            } finally {
                db.sandbox().resume();
            }
            System.out.printf(
                    "lease-reset-deadline: ERR after %d ms: %s; %s%n",
                    elapsed, e == null ? null : e.err(), sluice.stats());
            assertThat(e).as("an ERR, not a wait without end").isNotNull();
            assertThat(e.errorCode()).isEqualTo(1429);
            assertThat(sluice.stats().discardedCount(DiscardReason.RESET_TIMEOUT))
                    .isEqualTo(1);
            assertThat(elapsed).isLessThan(RESET_TIMEOUT.toMillis() + CONNECT_TIMEOUT.toMillis() + SLACK_MILLIS);
        }
    }

    /** SIGSTOP is delivered asynchronously: until every thread of the server is stopped, it may still answer. */
    private static void awaitStopped(long pid) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
            try (java.util.stream.Stream<java.nio.file.Path> tasks =
                    java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
                return tasks.allMatch(t -> {
                    try {
                        String stat = java.nio.file.Files.readString(t.resolve("stat"));
                        return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
                    } catch (java.io.IOException e) {
                        return true; // the thread is gone
                    }
                });
            }
        });
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void killQueryConnectionIsBoundedByConnectTimeout() throws Exception {
        try (Relay relay = new Relay(db.sandbox().host(), db.sandbox().port());
                PoolProxy sluice = new PoolProxy(
                        "127.0.0.1",
                        relay.port(),
                        db.sandbox().rootPassword(),
                        PoolProxy.timeouts(CONNECT_TIMEOUT),
                        pool())) {
            ServerConnection c = sluice.codec();
            c.querySync("SELECT 1");
            c.query("SELECT SLEEP(20) AS kill_deadline");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> db.sandbox()
                            .execute(
                                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%AS kill_deadline'")
                            .strip()
                            .equals("1"));
            relay.stallAt("KILL QUERY");
            long begin = System.nanoTime();
            c.channel().close(); // the client goes away mid-statement: Sluice kills the statement on a new connection
            await().atMost(Duration.ofMillis(CONNECT_TIMEOUT.toMillis() + 3000))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> relay.cuts() == 1 && relay.openConnections() == 0);
            long elapsed = (System.nanoTime() - begin) / 1_000_000;
            System.out.printf(
                    "kill-deadline: KILL connection closed %d ms after the client left; %s%n", elapsed, sluice.stats());
            assertThat(elapsed).isLessThan(CONNECT_TIMEOUT.toMillis() + SLACK_MILLIS);
            assertThat(sluice.stats().killTimeoutCount()).isEqualTo(1);
        }
    }
}
