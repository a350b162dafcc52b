package dev.sluice.protocol.result;

import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ComStmtPrepareOk;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.LocalInfileRequest;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;

/**
 * What one server payload means at its position in a response, as classified by {@link ResponseDecoder}.
 * Everything except {@link Row} is decoded; rows are handed back undecoded for relaying.
 */
public sealed interface ResponseEvent {

    /** True when this packet ends the response (nothing more follows for the command). */
    boolean terminal();

    /** An OK outside a result set; more results follow when it carries SERVER_MORE_RESULTS_EXISTS. */
    record Ok(OkPacket ok) implements ResponseEvent {
        public boolean moreResults() {
            return ServerStatus.has(ok.statusFlags(), ServerStatus.MORE_RESULTS_EXISTS);
        }

        @Override
        public boolean terminal() {
            return !moreResults();
        }
    }

    /** An ERR: always ends the response, wherever it appears. */
    record Err(ErrPacket err) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return true;
        }
    }

    /** MariaDB progress report (ERR header, code 0xFFFF, MARIADB_CLIENT_PROGRESS): not an error, not terminal. */
    record ProgressReport(int stage, int maxStage, int progressThousandths, String info) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return false;
        }
    }

    /** The server asks for a file; after the client sent it, an OK or ERR ends the statement. */
    record LocalInfile(LocalInfileRequest request) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return false;
        }
    }

    record ColumnCountEvent(ColumnCount columnCount) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return false;
        }
    }

    /**
     * A column definition; {@code parameter} is true for the parameter definitions of a prepare response.
     * {@code definition} is null from a decoder made by {@link ResponseDecoder#forRelay}, which only checks it.
     */
    record ColumnDefinition(ColumnDefinition41 definition, boolean parameter) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return false;
        }
    }

    /**
     * The EOF after column (or parameter) definitions, without CLIENT_DEPRECATE_EOF. For COM_STMT_EXECUTE with a
     * cursor it ends the response when it carries SERVER_STATUS_CURSOR_EXISTS (rows come by COM_STMT_FETCH).
     */
    record ColumnsEnd(EofPacket eof, boolean parameters, boolean terminal) implements ResponseEvent {}

    /**
     * A row, text or binary, undecoded: {@code payload} is the buffer passed to {@link ResponseDecoder#next},
     * indices and reference count untouched; it stays the caller's. Null from a {@link ResponseDecoder#forRelay}
     * decoder, whose caller already has it.
     */
    record Row(ByteBuf payload) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return false;
        }
    }

    /**
     * The end of a result set (or of a COM_FIELD_LIST / COM_STMT_FETCH answer): an EOF packet, or under
     * CLIENT_DEPRECATE_EOF an OK with header 0xFE ({@code ok} non-null then).
     */
    record ResultEnd(int statusFlags, int warnings, OkPacket ok) implements ResponseEvent {
        public boolean moreResults() {
            return ServerStatus.has(statusFlags, ServerStatus.MORE_RESULTS_EXISTS);
        }

        @Override
        public boolean terminal() {
            return !moreResults();
        }
    }

    record PrepareOk(ComStmtPrepareOk prepareOk) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return prepareOk.numParams() == 0 && prepareOk.numColumns() == 0;
        }
    }

    /** The plain-text answer to COM_STATISTICS. */
    record StatisticsText(String text) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return true;
        }
    }

    /** The EOF that answers COM_DEBUG. */
    record Eof(EofPacket eof) implements ResponseEvent {
        @Override
        public boolean terminal() {
            return true;
        }
    }
}
