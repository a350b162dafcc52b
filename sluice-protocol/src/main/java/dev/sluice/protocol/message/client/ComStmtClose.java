package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** COM_STMT_CLOSE: statement id int&lt;4&gt;. The server sends no response. */
public record ComStmtClose(long statementId) implements ClientCommand {
    public static ComStmtClose decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_STMT_CLOSE);
        long id = Wire.readInt4(buf, "COM_STMT_CLOSE statement_id");
        Wire.expectEnd(buf, "COM_STMT_CLOSE");
        return new ComStmtClose(id);
    }

    @Override
    public Command command() {
        return Command.COM_STMT_CLOSE;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_CLOSE.code());
        Wire.writeInt4(out, statementId);
    }
}
