package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** COM_SET_OPTION: option int&lt;2&gt;, 0 = MULTI_STATEMENTS_ON, 1 = MULTI_STATEMENTS_OFF. */
public record ComSetOption(int option) implements ClientCommand {
    public static final int MULTI_STATEMENTS_ON = 0;
    public static final int MULTI_STATEMENTS_OFF = 1;

    public static ComSetOption decode(ByteBuf buf) {
        Commands.header(buf, Command.COM_SET_OPTION);
        int option = Wire.readInt2(buf, "COM_SET_OPTION option");
        if (option != MULTI_STATEMENTS_ON && option != MULTI_STATEMENTS_OFF) {
            throw new ProtocolException("COM_SET_OPTION option: " + option + " (expected: 0 or 1)");
        }
        Wire.expectEnd(buf, "COM_SET_OPTION");
        return new ComSetOption(option);
    }

    @Override
    public Command command() {
        return Command.COM_SET_OPTION;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_SET_OPTION.code());
        Wire.writeInt2(out, option);
    }
}
