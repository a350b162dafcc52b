package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;

/** Decodes any command-phase payload by its first byte: the one place client commands are dispatched. */
public final class ClientCommands {
    private ClientCommands() {}

    /**
     * @param payload one whole command payload (framing already merged 16 MiB continuations); its reader
     *     index ends after the command
     * @param capabilities the capabilities negotiated for the connection
     * @param statements parameter counts of prepared statements, for COM_STMT_EXECUTE
     */
    public static ClientCommand decode(ByteBuf payload, long capabilities, StatementParams statements) {
        if (!payload.isReadable()) {
            throw new ProtocolException("command: empty packet (expected: a command byte)");
        }
        int code = payload.getUnsignedByte(payload.readerIndex());
        Command command = Command.of(code);
        if (command == null) {
            throw new ProtocolException("command: unknown command byte 0x" + Integer.toHexString(code));
        }
        return switch (command) {
            case COM_QUERY -> ComQuery.decode(payload, capabilities);
            case COM_INIT_DB -> ComInitDb.decode(payload);
            case COM_FIELD_LIST -> ComFieldList.decode(payload);
            case COM_STMT_PREPARE -> ComStmtPrepare.decode(payload);
            case COM_STMT_EXECUTE -> ComStmtExecute.decode(payload, capabilities, statements);
            case COM_STMT_SEND_LONG_DATA -> ComStmtSendLongData.decode(payload);
            case COM_STMT_CLOSE -> ComStmtClose.decode(payload);
            case COM_STMT_RESET -> ComStmtReset.decode(payload);
            case COM_STMT_FETCH -> ComStmtFetch.decode(payload);
            case COM_STMT_BULK_EXECUTE -> ComStmtBulkExecute.decode(payload);
            case COM_PING -> ComPing.decode(payload);
            case COM_QUIT -> ComQuit.decode(payload);
            case COM_STATISTICS -> ComStatistics.decode(payload);
            case COM_RESET_CONNECTION -> ComResetConnection.decode(payload);
            case COM_SET_OPTION -> ComSetOption.decode(payload);
            case COM_PROCESS_KILL -> ComProcessKill.decode(payload);
            case COM_CHANGE_USER -> ComChangeUser.decode(payload, capabilities);
            case COM_SLEEP,
                    COM_CREATE_DB,
                    COM_DROP_DB,
                    COM_REFRESH,
                    COM_SHUTDOWN,
                    COM_PROCESS_INFO,
                    COM_CONNECT,
                    COM_DEBUG,
                    COM_TIME,
                    COM_DELAYED_INSERT,
                    COM_BINLOG_DUMP,
                    COM_TABLE_DUMP,
                    COM_CONNECT_OUT,
                    COM_REGISTER_SLAVE,
                    COM_DAEMON,
                    COM_BINLOG_DUMP_GTID -> UnsupportedCommand.decode(payload, command);
        };
    }
}
