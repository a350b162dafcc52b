package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** COM_STMT_FETCH: statement id int&lt;4&gt;, number of rows int&lt;4&gt; to read from the open cursor. */
public record ComStmtFetch(long statementId, long numRows) implements ClientCommand {
    public static ComStmtFetch decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_STMT_FETCH);
        long id = Wire.readInt4(buf, "COM_STMT_FETCH statement_id");
        long rows = Wire.readInt4(buf, "COM_STMT_FETCH num_rows");
        Wire.expectEnd(buf, "COM_STMT_FETCH");
        return new ComStmtFetch(id, rows);
    }

    @Override
    public Command command() {
        return Command.COM_STMT_FETCH;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_FETCH.code());
        Wire.writeInt4(out, statementId);
        Wire.writeInt4(out, numRows);
    }
}
