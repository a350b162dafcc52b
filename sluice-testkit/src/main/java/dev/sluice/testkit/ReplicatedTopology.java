package dev.sluice.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A primary and N replicas, each a private {@link MariaDbSandbox}, joined by MariaDB GTID replication, for routing and
 * failover tests.
 *
 * <p>Every server has its own server_id, a binary log (ROW format, log_slave_updates) and gtid_strict_mode; replicas
 * run read_only and replicate from the primary's loopback port with {@code MASTER_USE_GTID=slave_pos}. Users and init
 * SQL from the builder are created on the primary and reach the replicas through replication (the reason is at
 * {@link ReplicatedTopologyBuilder}).
 *
 * <p>Helpers: {@link #awaitReplicated(Duration)}; lag: {@link #stopSqlThread} (the IO thread keeps receiving, so the
 * replica falls behind), {@link #stopReplication}, and {@link MariaDbSandbox#pause()} for a frozen server; failover:
 * {@link #killPrimary()}, {@link #promote}, {@link #rejoin}. SQL runs through {@link MariaDbSandbox#execute(String)}
 * (the mariadb client as root over the unix socket). Changes of roles are synchronized; waits are not, so a test may
 * wait on one thread while another kills or pauses servers.
 */
public final class ReplicatedTopology implements AutoCloseable {
    static final String REPLICATION_USER = "sluice_repl";
    static final String REPLICATION_PASSWORD = "repl-secret";
    /** MASTER_GTID_WAIT runs in slices so that one mariadb client call stays far below its 60 s limit. */
    private static final long WAIT_SLICE_NANOS = Duration.ofSeconds(5).toNanos();

    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private final List<MariaDbSandbox> servers;
    private final Duration timeout;
    private final List<MariaDbSandbox> replicas = new ArrayList<>();
    private MariaDbSandbox primary;

    ReplicatedTopology(List<MariaDbSandbox> servers, Duration timeout) {
        this.servers = List.copyOf(servers);
        this.timeout = timeout;
        this.primary = servers.get(0);
        this.replicas.addAll(servers.subList(1, servers.size()));
    }

    public static ReplicatedTopologyBuilder builder() {
        return new ReplicatedTopologyBuilder();
    }

    /**
     * Empties every binary log (whatever a server logged while it set itself up is its own history, not the
     * primary's), runs the setup on the primary, attaches the replicas and waits until they have applied it.
     */
    void wire(String primarySetupSql) {
        servers.forEach(server -> server.execute("RESET MASTER"));
        primary.execute(primarySetupSql);
        replicas.forEach(replica -> replica.execute(replicateFrom(primary, false)));
        awaitReplicated(timeout);
    }

    /** The server that takes writes: the first one started, or the last one {@link #promote promoted}. */
    public synchronized MariaDbSandbox primary() {
        return primary;
    }

    /** The servers replicating from the primary, in start order; a promoted replica leaves this list. */
    public synchronized List<MariaDbSandbox> replicas() {
        return List.copyOf(replicas);
    }

    /** {@code replicas().get(index)}; indexes shift when a replica is promoted. */
    public synchronized MariaDbSandbox replica(int index) {
        return replicas.get(index);
    }

    /** Every server of the topology in start order, whatever its role now (also a killed old primary). */
    public List<MariaDbSandbox> servers() {
        return servers;
    }

    /** The server's {@code SHOW SLAVE STATUS} and {@code @@gtid_slave_pos}, read in one client call. */
    public ReplicaStatus status(MariaDbSandbox server) {
        return ReplicaStatus.parse(
                server.executeVertical("SHOW SLAVE STATUS; SELECT @@GLOBAL.gtid_slave_pos AS Gtid_Slave_Pos"));
    }

    /** A server's {@code @@gtid_binlog_pos}: what it has written to its binary log, its own and replicated. */
    public static GtidPosition binlogPosition(MariaDbSandbox server) {
        return GtidPosition.parse(server.execute("SELECT @@GLOBAL.gtid_binlog_pos"));
    }

    /**
     * Waits until every running replica (started and not paused) has applied the primary's current
     * {@code @@gtid_binlog_pos}, with MASTER_GTID_WAIT on each.
     *
     * @throws SandboxException on timeout, naming the replica and its replication status
     * @throws IllegalStateException when the primary is not running
     */
    public void awaitReplicated(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        GtidPosition target = binlogPosition(responsive(primary(), "primary"));
        for (MariaDbSandbox replica : replicas()) {
            if (replica.isRunning() && !replica.isPaused()) {
                awaitApplied(replica, target, deadline, timeout);
            }
        }
    }

    /** Waits until this replica has applied the primary's current {@code @@gtid_binlog_pos}. */
    public void awaitReplicated(MariaDbSandbox replica, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        GtidPosition target = binlogPosition(responsive(primary(), "primary"));
        awaitApplied(requireReplica(replica), target, deadline, timeout);
    }

    private void awaitApplied(MariaDbSandbox replica, GtidPosition target, long deadline, Duration timeout) {
        String gtids = SqlText.quote(target.toString());
        while (true) {
            long slice = Math.min(WAIT_SLICE_NANOS, deadline - System.nanoTime());
            // 0 or a negative timeout would mean "wait forever" to MASTER_GTID_WAIT
            String seconds = String.format(Locale.ROOT, "%.3f", Math.max(slice, 1_000_000L) / 1e9);
            String result = replica.execute("SELECT MASTER_GTID_WAIT(" + gtids + ", " + seconds + ")")
                    .strip();
            if (result.equals("0")) {
                return;
            }
            if (!result.equals("-1") || System.nanoTime() >= deadline) {
                throw new SandboxException(replica + " has not applied [" + target + "] within " + timeout
                        + " (MASTER_GTID_WAIT: " + result + "); " + status(replica));
            }
        }
    }

    /** STOP SLAVE: the replica neither receives nor applies. */
    public void stopReplication(MariaDbSandbox replica) {
        requireReplica(replica).execute("STOP SLAVE");
    }

    public void startReplication(MariaDbSandbox replica) {
        requireReplica(replica).execute("START SLAVE");
    }

    /**
     * STOP SLAVE SQL_THREAD: the IO thread keeps copying the primary's binlog into the relay log, nothing is applied,
     * so the replica falls behind (Seconds_Behind_Master is NULL meanwhile; see {@link ReplicaStatus}).
     */
    public void stopSqlThread(MariaDbSandbox replica) {
        requireReplica(replica).execute("STOP SLAVE SQL_THREAD");
    }

    public void startSqlThread(MariaDbSandbox replica) {
        requireReplica(replica).execute("START SLAVE SQL_THREAD");
    }

    /** SIGKILL to the primary ({@link MariaDbSandbox#kill()}); it stays the primary until {@link #promote}. */
    public void killPrimary() {
        primary().kill();
    }

    /**
     * Makes a replica the primary, as an operator would after the primary died: stops its IO thread and lets the SQL
     * thread apply what the relay log already holds (within the builder's timeout), then {@code STOP SLAVE},
     * {@code RESET SLAVE ALL}, {@code read_only=OFF}; each other running, unpaused replica is repointed to it
     * ({@code STOP SLAVE}, CHANGE MASTER with {@code MASTER_USE_GTID=slave_pos}, {@code START SLAVE}). A replica that
     * was down or paused keeps its old source; {@link #rejoin} it later. The old primary is left alone.
     *
     * <p>GTIDs decide whether the repointed replicas can follow: one that had applied more of the old primary's
     * transactions than the promoted replica asks for GTIDs the new primary lacks and its IO thread stops with an
     * error ({@link #status} shows it). Promote the most advanced replica, as real failover tools do.
     */
    public synchronized void promote(MariaDbSandbox replica) {
        responsive(requireReplica(replica), "replica to promote");
        drainRelayLog(replica);
        replica.execute("STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF");
        replicas.remove(replica);
        primary = replica;
        for (MariaDbSandbox other : replicas) {
            if (other.isRunning() && !other.isPaused()) {
                other.execute("STOP SLAVE; " + replicateFrom(replica, false));
            }
        }
    }

    /**
     * Makes a running server of this topology replicate from the current primary: the old primary after a failover
     * (start it again first), or a replica that was down during {@link #promote}. Sets read_only=ON and uses
     * {@code MASTER_DEMOTE_TO_SLAVE=1}, which adds the server's own binlogged transactions to its gtid_slave_pos: an
     * old primary's gtid_slave_pos is otherwise empty, so it would fetch the new primary's whole binlog and skip its
     * own transactions only because they carry its server_id. A server holding transactions the
     * new primary never received cannot follow it (its status then shows the error).
     */
    public synchronized void rejoin(MariaDbSandbox server) {
        if (!servers.contains(server) || server == primary) {
            throw new IllegalArgumentException(server + " is not a non-primary server of this topology");
        }
        responsive(server, "server to rejoin");
        server.execute("SET GLOBAL read_only = ON; STOP SLAVE; " + replicateFrom(primary, true));
        if (!replicas.contains(server)) {
            replicas.add(server);
        }
    }

    /** Closes every sandbox, also after a failed start or a failed close of another one. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (MariaDbSandbox server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public synchronized String toString() {
        return "topology: primary " + primary + ", replicas " + replicas;
    }

    /**
     * Waits until the replica has applied everything its IO thread received; the IO thread is stopped first so that
     * the target holds still. "Read all relay log" with less applied than received means the relay log ends in a
     * partial transaction (the primary died while sending it), which STOP SLAVE then discards.
     */
    private void drainRelayLog(MariaDbSandbox replica) {
        replica.execute("STOP SLAVE IO_THREAD; START SLAVE SQL_THREAD");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ReplicaStatus status = status(replica);
            if (status.gtidSlavePos().covers(status.gtidIoPos())
                    || status.column("Slave_SQL_Running_State").startsWith("Slave has read all relay log")) {
                return;
            }
            if (!status.sqlRunning() || System.nanoTime() >= deadline) {
                throw new SandboxException(
                        replica + " did not apply its relay log within " + timeout + " before promotion; " + status);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** CHANGE MASTER and START SLAVE towards a source on this machine; the IO thread retries every second. */
    private static String replicateFrom(MariaDbSandbox source, boolean demote) {
        return "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " + source.port() + ", MASTER_USER = "
                + SqlText.quote(REPLICATION_USER) + ", MASTER_PASSWORD = " + SqlText.quote(REPLICATION_PASSWORD)
                + ", MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1"
                + (demote ? ", MASTER_DEMOTE_TO_SLAVE = 1" : "") + "; START SLAVE";
    }

    private synchronized MariaDbSandbox requireReplica(MariaDbSandbox server) {
        if (!replicas.contains(server)) {
            throw new IllegalArgumentException(server + " is not a replica of this topology (" + this + ")");
        }
        return server;
    }

    private static MariaDbSandbox responsive(MariaDbSandbox server, String role) {
        if (!server.isRunning() || server.isPaused()) {
            throw new IllegalStateException(
                    "the " + role + ", " + server + ", is " + (server.isPaused() ? "paused" : "not running"));
        }
        return server;
    }
}
