package dev.sluice.backend.topology;

/**
 * What {@code SHOW SLAVE STATUS} says about a server that replicates (its default connection; a server replicating
 * from nobody has no row and no status).
 *
 * @param ioRunning Slave_IO_Running is "Yes" (not "No", nor "Connecting": a replica whose IO thread cannot reach its
 *     source receives nothing)
 * @param sqlRunning Slave_SQL_Running is "Yes"
 * @param secondsBehindMaster Seconds_Behind_Master, null when the server reports NULL (SQL thread stopped, IO thread
 *     not connected): the lag is then unknown, not zero
 * @param masterHost Master_Host, the source it replicates from
 * @param masterPort Master_Port
 * @param lastIoError Last_IO_Error, "" when none
 * @param lastSqlError Last_SQL_Error, "" when none
 */
public record ReplicationStatus(
        boolean ioRunning,
        boolean sqlRunning,
        Long secondsBehindMaster,
        String masterHost,
        int masterPort,
        String lastIoError,
        String lastSqlError) {

    public ReplicationStatus {
        masterHost = masterHost == null ? "" : masterHost;
        lastIoError = lastIoError == null ? "" : lastIoError;
        lastSqlError = lastSqlError == null ? "" : lastSqlError;
    }

    /** Both threads run: what it receives it applies. */
    public boolean running() {
        return ioRunning && sqlRunning;
    }

    /** Why replication does not run, for logs: the stopped threads and their last errors; "" while it runs. */
    public String stoppedReason() {
        if (running()) {
            return "";
        }
        StringBuilder why = new StringBuilder();
        if (!ioRunning) {
            why.append("IO thread not running").append(lastIoError.isEmpty() ? "" : " (" + lastIoError + ")");
        }
        if (!sqlRunning) {
            why.append(why.isEmpty() ? "" : ", ")
                    .append("SQL thread not running")
                    .append(lastSqlError.isEmpty() ? "" : " (" + lastSqlError + ")");
        }
        return why.toString();
    }

    @Override
    public String toString() {
        return "replicating from " + masterHost + ":" + masterPort + ", IO " + (ioRunning ? "running" : "stopped")
                + ", SQL " + (sqlRunning ? "running" : "stopped") + ", Seconds_Behind_Master "
                + (secondsBehindMaster == null ? "NULL" : secondsBehindMaster);
    }
}
