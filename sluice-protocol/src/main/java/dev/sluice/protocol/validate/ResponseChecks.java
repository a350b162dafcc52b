package dev.sluice.protocol.validate;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import io.netty.buffer.ByteBuf;

/**
 * Checks one packet of a command's response: first the packet itself, by the place {@link ResponseDecoder} says it
 * has (exact length, legal length-encoded integers, column types for binary rows), then its place (the decoder), then
 * the status flags it carries against the command and the capabilities.
 */
final class ResponseChecks {
    /** Status bits no server defines (0x0004 was SERVER_STATUS_MORE_RESULTS, never sent). */
    private static final int UNKNOWN_STATUS = 0x0004;
    /** A 0xFE packet this long or longer is a row, not a terminator (under CLIENT_DEPRECATE_EOF). */
    private static final int MAX_TERMINATOR = 0xFFFFFF;
    /** The shortest OK under CLIENT_PROTOCOL_41: header, two 1-byte integers, status, warnings. */
    private static final int MIN_OK_41 = 7;

    /** The status bits that hold for the whole session until a statement changes them. */
    private static final int MODES = ServerStatus.AUTOCOMMIT | ServerStatus.NO_BACKSLASH_ESCAPES;

    private final Fields fields;
    private final PreparedStatements statements;
    /** The session's modes as the last status flags said; -1 until a status was seen or after COM_CHANGE_USER. */
    private int modes = -1;

    ResponseChecks(Fields fields, PreparedStatements statements) {
        this.fields = fields;
        this.statements = statements;
    }

    ResponseEvent check(PendingCommand head, ByteBuf p, long caps) {
        ResponseDecoder decoder = head.decoder;
        ResponseDecoder.Phase phase = decoder.phase();
        int length = p.readableBytes();
        int first = length > 0 ? p.getUnsignedByte(p.readerIndex()) : -1;
        boolean deprecateEof = Capability.has(caps, Capability.CLIENT_DEPRECATE_EOF);
        boolean terminator = first == 0xFE && (deprecateEof ? length < MAX_TERMINATOR : length < 9);
        Fields f = fields.on(p);
        int status = -1;
        if (first == 0xFF) {
            PacketChecks.err(f, caps);
        } else if (length > 0) {
            switch (phase) {
                case FIRST -> {
                    if (first == 0x00) {
                        status = PacketChecks.ok(f, caps);
                    } else if (first == 0xFB && !Capability.has(caps, Capability.CLIENT_LOCAL_FILES)) {
                        throw new Breach(
                                Rule.STRUCTURE,
                                0,
                                "no LOCAL INFILE request (CLIENT_LOCAL_FILES not" + " negotiated)",
                                "a LOCAL INFILE request (0xfb)");
                    } else if (first != 0xFB && first != 0xFE) {
                        head.columns = PacketChecks.columnCount(f, caps);
                    }
                }
                case COLUMN_DEFINITIONS, PREPARE_PARAMS, PREPARE_COLUMNS -> {
                    if (!terminator) {
                        ColumnType type = PacketChecks.columnDefinition(f, caps, false);
                        if (phase != ResponseDecoder.Phase.PREPARE_PARAMS) {
                            head.addColumn(type);
                        }
                    }
                }
                case FIELD_LIST -> {
                    if (terminator) {
                        status = end(f, caps, deprecateEof, length);
                    } else {
                        PacketChecks.columnDefinition(f, caps, true);
                    }
                }
                case COLUMNS_EOF, PREPARE_PARAMS_EOF, PREPARE_COLUMNS_EOF -> {
                    if (terminator) {
                        PacketChecks.eof(f, caps);
                    }
                }
                case ROWS -> {
                    if (terminator) {
                        status = end(f, caps, deprecateEof, length);
                    } else if (isBinary(head.command)) {
                        ColumnType.Shape[] shapes = rowShapes(head);
                        if (shapes != null && first == 0x00) {
                            PacketChecks.binaryRow(f, shapes);
                        }
                    } else {
                        PacketChecks.textRow(f, head.columns);
                    }
                }
                case LOCAL_INFILE_RESULT, SIMPLE -> {
                    if (first == 0x00) {
                        status = PacketChecks.ok(f, caps);
                    } else if (terminator) {
                        status = end(f, caps, deprecateEof, length);
                    }
                }
                case PREPARE_FIRST -> {
                    if (first == 0x00) {
                        PacketChecks.prepareOk(f);
                    }
                }
                default -> {}
            }
        }
        ResponseEvent event;
        try {
            event = decoder.next(p);
        } catch (ProtocolException e) {
            throw new Breach(Rule.STRUCTURE, -1, "the packet the response's order allows here", e.getMessage());
        }
        if (status >= 0) {
            status(head.command, status, caps);
            modes(head, status);
        }
        observe(head, event);
        return event;
    }

    /** A result's (or a command's) terminating 0xFE packet: an OK under CLIENT_DEPRECATE_EOF, else an EOF. */
    private int end(Fields f, long caps, boolean deprecateEof, int length) {
        if (deprecateEof) {
            if (Capability.has(caps, Capability.CLIENT_PROTOCOL_41) && length < MIN_OK_41) {
                throw new Breach(
                        Rule.STRUCTURE,
                        0,
                        "an OK packet (0xfe) ending the result: CLIENT_DEPRECATE_EOF",
                        "a " + length + "-byte EOF packet");
            }
            return PacketChecks.ok(f, caps);
        }
        return PacketChecks.eof(f, caps);
    }

    /** The status flags of an OK or a terminating EOF, against the command and what was negotiated. */
    private void status(Command command, int status, long caps) {
        int at = fields.statusOffset();
        if ((status & UNKNOWN_STATUS) != 0) {
            throw new Breach(
                    Rule.STATUS, at, "status flags without the undefined bit 0x0004", String.format("0x%04x", status));
        }
        if (ServerStatus.has(status, ServerStatus.IN_TRANS_READONLY)
                && !ServerStatus.has(status, ServerStatus.IN_TRANS)) {
            throw new Breach(Rule.STATUS, at, "IN_TRANS_READONLY only with IN_TRANS", String.format("0x%04x", status));
        }
        if (ServerStatus.has(status, ServerStatus.MORE_RESULTS_EXISTS)) {
            boolean multi = (caps
                            & (Capability.CLIENT_MULTI_RESULTS
                                    | Capability.CLIENT_PS_MULTI_RESULTS
                                    | Capability.CLIENT_MULTI_STATEMENTS))
                    != 0;
            boolean resultCommand = command == Command.COM_QUERY
                    || command == Command.COM_STMT_EXECUTE
                    || command == Command.COM_STMT_BULK_EXECUTE;
            if (!multi || !resultCommand) {
                throw new Breach(
                        Rule.STATUS,
                        at,
                        "no MORE_RESULTS_EXISTS "
                                + (multi ? "in the response to " + command : "(CLIENT_MULTI_RESULTS not negotiated)"),
                        String.format("status 0x%04x", status));
            }
        }
    }

    /**
     * AUTOCOMMIT and NO_BACKSLASH_ESCAPES change only with a statement that may change them: seed 004's OK, its status
     * shifted by a byte into the last insert id's, turned autocommit off and backslash escapes on after an INSERT.
     */
    private void modes(PendingCommand head, int status) {
        int now = status & MODES;
        if (modes >= 0 && now != modes && !head.mayChangeModes) {
            int was = modes;
            modes = -1; // one report; the next status starts over
            throw new Breach(
                    Rule.STATUS,
                    fields.statusOffset(),
                    String.format(
                            "the session's modes as before, status & 0x%04x = 0x%04x (%s names neither autocommit nor"
                                    + " sql_mode)",
                            MODES, was, head.command),
                    String.format("status 0x%04x", status));
        }
        modes = now;
    }

    /** COM_CHANGE_USER: the new user's session starts from its own modes. */
    void forgetModes() {
        modes = -1;
    }

    private void observe(PendingCommand head, ResponseEvent event) {
        if (event instanceof ResponseEvent.ColumnCountEvent count) {
            head.columns = count.columnCount().count();
            if (count.columnCount().metadataFollows()) {
                head.startColumns();
            } else {
                PreparedStatements.Statement s = statements.get(head.statementId);
                head.shapes = s == null ? null : s.shapes;
                head.shapeCount = s == null || s.shapes == null ? 0 : s.shapes.length;
            }
        } else if (event instanceof ResponseEvent.PrepareOk ok) {
            head.prepared = statements.prepared(ok.prepareOk().statementId());
            head.prepared.mayChangeModes = head.mayChangeModes;
            head.columns = ok.prepareOk().numColumns();
            head.startColumns();
        } else if (event instanceof ResponseEvent.ColumnsEnd end && !end.parameters()) {
            remember(head);
        }
    }

    /** Binary rows of an execute or fetch: the result's own column types, else the statement's. */
    private ColumnType.Shape[] rowShapes(PendingCommand head) {
        if (head.command == Command.COM_STMT_FETCH) {
            PreparedStatements.Statement s = statements.get(head.statementId);
            return s == null ? null : s.shapes;
        }
        return head.shapesFor(head.columns);
    }

    /** An execute's column types are its statement's from now on (what a later fetch returns). */
    private void remember(PendingCommand head) {
        ColumnType.Shape[] shapes = head.shapesFor(head.columns);
        if (head.command == Command.COM_STMT_EXECUTE && shapes != null) {
            PreparedStatements.Statement s = statements.get(head.statementId);
            if (s != null) {
                s.shapes = shapes;
            }
        }
    }

    /** The response ended: what it told about its statement is kept. */
    void completed(PendingCommand head) {
        if (head.command == Command.COM_STMT_PREPARE && head.prepared != null) {
            head.prepared.shapes = head.columns == 0 ? new ColumnType.Shape[0] : head.shapesFor(head.columns);
        }
        if (head.command == Command.COM_STMT_EXECUTE) {
            remember(head);
            PreparedStatements.Statement s = statements.get(head.statementId);
            if (s != null && head.decoder.cursorOpen()) {
                s.cursor = true;
            }
        }
    }

    private static boolean isBinary(Command c) {
        return c == Command.COM_STMT_EXECUTE || c == Command.COM_STMT_FETCH || c == Command.COM_STMT_BULK_EXECUTE;
    }
}
