package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;

/** COM_QUIT: the command byte and nothing else. */
public record ComQuit() implements ClientCommand {
    public static final ComQuit INSTANCE = new ComQuit();

    public static ComQuit decode(ByteBuf buf) {
        Commands.headerOnly(buf, Command.COM_QUIT);
        return INSTANCE;
    }

    @Override
    public Command command() {
        return Command.COM_QUIT;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_QUIT.code());
    }
}
