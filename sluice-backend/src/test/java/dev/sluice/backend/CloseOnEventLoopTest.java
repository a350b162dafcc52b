package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.fake.FakeMysqlServer;
import dev.sluice.backend.fake.Received;
import dev.sluice.protocol.Command;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerConnection#close()} called on the connection's own event loop, as a proxy session does when
 * its client left before the server connection was ready. Found by sluice-it: close() waited for the close
 * future on the thread that had to complete it and Netty threw BlockingOperationException out of close() (a
 * WARN with a stack trace in the proxy's log for every such client, and the caller's code after close()
 * skipped).
 */
class CloseOnEventLoopTest {
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

    @Test
    void closeOnTheEventLoopSendsQuitAndClosesWithoutBlocking() throws Exception {
        try (FakeMysqlServer fake =
                FakeMysqlServer.builder().account("app", "pw").cached(true).start()) {
            ServerConnection conn =
                    ServerConnection.await(connector.connect(ConnectOptions.builder(fake.host(), fake.port())
                            .user("app", "pw")
                            .build()));
            assertThat(fake.open()).isEqualTo(1);

            // the group has one loop: the connection's
            CompletableFuture<Void> closed = new CompletableFuture<>();
            group.next().execute(() -> {
                try {
                    conn.close();
                    closed.complete(null);
                } catch (Throwable t) {
                    closed.completeExceptionally(t);
                }
            });

            closed.get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.open() == 0);
            assertThat(conn.isOpen()).isFalse();
            List<Received> commands = fake.received(Received.Kind.COMMAND);
            assertThat(commands).hasSize(1);
            assertThat(commands.get(0).payload()).containsExactly(Command.COM_QUIT.code());
        }
    }
}
