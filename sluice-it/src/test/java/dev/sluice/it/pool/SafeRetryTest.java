package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seed 001, bug 1 (DESIGN invariant 5): only what never left is retried. A relay between Sluice and the server
 * cuts the connection right after an INSERT went through it (or right before): the client gets ERR 1158 saying
 * the statement may or may not have run, and the row exists at most once. Idle pooled connections killed on the
 * server behind Sluice's back are replaced without the next clients noticing.
 */
class SafeRetryTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            // no unique key on id on purpose: a statement run twice would show as two rows
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE DATABASE killdb",
                    "CREATE TABLE test.ledger (id BIGINT NOT NULL, note VARCHAR(64), KEY (id))")
            .build();

    static Relay relay;
    static PoolProxy viaRelay;
    static PoolProxy direct;

    @BeforeAll
    static void start() throws Exception {
        MariaDbSandbox s = db.sandbox();
        relay = new Relay(s.host(), s.port());
        viaRelay = new PoolProxy(
                "127.0.0.1",
                relay.port(),
                s.rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(8, Duration.ofSeconds(5), Duration.ofSeconds(2)));
        direct = new PoolProxy(
                s.host(),
                s.port(),
                s.rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(8, Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() throws Exception {
        viaRelay.close();
        direct.close();
        relay.close();
    }

    static Connection root() throws SQLException {
        MariaDbSandbox s = db.sandbox();
        return DriverManager.getConnection(
                "jdbc:mariadb://" + s.host() + ":" + s.port() + "/", s.rootUser(), s.rootPassword());
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void connectionCutAfterAnInsertWasWrittenGivesErr1158AndTheRowExistsAtMostOnce() throws Exception {
        for (int i = 0; i < 10; i++) {
            boolean forwardFirst = i % 2 == 0;
            long id = 1000 + i;
            PoolStats stats = viaRelay.stats();
            long retries = stats.retryCount();
            long broken = stats.discardedCount(DiscardReason.BROKEN);
            int cuts = relay.cuts();
            try (ServerConnection c = viaRelay.codec()) {
                assertThat(c.querySync("SELECT 1").resultSet().rows()).hasSize(1);
                String marker = "cut-" + id;
                relay.cutAt(marker, forwardFirst);
                ServerException e = catchThrowableOfType(
                        ServerException.class,
                        () -> c.querySync("INSERT INTO ledger VALUES (" + id + ", '" + marker + "')"));
                assertThat(e)
                        .as("the client must get an ERR, not an OK (forwardFirst %s)", forwardFirst)
                        .isNotNull();
                assertThat(e.errorCode()).isEqualTo(1158);
                assertThat(e.sqlState()).isEqualTo("08S01");
                assertThat(e.err().message()).contains("COM_QUERY").contains("may or may not have run");
                if (i == 0) {
                    System.out.println("safe-retry: client saw: " + e.err());
                }
            }
            assertThat(relay.cuts()).isEqualTo(cuts + 1);
            long count;
            try (Connection root = root()) {
                // the cut connection's server thread may still be finishing the INSERT
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> queryLong(
                                        root,
                                        "SELECT COUNT(*) FROM"
                                                + " information_schema.PROCESSLIST WHERE USER = 'app' AND COMMAND = 'Query'")
                                == 0);
                count = queryLong(root, "SELECT COUNT(*) FROM test.ledger WHERE id = " + id);
            }
            System.out.printf(
                    "safe-retry: cut %s the INSERT of id %d: rows %d%n", forwardFirst ? "after" : "before", id, count);
            assertThat(count)
                    .as("rows with id %d (cut %s forwarding)", id, forwardFirst ? "after" : "before")
                    .isLessThanOrEqualTo(1);
            if (!forwardFirst) {
                assertThat(count).as("the INSERT never reached the server").isZero();
            }
            assertThat(stats.retryCount())
                    .as("a statement that left is never retried")
                    .isEqualTo(retries);
            assertThat(stats.discardedCount(DiscardReason.BROKEN)).isEqualTo(broken + 1);
        }
        // and Sluice goes on serving through the relay
        try (ServerConnection c = viaRelay.codec()) {
            assertThat(c.querySync("SELECT COUNT(*) FROM ledger").resultSet().rows())
                    .hasSize(1);
        }
    }

    /**
     * A new server connection closed by the server right after the pool opened it (the relay cuts it just after
     * the answer to SELECT @@wait_timeout, the last step of opening): the client never hangs; its statement runs
     * on another connection when the close was seen before it was sent, otherwise it gets ERR 1158.
     */
    @Test
    void connectionClosedJustAfterOpeningNeverLeavesTheClientHanging() throws Exception {
        MariaDbSandbox s = db.sandbox();
        List<ServerConnection> held = new ArrayList<>();
        int ok = 0;
        int lost = 0;
        try (PoolProxy fresh = new PoolProxy(
                "127.0.0.1",
                relay.port(),
                s.rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(5)),
                PoolProxy.pool(40, Duration.ofSeconds(5), Duration.ofSeconds(2)).withMode(PoolMode.SESSION))) {
            for (int i = 0; i < 20; i++) {
                int cuts = relay.cuts();
                relay.cutAfterServerSends("@@wait_timeout");
                ServerConnection c = fresh.codec(); // held open, so every session needs a new server connection
                held.add(c);
                try {
                    Object v = ServerConnection.await(c.query("SELECT 'fresh-" + i + "'"), Duration.ofSeconds(10))
                            .resultSet()
                            .rows()
                            .get(0)
                            .get(0);
                    assertThat(Sha.text(v)).isEqualTo("fresh-" + i);
                    ok++;
                } catch (ServerException e) {
                    assertThat(e.errorCode())
                            .as("only a statement that left may fail: %s", e.err())
                            .isEqualTo(1158);
                    lost++;
                }
                assertThat(relay.cuts()).as("the new connection was cut").isEqualTo(cuts + 1);
            }
            System.out.printf(
                    "safe-retry: 20 connections cut right after opening: %d statements ok, %d ERR 1158; %s%n",
                    ok, lost, fresh.stats());
        } finally {
            held.forEach(ServerConnection::close);
        }
    }

    @Test
    void idleConnectionsKilledOnTheServerAreReplacedWithoutClientsNoticing() throws Exception {
        PoolStats stats = direct.stats();
        int rounds = 20;
        int width = 4;
        int errors = 0;
        List<String> firstErrors = new ArrayList<>();
        long killed = 0;
        long staleBefore = stats.discardedCount(DiscardReason.STALE);
        // only this test's connections: the other proxies of the class log in as app too
        ConnectOptions killdb = direct.appOptions().database("killdb").build();
        String mine = " information_schema.PROCESSLIST WHERE USER = 'app' AND DB = 'killdb'";
        try (Connection root = root()) {
            for (int round = 0; round < rounds; round++) {
                // `width` sessions at once, so as many server connections idle in the pool afterwards
                List<ServerConnection> sessions = new ArrayList<>();
                for (int i = 0; i < width; i++) {
                    sessions.add(direct.codec(killdb));
                }
                List<CompletableFuture<?>> queries = new ArrayList<>();
                for (ServerConnection s : sessions) {
                    queries.add(s.query("SELECT CONNECTION_ID()"));
                }
                CompletableFuture.allOf(queries.toArray(CompletableFuture[]::new))
                        .join();
                sessions.forEach(ServerConnection::close);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> queryLong(root, "SELECT COUNT(*) FROM" + mine + " AND COMMAND <> 'Sleep'") == 0);
                List<Long> ids = new ArrayList<>();
                try (Statement st = root.createStatement();
                        ResultSet rs = st.executeQuery("SELECT ID FROM" + mine)) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                assertThat(ids).as("idle pooled connections (round %d)", round).isNotEmpty();
                try (Statement st = root.createStatement()) {
                    for (long id : ids) {
                        st.execute("KILL " + id);
                    }
                }
                killed += ids.size();
                // the server has closed them once they leave its process list; Sluice is not waited for
                await().atMost(Duration.ofSeconds(5)).until(() -> queryLong(root, "SELECT COUNT(*) FROM" + mine) == 0);
                for (int i = 0; i < width; i++) {
                    try (ServerConnection c = direct.codec(killdb)) {
                        String tag = "after-kill-" + round + "-" + i;
                        assertThat(Sha.text(c.querySync("SELECT '" + tag + "'")
                                        .resultSet()
                                        .rows()
                                        .get(0)
                                        .get(0)))
                                .isEqualTo(tag);
                    } catch (RuntimeException e) {
                        errors++;
                        if (firstErrors.size() < 5) {
                            firstErrors.add("round " + round + ": " + e);
                        }
                    }
                }
            }
        }
        long stale = stats.discardedCount(DiscardReason.STALE) - staleBefore;
        System.out.printf(
                "safe-retry: killed %d idle pooled connections in %d rounds: %d client errors; stale %d;" + " %s%n",
                killed, rounds, errors, stale, stats);
        assertThat(errors).as("client-visible errors: %s", firstErrors).isZero();
        long wanted = killed;
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stats.discardedCount(DiscardReason.STALE) - staleBefore >= wanted);
        assertThat(stats.discardedCount(DiscardReason.STALE) - staleBefore)
                .as("every killed connection is discarded as stale: %s", stats)
                .isEqualTo(killed);
    }
}
