package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 item 7: the pools map is keyed by what clients ask for (the database among it), so it must not grow
 * for ever, and the limit that matters is the server's, across all its pools: pools left empty are removed, and
 * pool.max-server-connections bounds the connections of every pool of a server together, idle ones giving way
 * to clients of other pools.
 */
class PoolMapTest {
    private static final int DATABASES = 6;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE DATABASE d0",
                    "CREATE DATABASE d1",
                    "CREATE DATABASE d2",
                    "CREATE DATABASE d3",
                    "CREATE DATABASE d4",
                    "CREATE DATABASE d5")
            .build();

    private static PoolProxy sluice(Duration idleTimeout, int maxServerConnections) {
        return new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolSettings.builder()
                        .idleTimeout(idleTimeout)
                        .healthCheckInterval(Duration.ofSeconds(60))
                        .maxServerConnections(maxServerConnections)
                        .mode(PoolMode.SESSION) // clients hold their connections, filling the server's limit
                        .build());
    }

    private static ServerConnection client(PoolProxy sluice, String database) {
        return sluice.codec(sluice.appOptions().database(database).build());
    }

    @Test
    void poolsLeftEmptyAreRemoved() {
        try (PoolProxy sluice = sluice(Duration.ofSeconds(1), 0)) {
            for (int i = 0; i < DATABASES; i++) {
                try (ServerConnection c = client(sluice, "d" + i)) {
                    c.querySync("SELECT 1");
                }
            }
            assertThat(sluice.proxy.poolCount(PoolProxy.SERVER))
                    .as("one pool per database asked for")
                    .isEqualTo(DATABASES);
            long begin = System.nanoTime();
            // idle-timeout closes the connections, then the empty pools go
            await().atMost(Duration.ofSeconds(10)).until(() -> sluice.proxy.poolCount(PoolProxy.SERVER) == 0);
            System.out.printf(
                    "pool-map: %d pools removed %d ms after their clients left; %s%n",
                    DATABASES, (System.nanoTime() - begin) / 1_000_000, sluice.stats());
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isZero();
            try (ServerConnection again = client(sluice, "d0")) {
                assertThat(again.querySync("SELECT DATABASE()").resultSet().rows())
                        .hasSize(1);
            }
        }
    }

    @Test
    void serverLimitBoundsAllItsPoolsTogether() {
        try (PoolProxy sluice = sluice(Duration.ofMinutes(10), 3)) {
            ServerConnection a = client(sluice, "d0");
            ServerConnection b = client(sluice, "d1");
            ServerConnection c = client(sluice, "d2");
            for (ServerConnection x : new ServerConnection[] {a, b, c}) {
                x.querySync("SELECT 1");
            }
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isEqualTo(3);
            long waits = sluice.stats().acquireWaitCount();
            ServerConnection d = client(sluice, "d3");
            CompletableFuture<QueryResult> waiting = d.query("SELECT DATABASE()");
            await().atMost(Duration.ofSeconds(2)).until(() -> sluice.stats().acquireWaitCount() > waits);
            assertThat(waiting)
                    .as("a client of a fourth pool waits: the server's limit is 3 for all pools")
                    .isNotDone();
            long gaveWay = sluice.stats().discardedCount(DiscardReason.GAVE_WAY);
            a.close(); // its connection is not kept idle for d0: d3's client gets the slot
            ServerConnection.await(waiting, Duration.ofSeconds(3));
            assertThat(sluice.stats().discardedCount(DiscardReason.GAVE_WAY)).isEqualTo(gaveWay + 1);
            assertThat(sluice.proxy.openServerConnections(PoolProxy.SERVER)).isLessThanOrEqualTo(3);

            // an idle connection of another pool gives way at once: no waiting
            d.close();
            await().atMost(Duration.ofSeconds(3)).until(() -> sluice.stats().resetCount() >= 2);
            long waitsBefore = sluice.stats().acquireWaitCount();
            try (ServerConnection e = client(sluice, "d4")) {
                assertThat(e.querySync("SELECT 1").resultSet().rows()).hasSize(1);
            }
            assertThat(sluice.stats().acquireWaitCount())
                    .as("served without waiting")
                    .isEqualTo(waitsBefore);
            assertThat(sluice.stats().discardedCount(DiscardReason.GAVE_WAY)).isEqualTo(gaveWay + 2);
            System.out.printf("pool-map: server limit 3 across pools held; %s%n", sluice.stats());
            b.close();
            c.close();
        }
    }
}
