package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.Transport;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 items 7 and 8 (capacity), against a sandbox started with max_connections 10: Sluice's own limit for a
 * server is learned from it (10 minus the 2 reserved for Sluice's control connections), a client refused for
 * capacity gets exactly the server's ERR 1040 (code, SQLSTATE, text), and a server that refuses Sluice's login as
 * full is full, not down: idle pooled connections give way so that the client gets in, and when nothing can give
 * way the client gets what the server would answer, never "cannot connect".
 */
class ServerCapacityTest {
    private static final int MAX_CONNECTIONS = 10; // MariaDB's smallest
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .option("max-connections", String.valueOf(MAX_CONNECTIONS))
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.t (x INT)",
                    "CREATE DATABASE other",
                    "CREATE DATABASE third")
            .build();

    static Transport transport = Transport.best();
    static EventLoopGroup group;
    static ServerConnector direct;
    final List<ServerConnection> held = new ArrayList<>();

    @BeforeAll
    static void start() {
        group = transport.newGroup(1);
        direct = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeHeld() {
        held.forEach(ServerConnection::close);
        held.clear();
    }

    /** Sluice with no limit of its own per pool (the default) and health checks far apart (only tests check). */
    private static PoolProxy sluice() {
        return new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolSettings.builder()
                        .acquireTimeout(ACQUIRE_TIMEOUT)
                        .healthCheckInterval(Duration.ofSeconds(60))
                        .mode(PoolMode.SESSION) // clients hold their connections, filling the server
                        .build());
    }

    private ServerConnection through(PoolProxy sluice, String database) {
        ServerConnection c = sluice.codec(sluice.appOptions().database(database).build());
        held.add(c);
        return c;
    }

    /** Direct app connections to the server until it refuses one; returns the server's refusal. */
    private ServerException fillDirectly() {
        for (int i = 0; i < 2 * MAX_CONNECTIONS; i++) {
            try {
                held.add(ServerConnection.await(direct.connect(
                        ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                                .user(PoolProxy.USER, PoolProxy.PASSWORD)
                                .database("test")
                                .build())));
            } catch (ServerException e) {
                return e;
            }
        }
        throw new AssertionError("the server never refused a connection");
    }

    @Test
    void limitIsLearnedFromTheServerAndARefusedClientGetsTheServersErr() {
        try (PoolProxy sluice = sluice()) {
            for (int i = 0; i < MAX_CONNECTIONS - PoolSettings.DEFAULT_RESERVED; i++) {
                ServerConnection c = through(sluice, "test");
                c.querySync("BEGIN");
                c.querySync("INSERT INTO t VALUES (" + i + ")");
            }
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isEqualTo(MAX_CONNECTIONS - 2);
            ServerConnection beyond = through(sluice, "test");
            long begin = System.nanoTime();
            ServerException e = catchThrowableOfType(ServerException.class, () -> beyond.querySync("SELECT 1"));
            long elapsed = (System.nanoTime() - begin) / 1_000_000;
            assertThat(e)
                    .as("the client beyond Sluice's limit (max_connections - 2) gets an ERR")
                    .isNotNull();
            System.out.printf(
                    "capacity: client beyond the limit: %s after %d ms; %s%n", e.err(), elapsed, sluice.stats());
            assertThat(e.errorCode()).isEqualTo(1040);
            assertThat(e.sqlState()).isEqualTo("08004");
            assertThat(e.err().message()).isEqualTo("Too many connections");
            assertThat(elapsed).isBetween(ACQUIRE_TIMEOUT.toMillis() - 50, ACQUIRE_TIMEOUT.toMillis() + 700);
            // the reserve is there: Sluice's control connections (and the server's own) still get in
            ServerException server = fillDirectly();
            System.out.printf(
                    "capacity: the server's own refusal: %s (%d direct connections got in)%n",
                    server.err(), held.size() - MAX_CONNECTIONS + 1);
            assertThat(server.errorCode()).isEqualTo(e.errorCode());
            assertThat(server.err().message()).isEqualTo(e.err().message());
        }
    }

    /** Three clients through Sluice that each ran a statement and left: three idle connections in one pool. */
    private void leaveThreeIdle(PoolProxy sluice) {
        List<ServerConnection> leaving = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leaving.add(through(sluice, "test"));
        }
        for (ServerConnection c : leaving) {
            c.querySync("SELECT 1");
        }
        for (ServerConnection c : leaving) {
            c.close();
            held.remove(c);
        }
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> sluice.stats().resetCount() >= 3);
        assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER))
                .as("3 idle in the pool of 'test'")
                .isEqualTo(3);
    }

    /**
     * Sluice's idle connections must not lock others out of a full server until idle-timeout: the health check
     * that finds the server full (its greeting is ERR 1040) closes them, and a direct client gets in.
     */
    @Test
    void healthCheckOfAFullServerMakesIdleConnectionsGiveWay() throws Exception {
        try (PoolProxy sluice = sluice()) {
            leaveThreeIdle(sluice);
            fillDirectly();
            assertThat(sluice.health().check().get())
                    .as("a full server passes the health check")
                    .isTrue();
            System.out.printf(
                    "capacity: health check of a full server: down=%s full=%s; %s%n",
                    sluice.health().isDown(), sluice.health().isFull(), sluice.stats());
            assertThat(sluice.health().isFull()).isTrue();
            assertThat(sluice.health().isDown()).isFalse();
            assertThat(sluice.stats().discardedCount(DiscardReason.GAVE_WAY)).isEqualTo(3);
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isZero();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(3))
                    .ignoreExceptions()
                    .until(() -> {
                        held.add(ServerConnection.await(direct.connect(ConnectOptions.builder(
                                        db.sandbox().host(), db.sandbox().port())
                                .user(PoolProxy.USER, PoolProxy.PASSWORD)
                                .database("test")
                                .build())));
                        return true;
                    });
        }
    }

    @Test
    void fullServerIsNotDownAndIdleConnectionsGiveWay() throws Exception {
        try (PoolProxy sluice = sluice()) {
            leaveThreeIdle(sluice);
            ServerException full = fillDirectly(); // the server is full: 3 idle of Sluice's, the rest direct
            System.out.printf("capacity: server full: %s%n", full.err());

            // a client of another pool: Sluice's login is refused as full, the idle connections give way, it gets in
            ServerConnection other = through(sluice, "other");
            assertThat(other.querySync("SELECT 1").resultSet().rows()).hasSize(1);
            System.out.printf(
                    "capacity: client of another pool served after idle connections gave way; %s%n", sluice.stats());
            assertThat(sluice.stats().discardedCount(DiscardReason.GAVE_WAY)).isPositive();
            assertThat(sluice.health().isDown()).isFalse();

            // full again, nothing idle left: the client gets the server's answer, and the server is not "down"
            fillDirectly();
            assertThat(sluice.health().check().get())
                    .as("a full server passes the health check")
                    .isTrue();
            assertThat(sluice.health().isDown()).isFalse();
            for (int i = 0; i < 2; i++) {
                ServerConnection third = through(sluice, "third");
                ServerException e = catchThrowableOfType(ServerException.class, () -> third.querySync("SELECT 1"));
                assertThat(e).as("refused while the server is full").isNotNull();
                System.out.printf(
                        "capacity: client while the server is full: %s; down=%s full=%s; %s%n",
                        e.err(), sluice.health().isDown(), sluice.health().isFull(), sluice.stats());
                assertThat(e.errorCode()).isEqualTo(1040);
                assertThat(e.sqlState()).isEqualTo("08004");
                assertThat(e.err().message()).isEqualTo(full.err().message());
                assertThat(sluice.health().isDown()).isFalse();
            }
        }
    }
}
