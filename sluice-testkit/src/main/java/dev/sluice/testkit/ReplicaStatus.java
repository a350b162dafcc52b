package dev.sluice.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One server's {@code SHOW SLAVE STATUS} by column name (the column order differs between MariaDB versions), plus
 * {@code Gtid_Slave_Pos} from {@code @@gtid_slave_pos}, which 10.11 leaves out of that statement. Without the
 * replication columns when the server replicates from nobody, e.g. the primary or a promoted replica.
 *
 * <p>{@link #secondsBehindMaster()} is empty (the server's NULL) whenever the SQL thread is stopped, however far
 * behind the replica is; compare {@link #gtidSlavePos()} (applied) with {@link #gtidIoPos()} (received) or with the
 * primary's {@code @@gtid_binlog_pos} to see lag then.
 */
public record ReplicaStatus(Map<String, String> columns) {
    public ReplicaStatus {
        columns = Map.copyOf(columns);
    }

    /**
     * Parses the mariadb client's vertical output of one or more single-row results: per row a
     * {@code *** 1. row ***} line, then one {@code Name: value} line per column. Names contain no colon, values may.
     */
    static ReplicaStatus parse(String vertical) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (String line : vertical.split("\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("*") || colon < 0) {
                continue;
            }
            columns.put(
                    line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return new ReplicaStatus(columns);
    }

    /** The value of a column as the client printed it, "" when absent. */
    public String column(String name) {
        return columns.getOrDefault(name, "");
    }

    public boolean isReplica() {
        return columns.containsKey("Slave_IO_Running");
    }

    /** Slave_IO_Running is "Yes": connected and receiving ("Connecting" while the primary is unreachable). */
    public boolean ioRunning() {
        return column("Slave_IO_Running").equals("Yes");
    }

    public boolean sqlRunning() {
        return column("Slave_SQL_Running").equals("Yes");
    }

    public OptionalLong secondsBehindMaster() {
        String value = column("Seconds_Behind_Master");
        return value.isEmpty() || value.equals("NULL") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    /** The last transaction received from the primary (in the relay log, maybe not applied yet). */
    public GtidPosition gtidIoPos() {
        return GtidPosition.parse(column("Gtid_IO_Pos"));
    }

    /** The last transaction applied by the SQL thread, i.e. {@code @@gtid_slave_pos}. */
    public GtidPosition gtidSlavePos() {
        return GtidPosition.parse(column("Gtid_Slave_Pos"));
    }

    /** The port of the server this one replicates from, 0 when none. */
    public int masterPort() {
        String port = column("Master_Port");
        return port.isEmpty() ? 0 : Integer.parseInt(port);
    }

    /** A one-line summary for failure messages. */
    @Override
    public String toString() {
        if (!isReplica()) {
            return "not a replica";
        }
        return "IO " + column("Slave_IO_Running") + ", SQL " + column("Slave_SQL_Running") + ", source port "
                + masterPort() + ", behind " + column("Seconds_Behind_Master") + " s, received [" + gtidIoPos()
                + "], applied [" + gtidSlavePos() + "], SQL state '" + column("Slave_SQL_Running_State") + "'"
                + (column("Last_IO_Error").isEmpty() ? "" : ", IO error: " + column("Last_IO_Error"))
                + (column("Last_SQL_Error").isEmpty() ? "" : ", SQL error: " + column("Last_SQL_Error"));
    }
}
