package dev.sluice.backend.topology;

import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ResultSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Turns a poll's two answers into a {@link ServerState}: the variables ({@link #VARIABLES}) and
 * {@code SHOW SLAVE STATUS}. Columns of the status are read by name, since their order differs between versions.
 */
final class PollAnswers {
    /** One row: read_only, then the three GTID positions. Needs no privilege. */
    static final String VARIABLES = "SELECT @@GLOBAL.read_only, @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_slave_pos,"
            + " @@GLOBAL.gtid_current_pos";
    /**
     * No row when the server replicates from nobody. Needs SLAVE MONITOR (alias REPLICA MONITOR) on MariaDB 10.5.9
     * and later, REPLICATION CLIENT before.
     */
    static final String REPLICA_STATUS = "SHOW SLAVE STATUS";

    private PollAnswers() {}

    static ServerState read(MonitoredServer server, QueryResult variables, QueryResult status, Instant at) {
        List<Object> row = variables.resultSet().rows().get(0);
        return new ServerState(
                server,
                true,
                "",
                flag(row.get(0)),
                replication(status.resultSet()),
                GtidPosition.parse(text(row.get(1))),
                GtidPosition.parse(text(row.get(2))),
                GtidPosition.parse(text(row.get(3))),
                at);
    }

    private static ReplicationStatus replication(ResultSet status) {
        if (status.rows().isEmpty()) {
            return null;
        }
        List<Object> row = status.rows().get(0);
        Object lag = row.get(status.columnIndex("Seconds_Behind_Master"));
        String port = text(row.get(status.columnIndex("Master_Port")));
        return new ReplicationStatus(
                "Yes".equalsIgnoreCase(text(row.get(status.columnIndex("Slave_IO_Running")))),
                "Yes".equalsIgnoreCase(text(row.get(status.columnIndex("Slave_SQL_Running")))),
                lag == null ? null : Long.valueOf(text(lag)),
                text(row.get(status.columnIndex("Master_Host"))),
                port.isEmpty() ? 0 : Integer.parseInt(port),
                text(row.get(status.columnIndex("Last_IO_Error"))),
                text(row.get(status.columnIndex("Last_SQL_Error"))));
    }

    /** read_only as 10.11 gives it (1/0), or as a word (ON/OFF) should a server send one. */
    private static boolean flag(Object value) {
        String text = text(value);
        return !(text.equals("0") || text.equalsIgnoreCase("OFF") || text.isEmpty());
    }

    /** A text-protocol value as a string: numbers as parsed, strings arrive as bytes; NULL is "". */
    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
    }
}
