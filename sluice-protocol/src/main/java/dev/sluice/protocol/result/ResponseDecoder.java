package dev.sluice.protocol.result;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ComStmtPrepareOk;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.LocalInfileRequest;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;

/**
 * Classifies the payloads of the server's response to one command, one payload at a time. The same first
 * byte means different things by position (0x00: OK, PREPARE_OK, a binary row or a text row starting with
 * an empty string; 0xFE: EOF, a 0xFE-headed OK or a text row with a value of 16 MiB or more; 0xFB: LOCAL
 * INFILE or a row starting with NULL), so the decoder tracks where it is in the response as an explicit
 * {@link Phase} and classifies by phase, first byte and payload length (DESIGN §5).
 *
 * <p>It decodes everything but rows (which a relay forwards untouched) and checks the structure: the
 * announced number of column and parameter definitions, where EOFs may appear, that binary rows start with
 * 0x00. Anything out of place is a {@link ProtocolException} naming the phase, after which the decoder is
 * failed for good. {@link #next} never changes the payload's indices or reference count.
 *
 * <p>Not supported, so the greeting Sluice relays must mask them: MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA.
 * MariaDB's MARIADB_CLIENT_CACHE_METADATA is supported (a column count saying "no metadata" skips the
 * definitions; the relay must then know the cached columns itself). Not single-threaded-safe: one decoder
 * belongs to one connection's event loop.
 */
public final class ResponseDecoder {

    /** Where in the response the next payload falls. */
    public enum Phase {
        /** The first packet of the response, or of the next result after SERVER_MORE_RESULTS_EXISTS. */
        FIRST,
        COLUMN_DEFINITIONS,
        COLUMNS_EOF,
        ROWS,
        /** After a LOCAL INFILE request: the OK/ERR that follows the client's file. */
        LOCAL_INFILE_RESULT,
        PREPARE_FIRST,
        PREPARE_PARAMS,
        PREPARE_PARAMS_EOF,
        PREPARE_COLUMNS,
        PREPARE_COLUMNS_EOF,
        FIELD_LIST,
        STATISTICS,
        /** Commands answered by OK or ERR only (COM_PING, COM_INIT_DB, ...); COM_DEBUG, COM_SET_OPTION by EOF. */
        SIMPLE,
        DONE,
        FAILED
    }

    /** A 0xFE-headed packet this long or longer can only be a row (a value of 16 MiB or more). */
    private static final int MAX_TERMINATOR_LENGTH = 0xFFFFFF;

    private final Command command;
    private final long capabilities;
    private final boolean deprecateEof;
    private final boolean binaryRows;
    private final boolean cursorRequested;
    /** Made by {@link #forRelay}: definitions only checked, rows reported by a shared event. */
    private final boolean relay;
    /** The row event of {@link #forRelay} decoders, whose callers have the payload. */
    private static final ResponseEvent.Row RELAYED_ROW = new ResponseEvent.Row(null);

    private Phase phase;
    private long definitionsExpected;
    private long definitionsSeen;
    private int prepareColumns;
    private long rowsInResult;
    private int resultIndex;
    private boolean cursorOpen;
    private ByteBuf current;

    /**
     * @param command the command whose response follows; one without a response is refused
     * @param capabilities as negotiated between Sluice and that server (CLIENT_DEPRECATE_EOF decides the EOFs)
     * @param cursorRequested for COM_STMT_EXECUTE: the flags asked for a cursor
     */
    public ResponseDecoder(Command command, long capabilities, boolean cursorRequested) {
        this(command, capabilities, cursorRequested, false);
    }

    /**
     * A decoder for a relay that forwards packets untouched: every packet is classified and checked as by the
     * other constructors, but column definitions are not built ({@link ResponseEvent.ColumnDefinition#definition()}
     * is null), which spares six strings per column per result, and every row is reported by one shared
     * {@link ResponseEvent.Row} whose payload is null (the caller passed the payload in).
     */
    public static ResponseDecoder forRelay(Command command, long capabilities, boolean cursorRequested) {
        return new ResponseDecoder(command, capabilities, cursorRequested, true);
    }

    private ResponseDecoder(Command command, long capabilities, boolean cursorRequested, boolean relay) {
        this.relay = relay;
        this.command = command;
        this.capabilities = capabilities;
        this.deprecateEof = Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF);
        this.cursorRequested = cursorRequested;
        this.binaryRows = command == Command.COM_STMT_EXECUTE
                || command == Command.COM_STMT_FETCH
                || command == Command.COM_STMT_BULK_EXECUTE;
        this.phase = switch (command) {
            case COM_QUERY, COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE, COM_PROCESS_INFO -> Phase.FIRST;
            case COM_STMT_PREPARE -> Phase.PREPARE_FIRST;
            case COM_FIELD_LIST -> Phase.FIELD_LIST;
            case COM_STMT_FETCH -> Phase.ROWS;
            case COM_STATISTICS -> Phase.STATISTICS;
            case COM_PING,
                    COM_INIT_DB,
                    COM_RESET_CONNECTION,
                    COM_SET_OPTION,
                    COM_PROCESS_KILL,
                    COM_STMT_RESET,
                    COM_CREATE_DB,
                    COM_DROP_DB,
                    COM_REFRESH,
                    COM_SHUTDOWN,
                    COM_DEBUG,
                    COM_SLEEP,
                    COM_CONNECT,
                    COM_TIME,
                    COM_DELAYED_INSERT,
                    COM_TABLE_DUMP,
                    COM_CONNECT_OUT,
                    COM_REGISTER_SLAVE,
                    COM_DAEMON -> Phase.SIMPLE;
            case COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA ->
                throw new IllegalArgumentException(command + " has no response; waiting for one would hang");
            case COM_CHANGE_USER ->
                throw new IllegalArgumentException(
                        "COM_CHANGE_USER is answered by an authentication exchange, not a command response");
            case COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID ->
                throw new IllegalArgumentException(command + " starts a replication stream, not a command response");
        };
    }

    public ResponseDecoder(Command command, long capabilities) {
        this(command, capabilities, false);
    }

    public Phase phase() {
        return phase;
    }

    public boolean isComplete() {
        return phase == Phase.DONE;
    }

    /** After a COM_STMT_EXECUTE: the server opened a cursor (rows come by COM_STMT_FETCH). */
    public boolean cursorOpen() {
        return cursorOpen;
    }

    /** Classifies the next payload of the response. */
    public ResponseEvent next(ByteBuf payload) {
        if (phase == Phase.DONE) {
            throw fail("a packet after the response was complete");
        }
        if (phase == Phase.FAILED) {
            throw new ProtocolException(command + " response: decoder already failed on an earlier packet");
        }
        current = payload;
        // decoded in place and its reader index put back: a duplicate per packet was the relay's largest
        // allocation after the packet itself (the events hold values, or the payload itself, never the index)
        int start = payload.readerIndex();
        try {
            return step(payload);
        } catch (ProtocolException e) {
            if (phase != Phase.FAILED) {
                Phase at = phase;
                phase = Phase.FAILED;
                throw new ProtocolException(command + " response, phase " + at + ": " + e.getMessage(), e);
            }
            throw e;
        } finally {
            current = null;
            payload.readerIndex(start);
        }
    }

    private ResponseEvent step(ByteBuf p) {
        if (!p.isReadable()) {
            throw fail("empty packet");
        }
        int first = p.getUnsignedByte(p.readerIndex());
        int length = p.readableBytes();
        if (first == ErrPacket.HEADER) {
            // ERR may replace any packet; a progress report is not one, and changes nothing.
            if (Capability.has(capabilities, Capability.MARIADB_CLIENT_PROGRESS) && ErrPacket.isProgressReport(p)) {
                return progress(p);
            }
            phase = Phase.DONE;
            return new ResponseEvent.Err(ErrPacket.decode(p, capabilities));
        }
        switch (phase) {
            case FIRST:
                return first(p, first);
            case COLUMN_DEFINITIONS:
                return columnDefinition(p, first, length);
            case COLUMNS_EOF: {
                EofPacket eof =
                        expectEof(p, first, length, "the EOF after " + definitionsExpected + " column definitions");
                boolean cursor = cursorRequested && ServerStatus.has(eof.statusFlags(), ServerStatus.CURSOR_EXISTS);
                if (cursor) {
                    cursorOpen = true;
                    phase = Phase.DONE;
                } else {
                    phase = Phase.ROWS;
                }
                return new ResponseEvent.ColumnsEnd(eof, false, cursor);
            }
            case ROWS:
                return row(p, first, length);
            case LOCAL_INFILE_RESULT:
                if (first != OkPacket.HEADER) {
                    throw fail("first byte 0x" + hex(first) + " after LOCAL INFILE (expected: OK 0x00 or ERR 0xff)");
                }
                return ok(p);
            case PREPARE_FIRST:
                return prepareOk(p, first);
            case PREPARE_PARAMS:
            case PREPARE_COLUMNS:
                return prepareDefinition(p, first, length);
            case PREPARE_PARAMS_EOF: {
                EofPacket eof =
                        expectEof(p, first, length, "the EOF after " + definitionsExpected + " parameter definitions");
                startPrepareColumns();
                return new ResponseEvent.ColumnsEnd(eof, true, phase == Phase.DONE);
            }
            case PREPARE_COLUMNS_EOF: {
                EofPacket eof =
                        expectEof(p, first, length, "the EOF after " + definitionsExpected + " column definitions");
                phase = Phase.DONE;
                return new ResponseEvent.ColumnsEnd(eof, false, true);
            }
            case FIELD_LIST:
                if (first == EofPacket.HEADER && isTerminator(length)) {
                    return resultEnd(p);
                }
                return new ResponseEvent.ColumnDefinition(definition(p, true), false);
            case STATISTICS:
                phase = Phase.DONE;
                return new ResponseEvent.StatisticsText(Wire.readRestString(p));
            case SIMPLE:
                if (first == OkPacket.HEADER) {
                    OkPacket ok = OkPacket.decode(p, capabilities);
                    phase = Phase.DONE;
                    return new ResponseEvent.Ok(ok);
                }
                if (first == EofPacket.HEADER && answeredByEof() && isTerminator(length)) {
                    phase = Phase.DONE;
                    if (deprecateEof) {
                        // The server's "EOF" goes through the same path as a result set's end: under
                        // CLIENT_DEPRECATE_EOF it is an OK packet with the 0xFE header.
                        return new ResponseEvent.Ok(OkPacket.decode(p, capabilities));
                    }
                    EofPacket eof = EofPacket.decode(p, capabilities);
                    Wire.expectEnd(p, "EOF");
                    return new ResponseEvent.Eof(eof);
                }
                throw fail("first byte 0x" + hex(first) + " (expected: OK 0x00 or ERR 0xff)");
            case DONE:
            case FAILED:
                throw new AssertionError(phase);
            default:
                throw new AssertionError(phase);
        }
    }

    private ResponseEvent first(ByteBuf p, int first) {
        if (first == OkPacket.HEADER) {
            return ok(p);
        }
        if (first == LocalInfileRequest.HEADER) {
            if (command != Command.COM_QUERY && command != Command.COM_STMT_EXECUTE) {
                // MariaDB asks in answer to COM_STMT_EXECUTE of a prepared LOAD DATA LOCAL too
                throw fail("LOCAL INFILE request (0xfb) in answer to " + command
                        + " (only COM_QUERY and COM_STMT_EXECUTE may ask)");
            }
            phase = Phase.LOCAL_INFILE_RESULT;
            return new ResponseEvent.LocalInfile(LocalInfileRequest.decode(p));
        }
        if (first == EofPacket.HEADER) {
            throw fail("0xfe where a result starts (expected: OK, ERR, LOCAL INFILE or a column count)");
        }
        ColumnCount count = ColumnCount.decode(p, capabilities);
        resultIndex++;
        rowsInResult = 0;
        definitionsExpected = count.count();
        definitionsSeen = 0;
        if (count.metadataFollows()) {
            phase = Phase.COLUMN_DEFINITIONS;
        } else {
            phase = deprecateEof ? Phase.ROWS : Phase.COLUMNS_EOF;
        }
        return new ResponseEvent.ColumnCountEvent(count);
    }

    private ResponseEvent columnDefinition(ByteBuf p, int first, int length) {
        if (first == EofPacket.HEADER && isTerminator(length)) {
            throw fail("column count announced " + definitionsExpected + " column definitions, got " + definitionsSeen
                    + " before an EOF/OK");
        }
        ColumnDefinition41 def = definition(p, false);
        if (++definitionsSeen == definitionsExpected) {
            phase = deprecateEof ? Phase.ROWS : Phase.COLUMNS_EOF;
        }
        return new ResponseEvent.ColumnDefinition(def, false);
    }

    private ResponseEvent row(ByteBuf p, int first, int length) {
        if (first == EofPacket.HEADER && isTerminator(length)) {
            return resultEnd(p);
        }
        if (first == EofPacket.HEADER && length < MAX_TERMINATOR_LENGTH) {
            throw fail("0xfe packet of " + length + " bytes after " + rowsInResult + " rows: neither an "
                    + (deprecateEof ? "OK" : "EOF (< 9 bytes)") + " nor a row (>= 16 MiB)");
        }
        if (binaryRows && first != 0x00) {
            if (deprecateEof && rowsInResult == 0 && looksLikeColumnDefinition(p)) {
                throw fail("column count announced " + definitionsExpected
                        + " column definitions, got more (a column definition where the EOF belongs)");
            }
            throw fail("binary row header 0x" + hex(first) + " after " + rowsInResult + " rows (expected: 0x00)");
        }
        rowsInResult++;
        if (relay) {
            return RELAYED_ROW; // the relay holds the packet itself: no event object per row
        }
        ByteBuf row = current;
        current = null;
        return new ResponseEvent.Row(row);
    }

    private ResponseEvent resultEnd(ByteBuf p) {
        ResponseEvent.ResultEnd end;
        if (deprecateEof) {
            OkPacket ok = OkPacket.decode(p, capabilities);
            end = new ResponseEvent.ResultEnd(ok.statusFlags(), ok.warnings(), ok);
        } else {
            EofPacket eof = EofPacket.decode(p, capabilities);
            Wire.expectEnd(p, "EOF");
            end = new ResponseEvent.ResultEnd(eof.statusFlags(), eof.warnings(), null);
        }
        if (ServerStatus.has(end.statusFlags(), ServerStatus.CURSOR_EXISTS) && command == Command.COM_STMT_EXECUTE) {
            cursorOpen = true;
        }
        boolean more = end.moreResults() && command != Command.COM_FIELD_LIST && command != Command.COM_STMT_FETCH;
        phase = more ? Phase.FIRST : Phase.DONE;
        return end;
    }

    private ResponseEvent ok(ByteBuf p) {
        OkPacket ok = OkPacket.decode(p, capabilities);
        ResponseEvent.Ok event = new ResponseEvent.Ok(ok);
        phase = event.moreResults() ? Phase.FIRST : Phase.DONE;
        return event;
    }

    private ResponseEvent prepareOk(ByteBuf p, int first) {
        if (first != ComStmtPrepareOk.HEADER) {
            throw fail("first byte 0x" + hex(first) + " (expected: COM_STMT_PREPARE_OK 0x00 or ERR 0xff)");
        }
        ComStmtPrepareOk ok = ComStmtPrepareOk.decode(p);
        prepareColumns = ok.numColumns();
        definitionsExpected = ok.numParams();
        definitionsSeen = 0;
        if (ok.numParams() > 0) {
            phase = Phase.PREPARE_PARAMS;
        } else {
            startPrepareColumns();
        }
        return new ResponseEvent.PrepareOk(ok);
    }

    /** The definition decoded, or only checked (null) when this decoder does not build definitions. */
    private ColumnDefinition41 definition(ByteBuf p, boolean fieldList) {
        if (relay) {
            ColumnDefinition41.check(p, capabilities, fieldList);
            return null;
        }
        return ColumnDefinition41.decode(p, capabilities, fieldList);
    }

    private void startPrepareColumns() {
        definitionsExpected = prepareColumns;
        definitionsSeen = 0;
        phase = prepareColumns > 0 ? Phase.PREPARE_COLUMNS : Phase.DONE;
    }

    private ResponseEvent prepareDefinition(ByteBuf p, int first, int length) {
        boolean params = phase == Phase.PREPARE_PARAMS;
        String what = params ? "parameter" : "column";
        if (first == EofPacket.HEADER && isTerminator(length)) {
            throw fail("COM_STMT_PREPARE_OK announced " + definitionsExpected + " " + what + " definitions, got "
                    + definitionsSeen + " before an EOF");
        }
        ColumnDefinition41 def = definition(p, false);
        if (++definitionsSeen == definitionsExpected) {
            if (params) {
                if (deprecateEof) {
                    startPrepareColumns();
                } else {
                    phase = Phase.PREPARE_PARAMS_EOF;
                }
            } else {
                phase = deprecateEof ? Phase.DONE : Phase.PREPARE_COLUMNS_EOF;
            }
        }
        return new ResponseEvent.ColumnDefinition(def, params);
    }

    private EofPacket expectEof(ByteBuf p, int first, int length, String what) {
        if (first != EofPacket.HEADER || length >= 9) {
            throw fail("a " + length + "-byte packet starting 0x" + hex(first) + " where " + what + " belongs"
                    + (first == 0x03 ? " (more definitions than announced?)" : ""));
        }
        EofPacket eof = EofPacket.decode(p, capabilities);
        Wire.expectEnd(p, "EOF");
        return eof;
    }

    private ResponseEvent progress(ByteBuf p) {
        p.skipBytes(3);
        Wire.skip(p, 1, "progress report number_of_strings");
        int stage = Wire.readInt1(p, "progress report stage");
        int maxStage = Wire.readInt1(p, "progress report max_stage");
        int progress = Wire.readInt3(p, "progress report progress");
        String info = Wire.readLenencString(p, "progress report info");
        return new ResponseEvent.ProgressReport(stage, maxStage, progress, info);
    }

    /**
     * Commands whose success is an EOF rather than an OK: COM_DEBUG, and COM_SET_OPTION (MariaDB's and MySQL's
     * servers both end it with an EOF, as MariaDB's protocol documentation says; MySQL's says OK_Packet, which
     * is what it becomes under CLIENT_DEPRECATE_EOF, with the 0xFE header).
     */
    private boolean answeredByEof() {
        return command == Command.COM_DEBUG || command == Command.COM_SET_OPTION;
    }

    /** A 0xFE packet ending a result: EOF is shorter than 9 bytes; a 0xFE-headed OK shorter than 16 MiB. */
    private boolean isTerminator(int length) {
        return deprecateEof ? length < MAX_TERMINATOR_LENGTH : length < 9;
    }

    /** A column definition starts with a lenenc "def" catalog: 03 'd' 'e' 'f'. */
    private static boolean looksLikeColumnDefinition(ByteBuf p) {
        int i = p.readerIndex();
        return p.readableBytes() > 4
                && p.getByte(i) == 3
                && p.getByte(i + 1) == 'd'
                && p.getByte(i + 2) == 'e'
                && p.getByte(i + 3) == 'f';
    }

    private ProtocolException fail(String what) {
        Phase at = phase;
        phase = Phase.FAILED;
        return new ProtocolException(command + " response, phase " + at + ", result " + resultIndex + ": " + what);
    }

    private static String hex(int b) {
        return Integer.toHexString(b);
    }
}
