package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * COM_STMT_PREPARE: the statement text, string&lt;EOF&gt;. The text is kept as bytes: its character set is the connection's, and a proxy must forward it
 * unchanged.
 */
public record ComStmtPrepare(byte[] query) implements ClientCommand {
    public static ComStmtPrepare of(String query) {
        return new ComStmtPrepare(query.getBytes(StandardCharsets.UTF_8));
    }

    public static ComStmtPrepare decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_STMT_PREPARE);
        return new ComStmtPrepare(Wire.readRestBytes(buf));
    }

    public String queryString() {
        return new String(query, StandardCharsets.UTF_8);
    }

    @Override
    public Command command() {
        return Command.COM_STMT_PREPARE;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_PREPARE.code());
        out.writeBytes(query);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComStmtPrepare other && Arrays.equals(other.query, query);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(query);
    }

    @Override
    public String toString() {
        return "ComStmtPrepare[" + queryString() + "]";
    }
}
