package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * MariaDB COM_STMT_BULK_EXECUTE (0xFA, MARIADB_CLIENT_STMT_BULK_OPERATIONS): statement id int&lt;4&gt;,
 * flags int&lt;2&gt; (64 = SEND_UNIT_RESULTS, 128 = SEND_TYPES_TO_SERVER), then parameter types and rows of
 * values with indicator bytes. Only the header is decoded; the rest is kept raw for relaying.
 */
public record ComStmtBulkExecute(long statementId, int flags, byte[] body) implements ClientCommand {
    public static final int SEND_UNIT_RESULTS = 64;
    public static final int SEND_TYPES_TO_SERVER = 128;

    public static ComStmtBulkExecute decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_STMT_BULK_EXECUTE);
        long id = Wire.readInt4(buf, "COM_STMT_BULK_EXECUTE statement_id");
        int flags = Wire.readInt2(buf, "COM_STMT_BULK_EXECUTE flags");
        return new ComStmtBulkExecute(id, flags, Wire.readRestBytes(buf));
    }

    @Override
    public Command command() {
        return Command.COM_STMT_BULK_EXECUTE;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_BULK_EXECUTE.code());
        Wire.writeInt4(out, statementId);
        Wire.writeInt2(out, flags);
        out.writeBytes(body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComStmtBulkExecute c
                && c.statementId == statementId
                && c.flags == flags
                && Arrays.equals(c.body, body);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(statementId) * 31 + flags * 17 + Arrays.hashCode(body);
    }
}
