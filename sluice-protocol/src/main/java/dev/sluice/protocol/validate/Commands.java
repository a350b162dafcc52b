package dev.sluice.protocol.validate;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;

/**
 * What a command read from the client starts: the exchange its response will follow (with the decoder that knows
 * its order), nothing for commands without a response, or {@link #STOP} where checking ends (COM_QUIT, a replication
 * stream). Keeps the link's prepared statements and cursors as the commands change them; refuses COM_STMT_FETCH of
 * a statement with no open cursor.
 */
final class Commands {
    /** COM_QUIT or a replication stream: nothing more is checked on the link. */
    static final PendingCommand STOP = new PendingCommand(Command.COM_QUIT, null, -1, 0);

    private Commands() {}

    static PendingCommand start(Command command, ByteBuf p, long caps, PreparedStatements statements) {
        int next = Framing.physicalPackets(p.readableBytes(), Framing.MAX_CHUNK) & 0xFF;
        switch (command) {
            case COM_QUIT, COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID -> {
                return STOP;
            }
            case COM_STMT_CLOSE -> {
                statements.closed(statementId(p));
                return null;
            }
            case COM_STMT_SEND_LONG_DATA -> {
                return null;
            }
            case COM_CHANGE_USER -> {
                statements.clear();
                PendingCommand change = new PendingCommand(command, null, -1, next);
                change.mayChangeModes = true;
                return change;
            }
            case COM_STMT_FETCH -> {
                long stmt = statementId(p);
                PreparedStatements.Statement s = statements.get(stmt);
                if ((s == null && !statements.incomplete()) || (s != null && !s.cursor)) {
                    throw new Breach(
                            Rule.COMMAND_STATE,
                            1,
                            "COM_STMT_FETCH of a statement with an open cursor",
                            "statement " + stmt + (s == null ? ", not prepared" : ", no cursor open"));
                }
                return new PendingCommand(command, ResponseDecoder.forRelay(command, caps, true), stmt, next);
            }
            case COM_STMT_EXECUTE -> {
                long stmt = statementId(p);
                PreparedStatements.Statement s = statements.get(stmt);
                if (s != null) {
                    s.cursor = false;
                }
                boolean cursor = p.readableBytes() > 5 && (p.getUnsignedByte(p.readerIndex() + 5) & 0x07) != 0;
                PendingCommand execute =
                        new PendingCommand(command, ResponseDecoder.forRelay(command, caps, cursor), stmt, next);
                execute.mayChangeModes = s == null || s.mayChangeModes;
                return execute;
            }
            default -> {
                if (command == Command.COM_RESET_CONNECTION) {
                    statements.clear();
                } else if (command == Command.COM_STMT_RESET) {
                    PreparedStatements.Statement s = statements.get(statementId(p));
                    if (s != null) {
                        s.cursor = false;
                    }
                }
                PendingCommand other =
                        new PendingCommand(command, ResponseDecoder.forRelay(command, caps, false), -1, next);
                other.mayChangeModes = command == Command.COM_RESET_CONNECTION
                        || ((command == Command.COM_QUERY || command == Command.COM_STMT_PREPARE)
                                && ModeChanges.mayChange(p, 1));
                return other;
            }
        }
    }

    private static long statementId(ByteBuf p) {
        return p.readableBytes() >= 5 ? p.getUnsignedIntLE(p.readerIndex() + 1) : -1;
    }
}
