package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.proxy.ConfigReload;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.session.ProxyErrors;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hot reload (issue 13 item 5) through real drivers against a real server: users, a timeout and pool sizes change
 * while sessions stay open; a reload touching a restart-only key changes nothing; reloads while clients run
 * statements cost them nothing.
 */
class ReloadTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private ProxyFixture start(ProxyConfig config) {
        fixture = new ProxyFixture(db.sandbox(), config);
        return fixture;
    }

    private static ProxyConfig base(PoolMode mode) {
        return ProxyFixture.withMode(ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), mode);
    }

    /** {@code c} with other users, timeouts and pool settings (null keeps c's). */
    private static ProxyConfig with(ProxyConfig c, List<UserConfig> users, Timeouts timeouts, PoolSettings pool) {
        return new ProxyConfig(
                c.listeners(),
                c.servers(),
                users != null ? users : c.users(),
                c.clientTls(),
                timeouts != null ? timeouts : c.timeouts(),
                c.limits(),
                c.localInfile(),
                pool != null ? pool : c.pool(),
                c.clientAuthPlugin(),
                c.instanceId(),
                c.groups(),
                c.monitor(),
                c.routing(),
                c.http());
    }

    /** A client user logging in to the server as the fixture's user. */
    private static UserConfig alias(String name, String password) {
        return new UserConfig(name, password, null, ProxyFixture.USER, ProxyFixture.PASSWORD);
    }

    private static Connection login(ProxyFixture f, String user, String password) throws SQLException {
        return java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + f.port() + "/test", user, password);
    }

    private static int one(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void usersChangeForNewLoginsAndSessionsOfARemovedUserGoOn() throws Exception {
        ProxyConfig before = with(
                base(PoolMode.TRANSACTION),
                List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD), alias("leaving", "pw1")),
                null,
                null);
        ProxyFixture f = start(before);
        assertThatThrownBy(() -> login(f, "arriving", "pw2"))
                .as("not a user yet")
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(ProxyErrors.ACCESS_DENIED));
        try (Connection leaving = login(f, "leaving", "pw1")) {
            assertThat(one(leaving)).isEqualTo(1);

            ConfigReload.Result r = f.proxy.reload(with(
                    before,
                    List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD), alias("arriving", "pw2")),
                    null,
                    null));

            assertThat(r.applied()).as(r.describe()).isTrue();
            assertThat(r.changed()).containsExactly("users: added arriving", "users: removed leaving");
            try (Connection arriving = login(f, "arriving", "pw2")) {
                assertThat(one(arriving)).isEqualTo(1);
            }
            assertThatThrownBy(() -> login(f, "leaving", "pw1"))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(ProxyErrors.ACCESS_DENIED));
            for (int i = 0; i < 5; i++) {
                assertThat(one(leaving))
                        .as("the removed user's session goes on")
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void aTimeoutAppliesToTheNextStatementOfASessionOpenBefore() throws Exception {
        ProxyConfig before = base(PoolMode.TRANSACTION);
        ProxyFixture f = start(before);
        try (Connection c = f.mariadb("");
                Statement s = c.createStatement()) {
            s.executeQuery("SELECT SLEEP(2)").close(); // no server-read-timeout yet

            Timeouts t = before.timeouts();
            ConfigReload.Result r = f.proxy.reload(with(
                    before,
                    null,
                    new Timeouts(
                            t.connect(), t.clientHandshake(), t.clientWrite(), Duration.ofMillis(500), t.clientIdle()),
                    null));
            assertThat(r.changed()).containsExactly("server-read-timeout");

            assertThatThrownBy(() -> s.executeQuery("SELECT SLEEP(3)"))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(ProxyErrors.SERVER_LOST));
        }
    }

    @Test
    void poolSizeGrowsForTheNextLease() throws Exception {
        PoolSettings one = PoolSettings.defaults().toBuilder()
                .mode(PoolMode.SESSION)
                .maxSize(1)
                .acquireTimeout(Duration.ofSeconds(1))
                .build();
        ProxyConfig before = with(base(PoolMode.SESSION), null, null, one);
        ProxyFixture f = start(before);
        try (Connection first = f.mariadb("")) {
            assertThat(one(first)).isEqualTo(1);
            assertThatThrownBy(() -> {
                        try (Connection second = f.mariadb("")) {
                            one(second);
                        }
                    })
                    .as("max-size 1, held by the first session")
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Too many connections");

            ConfigReload.Result r = f.proxy.reload(
                    with(before, null, null, one.toBuilder().maxSize(2).build()));
            assertThat(r.changed()).containsExactly("pool");

            try (Connection third = f.mariadb("")) {
                assertThat(one(third)).isEqualTo(1);
            }
            assertThat(one(first)).isEqualTo(1);
        }
    }

    @Test
    void aRestartOnlyKeyRefusesTheWholeReload() throws Exception {
        ProxyConfig before = base(PoolMode.TRANSACTION);
        ProxyFixture f = start(before);
        ProxyConfig next = with(
                before,
                List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD), alias("arriving", "pw2")),
                null,
                null);
        next = new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", f.port() + 1)),
                next.servers(),
                next.users(),
                next.clientTls(),
                next.timeouts(),
                next.limits(),
                next.localInfile(),
                next.pool(),
                next.clientAuthPlugin(),
                next.instanceId() + 1,
                next.groups(),
                next.monitor(),
                next.routing(),
                next.http());

        ConfigReload.Result r = f.proxy.reload(next);

        assertThat(r.applied()).isFalse();
        assertThat(r.describe())
                .contains("listen, instance-id change only on restart")
                .contains("nothing was changed");
        assertThatThrownBy(() -> login(f, "arriving", "pw2"))
                .as("the users of a refused reload")
                .isInstanceOf(SQLException.class);
        try (Connection c = f.mariadb("")) {
            assertThat(one(c)).isEqualTo(1);
        }
    }

    @Test
    void reloadsWhileClientsRunStatementsCostThemNothing() throws Exception {
        ProxyConfig before = base(PoolMode.TRANSACTION);
        ProxyFixture f = start(before);
        db.sandbox().execute("CREATE TABLE IF NOT EXISTS test.reloads (k INT)");
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger statements = new AtomicInteger();
        int clients = 4;
        CountDownLatch done = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread t = new Thread(() -> {
                try (Connection c = f.mariadb("");
                        Statement s = c.createStatement()) {
                    while (running.get()) {
                        s.execute("INSERT INTO reloads VALUES (" + client + ")");
                        c.setAutoCommit(false);
                        s.executeQuery("SELECT COUNT(*) FROM reloads").close();
                        c.commit();
                        c.setAutoCommit(true);
                        statements.addAndGet(3);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
            t.start();
            threads.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < 10; i++) {
            int seen = statements.get();
            while (statements.get() < seen + 60 && errors.isEmpty() && System.nanoTime() < deadline) {
                // traffic between reloads: a few rounds of every kind
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            Timeouts t = before.timeouts();
            List<UserConfig> users = i % 2 == 0
                    ? List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD), alias("extra" + i, "pw"))
                    : before.users();
            ConfigReload.Result r = f.proxy.reload(with(
                    before,
                    users,
                    new Timeouts(
                            t.connect(),
                            t.clientHandshake(),
                            t.clientWrite(),
                            Duration.ofSeconds(30 + i),
                            t.clientIdle()),
                    before.pool().toBuilder().maxSize(50 + i).build()));
            assertThat(r.applied()).as(r.describe()).isTrue();
        }
        running.set(false);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(errors).isEmpty();
        assertThat(statements.get()).isGreaterThan(200);
    }
}
