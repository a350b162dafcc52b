package dev.sluice.protocol.message.server;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * LOCAL INFILE request: 0xFB and the file name (string&lt;EOF&gt;) the client should send. Only a client
 * that sent a LOAD DATA LOCAL may be asked for a file; that check belongs to the session.
 */
public record LocalInfileRequest(String filename) {
    public static final int HEADER = 0xFB;

    public static LocalInfileRequest decode(ByteBuf buf) {
        int header = Wire.readInt1(buf, "LocalInfileRequest header");
        if (header != HEADER) {
            throw new ProtocolException(
                    "LocalInfileRequest header: 0x" + Integer.toHexString(header) + " (expected: 0xfb)");
        }
        return new LocalInfileRequest(Wire.readRestString(buf, StandardCharsets.UTF_8));
    }

    public void encode(ByteBuf buf) {
        buf.writeByte(HEADER);
        buf.writeBytes(filename.getBytes(StandardCharsets.UTF_8));
    }
}
