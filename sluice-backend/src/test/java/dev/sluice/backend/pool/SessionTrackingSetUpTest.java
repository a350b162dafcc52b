package dev.sluice.backend.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.SessionTracking.TrackerDefaults;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.server.SessionStateChange;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11: a pool whose connections track ({@link ConnectOptions#sessionTracking()}) negotiates
 * CLIENT_SESSION_TRACK although its client did not ask for it, turns the trackers on at set-up and again after each
 * reset, and learns the server's global tracker settings (what a direct client starts with) and the order in which
 * the server reports the variables of the global list.
 */
class SessionTrackingSetUpTest {
    private static final String USER = "app";
    private static final String PASSWORD = "app-pw";
    /** What a client without CLIENT_SESSION_TRACK negotiated (the proxy passes its client's capabilities). */
    private static final long CLIENT_CAPABILITIES = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_DEPRECATE_EOF;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(USER, PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static EventLoopGroup group;
    private static ServerConnector connector;

    @BeforeAll
    static void startClient() {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stopClient() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ConnectOptions options(boolean tracking) {
        return ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                .user(USER, PASSWORD)
                .database("test")
                .capabilities(CLIENT_CAPABILITIES)
                .sessionTracking(tracking)
                .build();
    }

    private static ServerPool pool(boolean tracking) {
        PoolSettings settings = PoolSettings.defaults();
        return new ServerPool(
                "sandbox",
                options(tracking),
                connector,
                settings,
                new PoolStats(),
                null,
                new ServerSlots("sandbox", settings),
                () -> null);
    }

    private static List<Object> row(ServerConnection c, String sql) {
        return c.querySync(sql).resultSet().rows().get(0);
    }

    private static String text(Object v) {
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
    }

    private static List<String> trackers(ServerConnection c) {
        return row(
                        c,
                        "SELECT @@session.session_track_schema, @@session.session_track_state_change,"
                                + " @@session.session_track_system_variables")
                .stream()
                .map(SessionTrackingSetUpTest::text)
                .toList();
    }

    @Test
    void trackersAreOnAtSetUpAndAfterAResetAndTheGlobalDefaultsAreLearned() {
        ServerPool pool = pool(true);
        try {
            PooledConnection c = ServerConnection.await(pool.acquire(group.next()));
            assertThat(Capability.has(c.connection().capabilities(), Capability.CLIENT_SESSION_TRACK))
                    .as("CLIENT_SESSION_TRACK is negotiated although the client did not ask for it")
                    .isTrue();
            assertThat(trackers(c.connection())).containsExactly("1", "1", "*");

            List<String> global = List.of(db.sandbox()
                    .execute("SELECT " + SessionTracking.GLOBAL_DEFAULTS_COLUMNS)
                    .strip()
                    .split("\t"));
            TrackerDefaults learned = pool.trackerDefaults();
            System.out.println("tracking-set-up: global " + global + ", learned " + learned);
            assertThat(learned).isNotNull();
            assertThat(List.of(
                            learned.schema() ? "1" : "0",
                            learned.stateChange() ? "1" : "0",
                            learned.systemVariables(),
                            learned.transactionInfo()))
                    .isEqualTo(global);
            assertThat(learned.order())
                    .as("every variable of the global list, in some order")
                    .containsExactlyInAnyOrder(learned.systemVariables().split(","));

            long resets = pool.stats().resetCount();
            pool.release(c, false); // a reset: COM_RESET_CONNECTION puts the trackers back to the global values
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> pool.stats().resetCount() > resets && pool.idleCount() == 1);
            PooledConnection again = ServerConnection.await(pool.acquire(group.next()));
            assertThat(again).isSameAs(c);
            assertThat(trackers(again.connection())).containsExactly("1", "1", "*");
        } finally {
            pool.close();
        }
    }

    /**
     * The learned order is the one a direct client with the default trackers sees when several variables change in
     * one statement, whatever order the statement names them in.
     */
    @Test
    void theLearnedOrderIsTheOrderOfADirectClientsOk() {
        ServerPool pool = pool(true);
        try {
            PooledConnection c = ServerConnection.await(pool.acquire(group.next()));
            List<String> order = pool.trackerDefaults().order();
            try (ServerConnection direct = ServerConnection.await(
                    connector.connect(options(false).toBuilder().capabilities(0).build(), group.next()))) {
                String set = "SET time_zone='+01:00', character_set_results=latin1, autocommit=0,"
                        + " character_set_client=latin1, character_set_connection=latin1";
                List<String> reported = direct.querySync(set).ok().sessionStateChanges().stream()
                        .filter(e -> e.type() == SessionStateChange.SYSTEM_VARIABLES)
                        .map(e -> e.strings().get(0).toLowerCase(Locale.ROOT))
                        .toList();
                System.out.println("tracking-set-up: learned order " + order + ", direct OK " + reported);
                assertThat(reported).hasSize(5);
                assertThat(order).containsSubsequence(reported);
            }
            pool.release(c, true);
        } finally {
            pool.close();
        }
    }

    @Test
    void aPoolThatDoesNotTrackLeavesTheClientsCapabilitiesAndTheServersTrackers() {
        ServerPool pool = pool(false);
        try {
            PooledConnection c = ServerConnection.await(pool.acquire(group.next()));
            assertThat(Capability.has(c.connection().capabilities(), Capability.CLIENT_SESSION_TRACK))
                    .isFalse();
            assertThat(trackers(c.connection()).get(2)).isNotEqualTo("*");
            assertThat(pool.trackerDefaults()).isNull();
            pool.release(c, true);
        } finally {
            pool.close();
        }
    }

    /** What the set-up's extra statements cost: the pipelined tracking set-up against the plain one, medians. */
    @Test
    void costOfTheTrackingSetUp() {
        long[] plain = new long[200];
        long[] tracking = new long[200];
        try (ServerConnection c = ServerConnection.await(connector.connect(options(false), group.next()))) {
            for (int i = 0; i < plain.length; i++) {
                long t0 = System.nanoTime();
                ServerConnection.await(ConnectionSetUp.setUp(c, options(false), Duration.ofSeconds(5), Duration.ZERO));
                long t1 = System.nanoTime();
                ServerConnection.await(ConnectionSetUp.setUp(c, options(true), Duration.ofSeconds(5), Duration.ZERO));
                long t2 = System.nanoTime();
                plain[i] = t1 - t0;
                tracking[i] = t2 - t1;
            }
        }
        java.util.Arrays.sort(plain);
        java.util.Arrays.sort(tracking);
        System.out.printf(
                "tracking-set-up: median set-up %d us plain, %d us with trackers (one round trip either way)%n",
                plain[plain.length / 2] / 1000, tracking[tracking.length / 2] / 1000);
        assertThat(tracking[tracking.length / 2]).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
    }
}
