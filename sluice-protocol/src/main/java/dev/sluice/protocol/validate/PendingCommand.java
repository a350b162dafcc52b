package dev.sluice.protocol.validate;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.result.ResponseDecoder;
import java.util.Arrays;

/** A command read from the client whose response has not ended: where its exchange is. */
final class PendingCommand {
    /** Definitions kept at first; more as they arrive (never sized by a count the peer claims). */
    private static final int INITIAL_COLUMNS = 16;

    final Command command;
    /** Null for COM_CHANGE_USER, answered by an authentication exchange. */
    final ResponseDecoder decoder;
    /** COM_STMT_EXECUTE / FETCH: the statement id as sent (0xFFFFFFFF: the last one prepared). */
    final long statementId;
    /** The id the next packet of this exchange carries. */
    int nextSeq;
    /** Packets of the exchange so far: the command is packet 0. */
    long packets;
    /** LOCAL INFILE: the client is sending the file (until its empty packet). */
    boolean clientData;
    /** The current result's column count. */
    long columns;
    /** The current result's (or the prepared statement's) column types, for binary rows; {@code shapeCount} valid. */
    ColumnType.Shape[] shapes;

    int shapeCount;
    /** The command may change AUTOCOMMIT or NO_BACKSLASH_ESCAPES ({@link ModeChanges}). */
    boolean mayChangeModes;
    /** COM_STMT_PREPARE: the statement its PREPARE_OK announced. */
    PreparedStatements.Statement prepared;

    PendingCommand(Command command, ResponseDecoder decoder, long statementId, int nextSeq) {
        this.command = command;
        this.decoder = decoder;
        this.statementId = statementId;
        this.nextSeq = nextSeq;
    }

    /** A new set of column definitions starts. */
    void startColumns() {
        shapes = new ColumnType.Shape[INITIAL_COLUMNS];
        shapeCount = 0;
    }

    void addColumn(ColumnType type) {
        if (shapes == null) {
            return;
        }
        if (shapeCount == shapes.length) {
            shapes = Arrays.copyOf(shapes, shapes.length * 2);
        }
        shapes[shapeCount++] = type.shape();
    }

    /** The column types gathered, exactly as many as columns; null when they are not all known. */
    ColumnType.Shape[] shapesFor(long columnCount) {
        if (shapes == null || shapeCount != columnCount) {
            return null;
        }
        if (shapes.length != shapeCount) {
            shapes = Arrays.copyOf(shapes, shapeCount); // once: every row of the result asks
        }
        return shapes;
    }
}
