package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.fake.FakeMysqlServer;
import dev.sluice.backend.fake.FakeMysqlServer.Behaviour;
import dev.sluice.backend.fake.Received;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DESIGN invariant 6: one deadline covers TCP connect, greeting, TLS and authentication. Servers that go
 * silent are scripted with {@link FakeMysqlServer}; each failure must come within the deadline plus slack,
 * name the phase it stopped in, and leave no socket open.
 */
class ConnectDeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(500);
    /** Lower bound with a little room for timer granularity; the upper bound is generous for slow CI. */
    private static final long MIN_MILLIS = 450;

    private static final long MAX_MILLIS = 3000;

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

    /** The outcome of one connect attempt and how long it took to arrive. */
    private record Attempt(Throwable failure, long millis) {}

    private static Attempt attempt(ConnectOptions options) {
        long start = System.nanoTime();
        CompletableFuture<ServerConnection> future = connector.connect(options);
        CompletableFuture<Attempt> outcome = future.handle((conn, failure) -> {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (conn != null) {
                conn.close();
            }
            return new Attempt(failure, millis);
        });
        return ServerConnection.await(outcome, Duration.ofSeconds(30));
    }

    private static ConnectOptions.Builder options(FakeMysqlServer fake) {
        return ConnectOptions.builder(fake.host(), fake.port())
                .user("app", "s3cret-pw")
                .connectTimeout(DEADLINE);
    }

    @Test
    void aServerThatAcceptsAndNeverGreetsFailsAtTheDeadline() {
        try (FakeMysqlServer fake = FakeMysqlServer.builder()
                .behaviour(Behaviour.SILENT_AFTER_ACCEPT)
                .start()) {
            Attempt attempt = attempt(options(fake).build());

            assertThat(attempt.failure())
                    .isInstanceOf(ConnectionFailedException.class)
                    .hasMessageContaining(fake.host() + ":" + fake.port())
                    .hasMessageContaining("connect-timeout 500 ms")
                    .hasMessageContaining("state: greeting");
            assertThat(attempt.millis())
                    .as("failed after %d ms", attempt.millis())
                    .isBetween(MIN_MILLIS, MAX_MILLIS);
            assertThat(fake.accepted()).as("TCP connect itself succeeded").isEqualTo(1);
            assertThat(fake.received()).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
        }
    }

    @Test
    void aServerThatGreetsAndNeverAnswersTheLoginFailsAtTheDeadline() {
        try (FakeMysqlServer fake = FakeMysqlServer.builder()
                .behaviour(Behaviour.SILENT_AFTER_GREETING)
                .start()) {
            Attempt attempt = attempt(options(fake).build());

            assertThat(attempt.failure())
                    .isInstanceOf(ConnectionFailedException.class)
                    .hasMessageContaining("connect-timeout 500 ms")
                    .hasMessageContaining("state: authenticating");
            assertThat(attempt.millis())
                    .as("failed after %d ms", attempt.millis())
                    .isBetween(MIN_MILLIS, MAX_MILLIS);
            assertThat(fake.received())
                    .as("the client sent its login, then waited")
                    .extracting(Received::kind)
                    .containsExactly(Received.Kind.IGNORED);
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
        }
    }

    @Test
    void aClosedPortFailsFastNamingTcpConnect() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        ConnectOptions options = ConnectOptions.builder("127.0.0.1", port)
                .user("app", "s3cret-pw")
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        Attempt attempt = attempt(options);

        assertThat(attempt.failure())
                .isInstanceOf(ConnectionFailedException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("tcp connect failed");
        assertThat(attempt.millis())
                .as("a refused connect does not wait for the 10 s deadline")
                .isLessThan(MAX_MILLIS);
    }

    @Test
    void tlsRequiredAgainstAServerWithoutTlsFailsBeforeSendingAnything() {
        try (FakeMysqlServer fake = FakeMysqlServer.builder().cached(true).start()) {
            Attempt attempt = attempt(options(fake)
                    .tls(TlsMode.REQUIRED)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());

            assertThat(attempt.failure())
                    .isInstanceOf(ServerTrustException.class)
                    .hasMessageContaining(fake.host() + ":" + fake.port())
                    .hasMessageContaining("tls required, but the server's greeting")
                    .hasMessageContaining("offers no TLS");
            assertThat(attempt.millis()).isLessThan(MAX_MILLIS);
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
            assertThat(fake.received())
                    .as("no login, so no credentials, went out in clear")
                    .isEmpty();
            assertThat(fake.rawInbound())
                    .singleElement()
                    .satisfies(raw -> assertThat(raw).isEmpty());
        }
    }

    @Test
    void tlsPreferredAgainstAServerWithoutTlsLogsInInClear() {
        try (FakeMysqlServer fake = FakeMysqlServer.builder()
                        .account("app", "s3cret-pw")
                        .cached(true)
                        .start();
                ServerConnection conn = ServerConnection.await(connector.connect(options(fake)
                        .tls(TlsMode.PREFERRED)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build()))) {
            assertThat(conn.isTls()).isFalse();
            assertThat(conn.querySync("SELECT 7").resultSet().rows()).containsExactly(List.of(7L));
            assertThat(fake.received(Received.Kind.SSL_REQUEST)).isEmpty();
        }
    }

    @Test
    void aServerThatStallsTheTlsHandshakeFailsAtTheDeadline() {
        try (FakeMysqlServer fake = FakeMysqlServer.builder()
                .tls(true)
                .behaviour(Behaviour.SILENT_IN_TLS_HANDSHAKE)
                .start()) {
            Attempt attempt = attempt(options(fake).tls(TlsMode.REQUIRED).build());

            assertThat(attempt.failure())
                    .isInstanceOf(ConnectionFailedException.class)
                    .hasMessageContaining("connect-timeout 500 ms")
                    .hasMessageContaining("state: tls_handshake");
            assertThat(attempt.millis())
                    .as("failed after %d ms", attempt.millis())
                    .isBetween(MIN_MILLIS, MAX_MILLIS);
            assertThat(fake.received()).extracting(Received::kind).containsExactly(Received.Kind.SSL_REQUEST);
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
        }
    }
}
