package dev.sluice.backend;

import dev.sluice.protocol.message.server.ColumnDefinition41;
import java.util.Collections;
import java.util.List;

/**
 * One result set read completely: its column definitions and its rows, each value decoded to the Java type
 * {@link dev.sluice.protocol.binary.BinaryValues} documents (text rows are parsed into the same types, so a
 * query gives equal values through COM_QUERY and COM_STMT_EXECUTE); SQL NULL is {@code null}.
 */
public record ResultSet(List<ColumnDefinition41> columns, List<List<Object>> rows, int statusFlags) {
    public ResultSet {
        columns = List.copyOf(columns);
        rows = Collections.unmodifiableList(rows);
    }

    public int columnIndex(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no column '" + name + "' in "
                + columns.stream().map(ColumnDefinition41::name).toList());
    }
}
