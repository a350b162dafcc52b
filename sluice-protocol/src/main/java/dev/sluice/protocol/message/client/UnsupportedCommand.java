package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A known command byte Sluice does not model (COM_SLEEP, COM_CREATE_DB, COM_BINLOG_DUMP, ...): the body is
 * kept raw. Whether to answer ER_UNKNOWN_COM_ERROR or forward it is the session's policy, not the codec's.
 */
public record UnsupportedCommand(Command command, byte[] body) implements ClientCommand {
    public static UnsupportedCommand decode(ByteBuf buf, Command command) {
        Commands.header(buf, command);
        byte[] body = new byte[buf.readableBytes()];
        buf.readBytes(body);
        return new UnsupportedCommand(command, body);
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(command.code());
        out.writeBytes(body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnsupportedCommand c && c.command == command && Arrays.equals(c.body, body);
    }

    @Override
    public int hashCode() {
        return command.hashCode() * 31 + Arrays.hashCode(body);
    }
}
