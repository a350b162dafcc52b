package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** COM_FIELD_LIST (deprecated, still sent by old clients): table string&lt;NUL&gt;, wildcard string&lt;EOF&gt;. */
public record ComFieldList(byte[] table, byte[] wildcard) implements ClientCommand {
    public static ComFieldList of(String table, String wildcard) {
        return new ComFieldList(table.getBytes(StandardCharsets.UTF_8), wildcard.getBytes(StandardCharsets.UTF_8));
    }

    public static ComFieldList decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_FIELD_LIST);
        byte[] table = Wire.readNulBytes(buf, "COM_FIELD_LIST table");
        return new ComFieldList(table, Wire.readRestBytes(buf));
    }

    @Override
    public Command command() {
        return Command.COM_FIELD_LIST;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_FIELD_LIST.code());
        out.writeBytes(table);
        out.writeByte(0);
        out.writeBytes(wildcard);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComFieldList c && Arrays.equals(c.table, table) && Arrays.equals(c.wildcard, wildcard);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(table) + Arrays.hashCode(wildcard);
    }

    @Override
    public String toString() {
        return "ComFieldList[" + new String(table, StandardCharsets.UTF_8) + ", "
                + new String(wildcard, StandardCharsets.UTF_8) + "]";
    }
}
