package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which statements keep a transaction-mode session on its connection after a successful answer (SET of session
 * variables and USE do not: the state tracker carries them to the next connection).
 */
class LeaseKeeperTest {
    private static Packet query(String sql) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(Command.COM_QUERY.code());
        buf.writeCharSequence(sql, StandardCharsets.UTF_8);
        return new Packet(0, buf);
    }

    private static boolean keepsConnection(String sql) {
        LeaseKeeper keeper = new LeaseKeeper(1);
        SessionStatus status = new SessionStatus();
        Packet packet = query(sql);
        try {
            keeper.command(Command.COM_QUERY, packet, false);
            status.server(ServerStatus.AUTOCOMMIT);
            keeper.answered(true, status);
            return !keeper.mayRelease(status);
        } finally {
            packet.release();
            keeper.close();
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "SELECT c FROM sbtest1 WHERE id = 5                    | false",
                "UPDATE t SET x = 1 WHERE id = 2                       | false",
                "INSERT INTO t (a) VALUES (1), (2)                     | false",
                "SET STATEMENT max_statement_time = 1 FOR SELECT 1     | false",
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED        | true",
                "SET @a = 1                                            | true",
                "SET sql_mode = 'ANSI'                                 | false",
                "set names utf8mb4                                     | false",
                "/* hello */ SET @@session.time_zone = '+01:00'        | false",
                "SET @a = 1, @@session.autocommit = 0                  | true",
                "USE test                                              | false",
                "SELECT 1; USE test                                    | false",
                "SELECT 'SET x = 1' AS s                               | false",
                "CREATE TEMPORARY TABLE tt (x INT)                     | true",
                "SELECT GET_LOCK('a', 1)                               | true",
            })
    void keepsTheConnectionAfter(String sql, boolean keeps) {
        assertThat(keepsConnection(sql)).as(sql).isEqualTo(keeps);
    }
}
