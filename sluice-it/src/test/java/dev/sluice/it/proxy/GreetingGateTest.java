package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.it.faults.HostileRelay;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sluice's greeting before the server's is known (issue 10, item 7): a client is never offered a made-up
 * version or capabilities the server may lack. While the server cannot be reached the client gets ERR 1429 in
 * place of the greeting (what a session gets for a server that is down); a client that arrives while the
 * start-up probe still waits for a slow server waits with it and gets the server's own version.
 */
class GreetingGateTest {
    /** Long enough that the probe at start is still waiting when the client arrives, even on a loaded machine. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static HandshakeV10 serverGreeting;

    @BeforeAll
    static void readServerGreeting() {
        try (RawClient direct = RawClient.connect(db.sandbox().port())) {
            serverGreeting = direct.greeting();
        }
    }

    private static ProxyFixture sluice(String host, int port) {
        Timeouts timeouts = new Timeouts(CONNECT_TIMEOUT, Duration.ofSeconds(10), Duration.ofSeconds(60), null, null);
        return new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(db.sandbox(), host, port, ProxyFixture.NO_TLS, timeouts, Limits.defaults(), false));
    }

    /**
     * The greeting tells the server's truth: its version, and no capability it lacks. TLS and compression are each
     * link's own, which Sluice implements itself (zstd towards a client whatever the server has).
     */
    private static void assertTellsTheServersTruth(HandshakeV10 greeting) {
        assertThat(greeting.serverVersion()).isEqualTo(serverGreeting.serverVersion());
        long linkOwn =
                Capability.CLIENT_SSL | Capability.CLIENT_COMPRESS | Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM;
        long lacking = greeting.capabilities() & ~(serverGreeting.capabilities() | linkOwn);
        assertThat(lacking)
                .as("capabilities offered that the server lacks: 0x%x", lacking)
                .isZero();
    }

    @Test
    void aServerDownAtStartGetsClientsAnErrNotAMadeUpGreeting() throws Exception {
        MariaDbSandbox server = db.sandbox();
        server.stop();
        try (ProxyFixture fixture = sluice(server.host(), server.port())) {
            try (RawClient client = RawClient.connect(fixture.port())) {
                RawClient.RawPacket first = client.read();
                assertThat(first.isErr()).as("ERR in place of the greeting").isTrue();
                ErrPacket err = first.err();
                assertThat(err.errorCode()).isEqualTo(1429);
                assertThat(err.message())
                        .startsWith("sluice: cannot open a connection to server " + ProxyFixture.SERVER);
                assertThat(client.closedByPeer()).isTrue();
            }
            assertThatThrownBy(() -> DriverManager.getConnection(
                            "jdbc:mariadb://127.0.0.1:" + fixture.port() + "/test",
                            ProxyFixture.USER,
                            ProxyFixture.PASSWORD))
                    .isInstanceOf(SQLException.class)
                    .satisfies(
                            e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1429));

            server.start();
            // marked down by the failed probes, the server is used again once a health check succeeds
            assertThat(fixture.recheckServer()).isTrue();
            try (RawClient client = RawClient.connect(fixture.port())) {
                assertTellsTheServersTruth(client.greeting());
            }
        } finally {
            if (!server.isRunning()) {
                server.start();
            }
        }
    }

    @Test
    void aClientArrivingWhileTheStartUpProbeWaitsGetsTheServersGreeting() throws Exception {
        try (HostileRelay relay = HostileRelay.start(
                "slow-greeting", db.sandbox().host(), db.sandbox().port(), 1L, HostileRelay.Profile.NO_DELAYS)) {
            relay.stall(); // the server's greeting is held back: the probe at start is still waiting
            try (ProxyFixture fixture = sluice(relay.host(), relay.port())) {
                CompletableFuture<HandshakeV10> greeting = CompletableFuture.supplyAsync(() -> {
                    try (RawClient client = RawClient.connect(fixture.port())) {
                        return client.greeting();
                    }
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy.clientConnections() == 1);
                assertThat(greeting).isNotDone();
                relay.unstall();
                assertTellsTheServersTruth(greeting.get(10, TimeUnit.SECONDS));
            }
        }
    }
}
