package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** COM_STMT_RESET: statement id int&lt;4&gt;; clears long data sent for it and closes its cursor. */
public record ComStmtReset(long statementId) implements ClientCommand {
    public static ComStmtReset decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_STMT_RESET);
        long id = Wire.readInt4(buf, "COM_STMT_RESET statement_id");
        Wire.expectEnd(buf, "COM_STMT_RESET");
        return new ComStmtReset(id);
    }

    @Override
    public Command command() {
        return Command.COM_STMT_RESET;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_RESET.code());
        Wire.writeInt4(out, statementId);
    }
}
