package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * EOF_Packet (without CLIENT_DEPRECATE_EOF): 0xFE, then warnings and status flags under CLIENT_PROTOCOL_41.
 * 0xFE also starts an OK packet that ends a result set under CLIENT_DEPRECATE_EOF and, in packets of 16 MiB
 * or more, a text row whose first value has an 8-byte length; only the payload length separates them.
 */
public record EofPacket(int warnings, int statusFlags) {
    public static final int HEADER = 0xFE;

    /** True when the payload is an EOF packet: header 0xFE and shorter than 9 bytes. */
    public static boolean isEof(ByteBuf payload) {
        return payload.readableBytes() < 9
                && payload.isReadable()
                && payload.getUnsignedByte(payload.readerIndex()) == HEADER;
    }

    public static EofPacket decode(ByteBuf buf, long capabilities) {
        int header = Wire.readInt1(buf, "EOF header");
        if (header != HEADER) {
            throw new ProtocolException("EOF header: 0x" + Integer.toHexString(header) + " (expected: 0xfe)");
        }
        if (Capability.has(capabilities, Capability.CLIENT_PROTOCOL_41)) {
            int warnings = Wire.readInt2(buf, "EOF warnings");
            int status = Wire.readInt2(buf, "EOF status_flags");
            return new EofPacket(warnings, status);
        }
        return new EofPacket(0, 0);
    }

    public void encode(ByteBuf buf, long capabilities) {
        Wire.writeInt1(buf, HEADER);
        if (Capability.has(capabilities, Capability.CLIENT_PROTOCOL_41)) {
            Wire.writeInt2(buf, warnings);
            Wire.writeInt2(buf, statusFlags);
        }
    }
}
