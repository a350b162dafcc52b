package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.fake.FakeMysqlServer;
import dev.sluice.backend.fake.Received;
import dev.sluice.backend.fake.Received.Kind;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.client.UnsupportedCommand;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Commands whose answer is not a command response (COM_CHANGE_USER: an authentication exchange;
 * COM_BINLOG_DUMP: a replication stream) are refused before they are written. Found by sluice-it against
 * MariaDB: COM_CHANGE_USER used to be sent, its decoder then failed to be created on the event loop, the
 * future never completed, and the server's answer arrived with no decoder (a NullPointerException that closed
 * the connection).
 */
class UnsupportedCommandTest {
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
    void changeUserAndBinlogDumpAreRefusedUnsentAndTheConnectionStaysUsable() {
        try (FakeMysqlServer fake = FakeMysqlServer.builder()
                        .account("app", "pw")
                        .cached(true)
                        .start();
                ServerConnection conn =
                        ServerConnection.await(connector.connect(ConnectOptions.builder(fake.host(), fake.port())
                                .user("app", "pw")
                                .build()))) {
            List<ClientCommand> refused = List.of(
                    new ComChangeUser("app", new byte[0], "", 45, "mysql_native_password", null),
                    new UnsupportedCommand(Command.COM_BINLOG_DUMP, new byte[10]));
            for (ClientCommand command : refused) {
                assertThatThrownBy(() -> ServerConnection.await(conn.command(command), Duration.ofSeconds(5)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(fake.host() + ":" + fake.port())
                        .hasMessageContaining(command.command() + " not sent");
            }

            assertThat(conn.isOpen()).isTrue();
            assertThat(conn.querySync("SELECT 7").resultSet().rows()).containsExactly(List.of(7L));
            List<Received> commands = fake.received(Kind.COMMAND);
            assertThat(commands).as("only the SELECT reached the server").hasSize(1);
            assertThat(commands.get(0).payload()[0]).isEqualTo((byte) Command.COM_QUERY.code());
        }
    }
}
