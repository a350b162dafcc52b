package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * COM_PROCESS_KILL: connection id int&lt;4&gt;. The id a client knows is Sluice's, not a server thread's;
 * the session translates it.
 */
public record ComProcessKill(long connectionId) implements ClientCommand {
    public static ComProcessKill decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_PROCESS_KILL);
        long id = Wire.readInt4(buf, "COM_PROCESS_KILL connection_id");
        Wire.expectEnd(buf, "COM_PROCESS_KILL");
        return new ComProcessKill(id);
    }

    @Override
    public Command command() {
        return Command.COM_PROCESS_KILL;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_PROCESS_KILL.code());
        Wire.writeInt4(out, connectionId);
    }
}
