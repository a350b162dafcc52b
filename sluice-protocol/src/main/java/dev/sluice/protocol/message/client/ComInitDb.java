package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * COM_INIT_DB: the schema name, string&lt;EOF&gt;. The text is kept as bytes: its character set is the connection's, and a proxy must forward it
 * unchanged.
 */
public record ComInitDb(byte[] schema) implements ClientCommand {
    public static ComInitDb of(String schema) {
        return new ComInitDb(schema.getBytes(StandardCharsets.UTF_8));
    }

    public static ComInitDb decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_INIT_DB);
        return new ComInitDb(Wire.readRestBytes(buf));
    }

    public String schemaString() {
        return new String(schema, StandardCharsets.UTF_8);
    }

    @Override
    public Command command() {
        return Command.COM_INIT_DB;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_INIT_DB.code());
        out.writeBytes(schema);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComInitDb other && Arrays.equals(other.schema, schema);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(schema);
    }

    @Override
    public String toString() {
        return "ComInitDb[" + schemaString() + "]";
    }
}
