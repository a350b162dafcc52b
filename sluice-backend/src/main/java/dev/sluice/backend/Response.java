package dev.sluice.backend;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.TextValues;
import dev.sluice.protocol.message.server.BinaryRow;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ComStmtPrepareOk;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.TextRow;
import dev.sluice.protocol.result.ResponseEvent;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the events of one command's response (as classified by the protocol's ResponseDecoder) into
 * result sets, OKs, a prepare answer or a statistics string. Rows are decoded to Java values here: text
 * rows by each column's type, binary rows by the binary protocol.
 */
final class Response {
    private final boolean binaryRows;
    private final List<ResultSet> resultSets = new ArrayList<>();
    private final List<OkPacket> oks = new ArrayList<>();
    private final List<ColumnDefinition41> parameters = new ArrayList<>();
    private List<ColumnDefinition41> columns = new ArrayList<>();
    private List<BinaryType> types;
    private List<List<Object>> rows;
    private ComStmtPrepareOk prepareOk;
    private String statistics;

    /**
     * @param binaryRows rows are in the binary protocol (COM_STMT_EXECUTE, COM_STMT_FETCH)
     * @param fetchColumns for COM_STMT_FETCH, whose response has no column definitions: the statement's
     */
    Response(boolean binaryRows, List<ColumnDefinition41> fetchColumns) {
        this.binaryRows = binaryRows;
        if (fetchColumns != null) {
            startResult(fetchColumns);
        }
    }

    void on(ResponseEvent event) {
        if (event instanceof ResponseEvent.ColumnCountEvent) {
            columns = new ArrayList<>();
            rows = null;
        } else if (event instanceof ResponseEvent.ColumnDefinition def) {
            (def.parameter() ? parameters : columns).add(def.definition());
        } else if (event instanceof ResponseEvent.ColumnsEnd end) {
            if (!end.parameters() && prepareOk == null) {
                startResult(columns);
                if (end.terminal()) {
                    endResult(end.eof().statusFlags());
                }
            }
        } else if (event instanceof ResponseEvent.Row row) {
            if (rows == null) {
                startResult(columns); // CLIENT_DEPRECATE_EOF: no EOF between definitions and rows
            }
            rows.add(decodeRow(row.payload()));
        } else if (event instanceof ResponseEvent.ResultEnd end) {
            if (rows == null) {
                startResult(columns);
            }
            endResult(end.statusFlags());
        } else if (event instanceof ResponseEvent.Ok ok) {
            if (rows != null) {
                // a cursor opened under CLIENT_DEPRECATE_EOF ends the definitions with an OK
                endResult(ok.ok().statusFlags());
            }
            oks.add(ok.ok());
        } else if (event instanceof ResponseEvent.PrepareOk p) {
            prepareOk = p.prepareOk();
        } else if (event instanceof ResponseEvent.StatisticsText s) {
            statistics = s.text();
        }
        // Err is turned into a failure by the handler; progress reports and LOCAL INFILE need no collecting.
    }

    private void startResult(List<ColumnDefinition41> defs) {
        columns = defs;
        types = defs.stream().map(ColumnDefinition41::binaryType).toList();
        rows = new ArrayList<>();
    }

    private void endResult(int statusFlags) {
        resultSets.add(new ResultSet(columns, rows, statusFlags));
        rows = null;
        columns = new ArrayList<>();
    }

    private List<Object> decodeRow(ByteBuf payload) {
        ByteBuf buf = payload.duplicate();
        if (binaryRows) {
            return BinaryRow.decode(buf, types).values();
        }
        TextRow row = TextRow.decode(buf, types.size());
        List<Object> values = new ArrayList<>(types.size());
        for (int i = 0; i < types.size(); i++) {
            byte[] text = row.values().get(i);
            values.add(text == null ? null : TextValues.parse(text, types.get(i), "text row column " + (i + 1)));
        }
        return values;
    }

    QueryResult toQueryResult() {
        return new QueryResult(resultSets, oks);
    }

    PreparedStatement toPreparedStatement() {
        if (prepareOk == null) {
            throw new ProtocolException("COM_STMT_PREPARE response without PREPARE_OK");
        }
        return new PreparedStatement(prepareOk.statementId(), parameters, columns);
    }

    OkPacket ok() {
        return toQueryResult().ok();
    }

    String statistics() {
        return statistics;
    }
}
