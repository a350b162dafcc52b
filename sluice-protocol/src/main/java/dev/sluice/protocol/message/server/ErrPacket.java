package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * ERR_Packet: 0xFF, error code, (with CLIENT_PROTOCOL_41) '#' and a 5-character SQLSTATE, then the message.
 * A server may send an ERR before capabilities are agreed (e.g. "Too many connections" instead of a
 * greeting); it then carries no SQLSTATE, which is why the marker is checked rather than assumed.
 *
 * <p>MariaDB progress reports (code 0xFFFF, MARIADB_CLIENT_PROGRESS) share the header but are not errors;
 * {@link #isProgressReport(ByteBuf)} tells them apart before decoding.
 */
public record ErrPacket(int errorCode, String sqlState, String message) {
    public static final int HEADER = 0xFF;
    public static final int PROGRESS_REPORT_CODE = 0xFFFF;
    /** SQLSTATE used when a server sent none. */
    public static final String GENERAL_SQLSTATE = "HY000";

    public ErrPacket {
        if (sqlState.length() != 5) {
            throw new IllegalArgumentException("sqlState: '" + sqlState + "' (expected: 5 characters)");
        }
    }

    public static ErrPacket decode(ByteBuf buf, long capabilities) {
        int header = Wire.readInt1(buf, "ERR header");
        if (header != HEADER) {
            throw new ProtocolException("ERR header: 0x" + Integer.toHexString(header) + " (expected: 0xff)");
        }
        int code = Wire.readInt2(buf, "ERR error_code");
        String state = GENERAL_SQLSTATE;
        if (buf.isReadable() && buf.getByte(buf.readerIndex()) == '#') {
            buf.skipBytes(1);
            state = Wire.readFixedString(buf, 5, StandardCharsets.US_ASCII, "ERR sql_state");
        }
        return new ErrPacket(code, state, Wire.readRestString(buf));
    }

    public void encode(ByteBuf buf, long capabilities) {
        Wire.writeInt1(buf, HEADER);
        Wire.writeInt2(buf, errorCode);
        if (Capability.has(capabilities, Capability.CLIENT_PROTOCOL_41)) {
            buf.writeByte('#');
            buf.writeCharSequence(sqlState, StandardCharsets.US_ASCII);
        }
        buf.writeBytes(message.getBytes(StandardCharsets.UTF_8));
    }

    /** True for a packet starting 0xFF 0xFF 0xFF: a MariaDB progress report, not an error. */
    public static boolean isProgressReport(ByteBuf payload) {
        int i = payload.readerIndex();
        return payload.readableBytes() >= 3
                && payload.getUnsignedByte(i) == HEADER
                && payload.getUnsignedShortLE(i + 1) == PROGRESS_REPORT_CODE;
    }

    @Override
    public String toString() {
        return "ERROR " + errorCode + " (" + sqlState + "): " + message;
    }
}
