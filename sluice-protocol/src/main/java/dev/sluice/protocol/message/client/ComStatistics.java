package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;

/** COM_STATISTICS: the command byte and nothing else. */
public record ComStatistics() implements ClientCommand {
    public static final ComStatistics INSTANCE = new ComStatistics();

    public static ComStatistics decode(ByteBuf buf) {
        Commands.headerOnly(buf, Command.COM_STATISTICS);
        return INSTANCE;
    }

    @Override
    public Command command() {
        return Command.COM_STATISTICS;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STATISTICS.code());
    }
}
