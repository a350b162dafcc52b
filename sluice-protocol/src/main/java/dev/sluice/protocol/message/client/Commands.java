package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** Shared checks for command decoders. */
final class Commands {
    private Commands() {}

    /** Consumes the command byte and checks it is {@code expected}. */
    static void header(ByteBuf buf, Command expected) {
        int code = Wire.readInt1(buf, name(expected) + " command");
        if (code != expected.code()) {
            throw new ProtocolException(name(expected) + " command: 0x" + Integer.toHexString(code) + " (expected: 0x"
                    + Integer.toHexString(expected.code()) + ")");
        }
    }

    static String name(Command c) {
        return c.name();
    }

    /** A command that has no body: anything after the command byte is an error. */
    static void headerOnly(ByteBuf buf, Command expected) {
        header(buf, expected);
        Wire.expectEnd(buf, expected.name());
    }
}
