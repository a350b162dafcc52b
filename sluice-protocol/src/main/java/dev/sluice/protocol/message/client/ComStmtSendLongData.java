package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * COM_STMT_SEND_LONG_DATA: statement id int&lt;4&gt;, parameter id int&lt;2&gt;, data string&lt;EOF&gt;.
 * The server sends no response (an error surfaces at the next COM_STMT_EXECUTE).
 */
public record ComStmtSendLongData(long statementId, int paramId, byte[] data) implements ClientCommand {
    public static ComStmtSendLongData decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_STMT_SEND_LONG_DATA);
        long id = Wire.readInt4(buf, "COM_STMT_SEND_LONG_DATA statement_id");
        int param = Wire.readInt2(buf, "COM_STMT_SEND_LONG_DATA param_id");
        return new ComStmtSendLongData(id, param, Wire.readRestBytes(buf));
    }

    @Override
    public Command command() {
        return Command.COM_STMT_SEND_LONG_DATA;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_SEND_LONG_DATA.code());
        Wire.writeInt4(out, statementId);
        Wire.writeInt2(out, paramId);
        out.writeBytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComStmtSendLongData c
                && c.statementId == statementId
                && c.paramId == paramId
                && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(statementId) * 31 + paramId * 17 + Arrays.hashCode(data);
    }
}
