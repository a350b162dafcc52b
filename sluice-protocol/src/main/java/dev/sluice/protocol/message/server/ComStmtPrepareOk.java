package dev.sluice.protocol.message.server;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * COM_STMT_PREPARE_OK: 0x00, statement id int&lt;4&gt;, columns int&lt;2&gt;, params int&lt;2&gt;, a filler
 * byte, then warnings int&lt;2&gt;. Old servers end the packet after the filler (10 bytes); that is accepted
 * and remembered so the packet re-encodes identically. A packet ending inside a field is an error.
 */
public record ComStmtPrepareOk(long statementId, int numColumns, int numParams, int warnings, boolean hasWarnings) {
    public static final int HEADER = 0x00;

    public static ComStmtPrepareOk of(long statementId, int numColumns, int numParams, int warnings) {
        return new ComStmtPrepareOk(statementId, numColumns, numParams, warnings, true);
    }

    public static ComStmtPrepareOk decode(ByteBuf buf) {
        int header = Wire.readInt1(buf, "ComStmtPrepareOk status");
        if (header != HEADER) {
            throw new ProtocolException(
                    "ComStmtPrepareOk status: 0x" + Integer.toHexString(header) + " (expected: 0x00)");
        }
        long id = Wire.readInt4(buf, "ComStmtPrepareOk statement_id");
        int columns = Wire.readInt2(buf, "ComStmtPrepareOk num_columns");
        int params = Wire.readInt2(buf, "ComStmtPrepareOk num_params");
        Wire.skip(buf, 1, "ComStmtPrepareOk reserved_1");
        if (!buf.isReadable()) {
            return new ComStmtPrepareOk(id, columns, params, 0, false);
        }
        int warnings = Wire.readInt2(buf, "ComStmtPrepareOk warning_count");
        // MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA would add a byte here; Sluice masks that capability.
        Wire.expectEnd(buf, "ComStmtPrepareOk");
        return new ComStmtPrepareOk(id, columns, params, warnings, true);
    }

    public void encode(ByteBuf buf) {
        buf.writeByte(HEADER);
        Wire.writeInt4(buf, statementId);
        Wire.writeInt2(buf, numColumns);
        Wire.writeInt2(buf, numParams);
        buf.writeByte(0);
        if (hasWarnings) {
            Wire.writeInt2(buf, warnings);
        }
    }
}
