package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;

/** COM_PING: the command byte and nothing else. */
public record ComPing() implements ClientCommand {
    public static final ComPing INSTANCE = new ComPing();

    public static ComPing decode(ByteBuf buf) {
        Commands.headerOnly(buf, Command.COM_PING);
        return INSTANCE;
    }

    @Override
    public Command command() {
        return Command.COM_PING;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_PING.code());
    }
}
