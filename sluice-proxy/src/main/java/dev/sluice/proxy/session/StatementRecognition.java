package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * What a session knows about the statements its client sends, in one place: the first bytes of the last one
 * (for log lines), whether several statements may come in one COM_QUERY, the prepared statements that may ask
 * for LOCAL INFILE files, and which commands open a cursor. The texts themselves are scanned by
 * {@link StatementScanner} and planned by {@link QueryPlan}.
 */
final class StatementRecognition {
    private final PreparedLoads preparedLoads = new PreparedLoads();
    /** The client may send several statements in one COM_QUERY (capability, or COM_SET_OPTION seen). */
    private boolean multiStatements;
    /** The first bytes of the last COM_QUERY, for log lines about it. */
    private final byte[] lastStatement = new byte[100];

    private int lastStatementLength = -1;
    private boolean lastStatementTruncated;

    StatementRecognition(boolean multiStatements) {
        this.multiStatements = multiStatements;
    }

    boolean multiStatements() {
        return multiStatements;
    }

    PreparedLoads preparedLoads() {
        return preparedLoads;
    }

    /** Keeps the statement's first bytes (in a buffer reused for the session) for log lines about it. */
    void remember(ByteBuf payload) {
        lastStatementLength = Math.min(payload.readableBytes() - 1, lastStatement.length);
        payload.getBytes(payload.readerIndex() + 1, lastStatement, 0, lastStatementLength);
        lastStatementTruncated = payload.readableBytes() - 1 > lastStatement.length;
    }

    /** The start of the last statement, or "-". */
    String last() {
        return lastStatementLength < 0
                ? "-"
                : new String(lastStatement, 0, lastStatementLength, StandardCharsets.UTF_8)
                        + (lastStatementTruncated ? "…" : "");
    }

    /**
     * Bookkeeping of the commands that act on prepared statements and options; for COM_STMT_EXECUTE, the files it
     * may ask for.
     */
    LocalInfileGuard track(Command command, ByteBuf payload) {
        int from = payload.readerIndex() + 1;
        switch (command) {
            case COM_STMT_EXECUTE -> {
                return payload.readableBytes() >= 5 ? preparedLoads.forExecute(payload.getUnsignedIntLE(from)) : null;
            }
            case COM_STMT_CLOSE -> {
                if (payload.readableBytes() >= 5) {
                    preparedLoads.closed(payload.getUnsignedIntLE(from));
                }
            }
            case COM_SET_OPTION ->
                multiStatements |= payload.readableBytes() >= 3 && payload.getUnsignedShortLE(from) == 0;
            case COM_RESET_CONNECTION -> preparedLoads.clear();
            default -> {}
        }
        return null;
    }

    /** COM_STMT_EXECUTE with a cursor type: command byte, statement id int<4>, flags int<1>. */
    static boolean cursorRequested(Command command, ByteBuf payload) {
        return command == Command.COM_STMT_EXECUTE
                && payload.readableBytes() > 5
                && (payload.getUnsignedByte(payload.readerIndex() + 5) & 0x07) != 0;
    }
}
