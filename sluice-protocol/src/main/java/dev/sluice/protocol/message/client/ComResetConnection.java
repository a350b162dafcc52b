package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;

/** COM_RESET_CONNECTION: the command byte and nothing else. */
public record ComResetConnection() implements ClientCommand {
    public static final ComResetConnection INSTANCE = new ComResetConnection();

    public static ComResetConnection decode(ByteBuf buf) {
        Commands.headerOnly(buf, Command.COM_RESET_CONNECTION);
        return INSTANCE;
    }

    @Override
    public Command command() {
        return Command.COM_RESET_CONNECTION;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_RESET_CONNECTION.code());
    }
}
