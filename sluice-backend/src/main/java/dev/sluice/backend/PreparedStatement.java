package dev.sluice.backend;

import dev.sluice.protocol.message.server.ColumnDefinition41;
import java.util.List;

/** A statement prepared on one server connection: its id there and the definitions the server sent. */
public record PreparedStatement(
        long statementId, List<ColumnDefinition41> parameters, List<ColumnDefinition41> columns) {
    public PreparedStatement {
        parameters = List.copyOf(parameters);
        columns = List.copyOf(columns);
    }
}
