package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ServerConnection;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server connection that the server (or the network) closes while Sluice is still setting it up is not a
 * sign the server is down: nothing of the client's statement left, so the pool opens another one at once and
 * the client never notices; the server is not marked down. (Seen under a storm of KILLs: one such close used
 * to mark the server down and fail every client for a whole health-check interval.)
 */
class SetUpRetryTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    /** Forwards to the sandbox, but hangs up on the connection numbered {@link #dropAt} right after accepting it. */
    private static final class DroppingForwarder implements AutoCloseable {
        final ServerSocket listener;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger dropAt = new AtomicInteger(-1);

        DroppingForwarder(int targetPort) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(
                    () -> {
                        try {
                            for (; ; ) {
                                Socket in = listener.accept();
                                if (accepted.incrementAndGet() == dropAt.get()) {
                                    in.close();
                                    continue;
                                }
                                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                                pump(in, out);
                                pump(out, in);
                            }
                        } catch (IOException e) {
                            // closed
                        }
                    },
                    "dropping-forwarder");
            t.setDaemon(true);
            t.start();
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream();
                        OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side went away
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    @Test
    void aConnectionClosedDuringSetUpIsReplacedAndTheServerStaysUp() throws Exception {
        // the greeting probe at start takes the first connection: drop the next one, the pool's first open
        try (DroppingForwarder forwarder = new DroppingForwarder(db.sandbox().port());
                PoolProxy sluice = new PoolProxy(
                        "127.0.0.1",
                        forwarder.listener.getLocalPort(),
                        db.sandbox().rootPassword(),
                        PoolProxy.timeouts(Duration.ofSeconds(5)),
                        PoolProxy.pool(4, Duration.ofSeconds(2), Duration.ofMinutes(10)))) {
            // start no longer waits for that probe: let it connect first, so that the drop hits the pool's open
            await().atMost(Duration.ofSeconds(10)).until(() -> forwarder.accepted.get() >= 1);
            int before = forwarder.accepted.get();
            forwarder.dropAt.set(before + 1);
            try (ServerConnection c = sluice.codec()) {
                assertThat(c.querySync("SELECT 6 * 7").resultSet().rows().get(0).get(0))
                        .isEqualTo(42L);
            }
            assertThat(forwarder.accepted.get())
                    .as("a second connection replaced the dropped one")
                    .isGreaterThanOrEqualTo(before + 2);
            assertThat(sluice.health().isDown())
                    .as("one closed set-up does not mark the server down")
                    .isFalse();
            assertThat(sluice.stats().retryCount()).isEqualTo(1);
            assertThat(sluice.stats().createFailureCount()).isEqualTo(1);
        }
    }
}
