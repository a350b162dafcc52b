package dev.sluice.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Options of a {@link ReplicatedTopology}; {@link #start()} starts the servers, wires replication and returns once
 * every replica has applied the primary's setup.
 */
public final class ReplicatedTopologyBuilder {
    private String name = "topo";
    private int replicas = 2;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<SandboxUser> users = new ArrayList<>();
    private final List<String> initSql = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(30);

    ReplicatedTopologyBuilder() {}

    /** Prefix of the sandbox names, which end in the server_id ({@code topo-1} is the first primary). */
    public ReplicatedTopologyBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** How many replicas besides the primary; 2 unless set. */
    public ReplicatedTopologyBuilder replicas(int count) {
        if (count < 1 || count > 8) {
            throw new IllegalArgumentException("replicas: " + count + " (expected 1 to 8)");
        }
        this.replicas = count;
        return this;
    }

    /**
     * A user {@code name@'%'} on every server, with all privileges except those that bypass read_only (see
     * {@link #setupSql}), authenticated by mysql_native_password.
     */
    public ReplicatedTopologyBuilder user(String name, String password) {
        users.add(new SandboxUser(name, password, "mysql_native_password", "%"));
        return this;
    }

    /**
     * A mariadbd option for every server, after the topology's own so that it wins (see
     * {@link MariaDbSandboxBuilder#option(String, String)}); server_id is the topology's.
     */
    public ReplicatedTopologyBuilder option(String name, String value) {
        options.put(checkNotServerId(name), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A mariadbd flag without value for every server. */
    public ReplicatedTopologyBuilder option(String name) {
        options.put(checkNotServerId(name), null);
        return this;
    }

    /** Statements run once on the primary after the users are created; replication copies their effect. */
    public ReplicatedTopologyBuilder initSql(String... statements) {
        initSql.addAll(List.of(statements));
        return this;
    }

    /** Bound for the start's catch-up and for {@link ReplicatedTopology#promote}'s relay-log drain; 30 s unless set. */
    public ReplicatedTopologyBuilder timeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** Starts the primary and the replicas; on any failure closes what was started and rethrows. */
    public ReplicatedTopology start() {
        List<MariaDbSandbox> servers = new ArrayList<>();
        for (int serverId = 1; serverId <= replicas + 1; serverId++) {
            servers.add(sandbox(serverId, serverId > 1));
        }
        ReplicatedTopology topology = new ReplicatedTopology(servers, timeout);
        try {
            servers.forEach(MariaDbSandbox::start);
            topology.wire(setupSql());
        } catch (RuntimeException e) {
            try {
                topology.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return topology;
    }

    private MariaDbSandbox sandbox(int serverId, boolean replica) {
        MariaDbSandboxBuilder builder = MariaDbSandbox.builder()
                .name(name + "-" + serverId)
                .startTimeout(timeout)
                .option("server_id", Integer.toString(serverId))
                .option("log_bin", "mysql-bin")
                .option("relay_log", "relay-bin")
                .option("log_slave_updates", "ON")
                .option("binlog_format", "ROW")
                .option("gtid_strict_mode", "ON")
                // a replica restarted after promote() comes back read-only, as one configured so in my.cnf would
                .option("read_only", replica ? "ON" : "OFF");
        options.forEach((key, value) -> {
            if (value == null) {
                builder.option(key);
            } else {
                builder.option(key, value);
            }
        });
        return builder.build();
    }

    /**
     * SQL for the primary: the replication account, the users, the init statements.
     *
     * <p>Why on the primary rather than in each sandbox's --init-file: with GTID replication a server's history is a
     * list of GTIDs, and an account created locally on every server would be a transaction written under each
     * server's own server_id. Replicas would then hold transactions the primary never had (under gtid_strict_mode the
     * primary's lower seq_nos then stop replication as out of order, and after a promotion such errant GTIDs are what
     * the other replicas ask the new primary for). Created once on the primary, the accounts are replicated data
     * like any other: identical on every server, present on whichever replica is promoted (which needs the
     * replication account too, since the others then connect to it), and every GTID comes from the primary.
     *
     * <p>The users get ALL PRIVILEGES but not SUPER or READ_ONLY ADMIN: in MariaDB 10.11 SUPER still implies
     * READ_ONLY ADMIN, so an account with plain ALL PRIVILEGES can write on a read_only replica and would hide a
     * write routed to the wrong server. Root keeps both.
     */
    private String setupSql() {
        StringBuilder sql = new StringBuilder()
                .append("CREATE USER ")
                .append(replicationAccount())
                .append(" IDENTIFIED BY ")
                .append(SqlText.quote(ReplicatedTopology.REPLICATION_PASSWORD))
                .append(";\nGRANT REPLICATION SLAVE ON *.* TO ")
                .append(replicationAccount())
                .append(";\n");
        for (SandboxUser user : users) {
            String account = SqlText.quote(user.name()) + "@" + SqlText.quote(user.host());
            sql.append(user.createSql())
                    .append("REVOKE SUPER, READ_ONLY ADMIN ON *.* FROM ")
                    .append(account)
                    .append(";\n");
        }
        ServerCommand.appendStatements(sql, initSql);
        return sql.toString();
    }

    private static String replicationAccount() {
        return SqlText.quote(ReplicatedTopology.REPLICATION_USER) + "@'%'";
    }

    private static String checkNotServerId(String name) {
        String bare = name.startsWith("--") ? name.substring(2) : name;
        if (bare.toLowerCase(Locale.ROOT).replace('-', '_').equals("server_id")) {
            throw new IllegalArgumentException("server_id is set by the topology, one per server");
        }
        return bare;
    }
}
