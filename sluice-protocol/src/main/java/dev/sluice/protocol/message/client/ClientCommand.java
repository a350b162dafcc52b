package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;

/**
 * A command-phase packet a client sends, decoded from its payload (first byte = {@link Command} code).
 * Decode with {@link ClientCommands#decode}; every implementation also has its own static {@code decode}.
 */
public sealed interface ClientCommand
        permits ComQuery,
                ComInitDb,
                ComFieldList,
                ComStmtPrepare,
                ComStmtExecute,
                ComStmtSendLongData,
                ComStmtClose,
                ComStmtReset,
                ComStmtFetch,
                ComStmtBulkExecute,
                ComPing,
                ComQuit,
                ComStatistics,
                ComResetConnection,
                ComSetOption,
                ComProcessKill,
                ComChangeUser,
                UnsupportedCommand {

    Command command();

    /** Writes the whole payload, command byte first. */
    void encode(ByteBuf out, long capabilities);

    /** Whether the server answers; false for COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA. */
    default boolean hasResponse() {
        return command().hasResponse();
    }
}
