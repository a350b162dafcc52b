package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.Transport;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11, "a thousand concurrent transactions": against a server with max_connections 1000, 1,000 clients each
 * open a transaction through Sluice (START TRANSACTION, then an INSERT of its own row) and hold it open, all at the
 * same time; then every client that got in commits. Every client is either served or refused exactly as the server
 * refuses a connection beyond max_connections (the same code, SQLSTATE and message: measured directly in the same
 * test), the served transactions are open at once (the server's INNODB_TRX counts them), and after the commits
 * every served client's row is in the table exactly once and no refused client's row is.
 *
 * <p>The clients are the codec client on one event loop (1,000 sockets, no thread each). The account is an
 * application's: no SUPER or CONNECTION ADMIN, so the server's limit is exactly max_connections for it.
 */
class ThousandTransactionsTest {
    private static final int MAX_CONNECTIONS = 1000;
    private static final int CLIENTS = 1000;
    /** Logins in flight at once (the clients still end up all connected and all in a transaction together). */
    private static final int CONNECTING_AT_ONCE = 100;

    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(2);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .option("max-connections", String.valueOf(MAX_CONNECTIONS))
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.t (client INT PRIMARY KEY, at TIMESTAMP(6) NOT NULL DEFAULT NOW(6))"
                            + " ENGINE=InnoDB",
                    "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'app'@'%'",
                    "GRANT SELECT, INSERT, DELETE ON test.* TO 'app'@'%'")
            .build();

    static EventLoopGroup group;
    static ServerConnector connector;

    @BeforeAll
    static void start() {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One client's outcome: its connection and no error (in its transaction), or the error it got. */
    private record Outcome(int client, ServerConnection connection, ServerException refused) {}

    @ParameterizedTest
    @EnumSource(PoolMode.class)
    void thousandOpenTransactionsAreAllServedOrRefusedLikeTheServer(PoolMode mode) throws Exception {
        try (ServerConnection root = root()) {
            root.querySync("TRUNCATE test.t"); // the other mode's rows
        }
        ErrPacket serverRefusal = directRefusal();
        try (PoolProxy sluice = new PoolProxy(
                db.sandbox().host(),
                db.sandbox().port(),
                db.sandbox().rootPassword(),
                PoolProxy.timeouts(Duration.ofSeconds(20)),
                PoolSettings.builder()
                        .acquireTimeout(ACQUIRE_TIMEOUT)
                        .healthCheckInterval(Duration.ofMinutes(10))
                        .mode(mode)
                        .build())) {
            ConnectOptions options = sluice.appOptions().build();
            long begin = System.nanoTime();
            List<Outcome> outcomes = openTransactions(options, CLIENTS);
            long opened = System.nanoTime();
            List<Outcome> served =
                    outcomes.stream().filter(o -> o.refused() == null).toList();
            List<Outcome> refused =
                    outcomes.stream().filter(o -> o.refused() != null).toList();
            long openAtOnce = scalar("SELECT COUNT(*) FROM information_schema.INNODB_TRX");
            System.out.printf(
                    "thousand transactions: %d served, %d refused (%s), %d open at once in the server, %.1f s; %s%n",
                    served.size(),
                    refused.size(),
                    refused.stream()
                            .map(o -> o.refused().err().toString())
                            .distinct()
                            .collect(Collectors.joining("; ")),
                    openAtOnce,
                    (opened - begin) / 1e9,
                    sluice.stats());

            for (Outcome o : refused) {
                assertThat(o.refused().errorCode())
                        .as(
                                "client %d refused with the server's code (%s)",
                                o.client(), o.refused().err())
                        .isEqualTo(serverRefusal.errorCode());
                assertThat(o.refused().sqlState())
                        .as("client %d: SQLSTATE", o.client())
                        .isEqualTo(serverRefusal.sqlState());
                assertThat(o.refused().err().message())
                        .as("client %d: message", o.client())
                        .isEqualTo(serverRefusal.message());
            }
            // Sluice keeps pool.reserved-connections of the server's max_connections for its control connections
            assertThat(served.size())
                    .as("clients served (the rest refused like the server)")
                    .isGreaterThanOrEqualTo(MAX_CONNECTIONS - PoolSettings.DEFAULT_RESERVED - 1);
            assertThat(openAtOnce)
                    .as("every served client's transaction is open in the server at once")
                    .isEqualTo(served.size());

            List<CompletableFuture<?>> commits = new ArrayList<>();
            for (Outcome o : served) {
                commits.add(o.connection().query("COMMIT"));
            }
            CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (Outcome o : outcomes) {
                if (o.connection() != null) {
                    o.connection().close();
                }
            }
            Set<Integer> expected = served.stream().map(Outcome::client).collect(Collectors.toCollection(TreeSet::new));
            try (ServerConnection root = root()) {
                List<List<Object>> rows = root.querySync("SELECT client FROM test.t ORDER BY client")
                        .resultSet()
                        .rows();
                List<Integer> clients =
                        rows.stream().map(r -> ((Number) r.get(0)).intValue()).toList();
                assertThat(clients)
                        .as("every committed row, exactly once, and only those")
                        .doesNotHaveDuplicates()
                        .containsExactlyElementsOf(expected);
            }
        }
    }

    /**
     * Fills the server with direct connections of the application's account until it refuses one, and returns that
     * refusal; closes them all and waits until the server has let them go.
     */
    private static ErrPacket directRefusal() throws Exception {
        ConnectOptions options = ConnectOptions.builder(
                        db.sandbox().host(), db.sandbox().port())
                .user(PoolProxy.USER, PoolProxy.PASSWORD)
                .database("test")
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        List<ServerConnection> held = new ArrayList<>();
        ServerException refusal = null;
        try {
            for (int i = 0; i <= MAX_CONNECTIONS && refusal == null; i++) {
                try {
                    held.add(ServerConnection.await(connector.connect(options), Duration.ofSeconds(20)));
                } catch (ServerException e) {
                    refusal = e;
                }
            }
        } finally {
            held.forEach(ServerConnection::close);
        }
        assertThat(refusal)
                .as("the server refused a connection beyond max_connections")
                .isNotNull();
        System.out.printf(
                "thousand transactions: directly, %d connections got in, then %s%n", held.size(), refusal.err());
        assertThat(held.size()).isLessThanOrEqualTo(MAX_CONNECTIONS);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'") == 0);
        return refusal.err();
    }

    /**
     * Each client logs in, starts a transaction and inserts its own row; returns when every client is in its
     * transaction or refused. The transactions stay open.
     */
    private static List<Outcome> openTransactions(ConnectOptions options, int clients) throws Exception {
        Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
        List<CompletableFuture<Outcome>> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int client = i;
            connecting.acquire();
            CompletableFuture<ServerConnection> login = connector.connect(options);
            login.whenComplete((c, e) -> connecting.release());
            all.add(login.thenCompose(c -> c.query("START TRANSACTION")
                            .thenCompose(r -> c.query("INSERT INTO t (client) VALUES (" + client + ")"))
                            .handle((r, e) -> {
                                if (e == null) {
                                    return new Outcome(client, c, null);
                                }
                                c.close();
                                return new Outcome(client, null, serverError(client, e));
                            }))
                    .exceptionally(e -> new Outcome(client, null, serverError(client, e))));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletableFuture<Outcome> f : all) {
            outcomes.add(f.get(2 * ACQUIRE_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    /** The ERR a client got; anything else (a dropped connection, a timeout) fails the test. */
    private static ServerException serverError(int client, Throwable e) {
        Throwable cause = e instanceof CompletionException || e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof ServerException se) {
            return se;
        }
        throw new AssertionError("client " + client + " neither served nor refused with an ERR: " + cause, cause);
    }

    private static ServerConnection root() {
        return ServerConnection.await(connector.connect(
                ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                        .user(db.sandbox().rootUser(), db.sandbox().rootPassword())
                        .connectTimeout(Duration.ofSeconds(20))
                        .build()));
    }

    private static long scalar(String sql) {
        try (ServerConnection root = root()) {
            return ((Number) root.querySync(sql).resultSet().rows().get(0).get(0)).longValue();
        }
    }
}
