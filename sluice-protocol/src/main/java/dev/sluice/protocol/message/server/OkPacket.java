package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * OK_Packet. Its header is 0x00, or 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF (then the
 * caller tells it apart from an EOF packet by position and length, see {@link EofPacket#isEof(ByteBuf)}).
 *
 * @param header 0x00 or 0xFE
 * @param affectedRows unsigned 64-bit
 * @param lastInsertId unsigned 64-bit
 * @param info human-readable status; empty when absent
 * @param sessionStateChanges CLIENT_SESSION_TRACK entries; empty unless SERVER_SESSION_STATE_CHANGED
 */
public record OkPacket(
        int header,
        long affectedRows,
        long lastInsertId,
        int statusFlags,
        int warnings,
        String info,
        List<SessionStateChange> sessionStateChanges) {

    public static final int HEADER = 0x00;
    public static final int HEADER_EOF = 0xFE;

    public OkPacket {
        sessionStateChanges = List.copyOf(sessionStateChanges);
    }

    public static OkPacket of(long affectedRows, long lastInsertId, int statusFlags, int warnings) {
        return new OkPacket(HEADER, affectedRows, lastInsertId, statusFlags, warnings, "", List.of());
    }

    public static OkPacket decode(ByteBuf buf, long capabilities) {
        int header = Wire.readInt1(buf, "OK header");
        if (header != HEADER && header != HEADER_EOF) {
            throw new ProtocolException("OK header: 0x" + Integer.toHexString(header) + " (expected: 0x00 or 0xfe)");
        }
        long affected = Wire.readLenencInt(buf, "OK affected_rows");
        long insertId = Wire.readLenencInt(buf, "OK last_insert_id");
        int status = 0;
        int warnings = 0;
        if (Capability.has(capabilities, Capability.CLIENT_PROTOCOL_41)) {
            status = Wire.readInt2(buf, "OK status_flags");
            warnings = Wire.readInt2(buf, "OK warnings");
        } else if (Capability.has(capabilities, Capability.CLIENT_TRANSACTIONS)) {
            status = Wire.readInt2(buf, "OK status_flags");
        }
        String info = "";
        List<SessionStateChange> changes = List.of();
        if (Capability.has(capabilities, Capability.CLIENT_SESSION_TRACK)) {
            // Servers omit the info string entirely when it is empty and no state changed.
            if (buf.isReadable()) {
                info = Wire.readLenencString(buf, "OK info");
            }
            if (ServerStatus.has(status, ServerStatus.SESSION_STATE_CHANGED) && buf.isReadable()) {
                int length = Wire.readLenencLength(buf, "OK session_state_info");
                changes = SessionStateChange.decodeAll(buf.readSlice(length));
            }
        } else {
            info = Wire.readRestString(buf);
        }
        return new OkPacket(header, affected, insertId, status, warnings, info, changes);
    }

    public void encode(ByteBuf buf, long capabilities) {
        Wire.writeInt1(buf, header);
        Wire.writeLenencInt(buf, affectedRows);
        Wire.writeLenencInt(buf, lastInsertId);
        if (Capability.has(capabilities, Capability.CLIENT_PROTOCOL_41)) {
            Wire.writeInt2(buf, statusFlags);
            Wire.writeInt2(buf, warnings);
        } else if (Capability.has(capabilities, Capability.CLIENT_TRANSACTIONS)) {
            Wire.writeInt2(buf, statusFlags);
        }
        if (Capability.has(capabilities, Capability.CLIENT_SESSION_TRACK)) {
            boolean stateChanged = ServerStatus.has(statusFlags, ServerStatus.SESSION_STATE_CHANGED);
            if (!info.isEmpty() || stateChanged) {
                Wire.writeLenencString(buf, info);
            }
            if (stateChanged) {
                ByteBuf state = buf.alloc().buffer();
                try {
                    for (SessionStateChange change : sessionStateChanges) {
                        change.encode(state);
                    }
                    Wire.writeLenencInt(buf, state.readableBytes());
                    buf.writeBytes(state);
                } finally {
                    state.release();
                }
            }
        } else {
            buf.writeBytes(info.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
