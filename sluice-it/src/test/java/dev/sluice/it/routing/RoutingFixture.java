package dev.sluice.it.routing;

import dev.sluice.backend.ServerTls;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.config.ServerGroups;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.ReplicatedTopology;
import dev.sluice.testkit.ReplicatedTopologyBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A primary and two replicas with semi-synchronous replication (AFTER_SYNC: a commit the client sees is in at least
 * one replica's relay log), and a Sluice in front of them: servers {@code p}, {@code r1}, {@code r2}; group
 * {@code primary} (writer, any of the three may become it) and group {@code replicas} (readers r1, r2); the topology
 * monitor logs in as the app account every 200 ms.
 *
 * <p>Each server holds one row of its own in {@code routing.whoami}, written with the binary log off so it does not
 * replicate: {@code SELECT name FROM routing.whoami} through Sluice names the server that answered, by that server's
 * own data.
 */
final class RoutingFixture implements AutoCloseable {
    static final String USER = ProxyFixture.USER;
    static final String PASSWORD = ProxyFixture.PASSWORD;
    static final String PRIMARY = "p";
    static final String REPLICA_1 = "r1";
    static final String REPLICA_2 = "r2";
    static final String WRITER_GROUP = "primary";
    static final String READER_GROUP = "replicas";
    static final String WHO = "SELECT name FROM routing.whoami";
    /** Every wait on the servers themselves (replication, semi-sync clients) is bounded by this. */
    static final Duration SYNC = Duration.ofSeconds(20);

    private static final List<String> NAMES = List.of(PRIMARY, REPLICA_1, REPLICA_2);

    final ReplicatedTopology topology;
    private final List<ProxyServer> proxies = new ArrayList<>();
    private final ProxyServer proxy;

    /**
     * Starts the servers, checks that semi-synchronous replication is on between them, writes each server's name
     * and starts a Sluice with {@code routing}.
     *
     * @param initSql more statements for the primary (tables of the test), replicated before this returns
     */
    RoutingFixture(String name, RoutingConfig routing, String... initSql) {
        this(name, List.of(), routing, initSql);
    }

    /**
     * The same, with {@code moreUsers} as accounts on the servers besides the app's (their passwords as given), for
     * Sluices started with them in {@link #config(RoutingConfig, List, List, Map)}.
     */
    RoutingFixture(String name, List<UserConfig> moreUsers, RoutingConfig routing, String... initSql) {
        List<String> setup = new ArrayList<>(List.of(
                "CREATE DATABASE routing", "CREATE TABLE routing.whoami (name varchar(16) NOT NULL) ENGINE=InnoDB"));
        setup.addAll(List.of(initSql));
        ReplicatedTopologyBuilder builder =
                ReplicatedTopology.builder().name(name).user(USER, PASSWORD);
        for (UserConfig user : moreUsers) {
            builder.user(user.name(), user.password());
        }
        topology = builder.option("rpl_semi_sync_master_enabled", "ON")
                .option("rpl_semi_sync_slave_enabled", "ON")
                .option("rpl_semi_sync_master_wait_point", "AFTER_SYNC")
                // long enough that no commit of a test falls back to asynchronous replication unnoticed
                .option("rpl_semi_sync_master_timeout", "30000")
                // every server is started as a possible primary, and a server with no semi-sync replica (a replica,
                // a promoted one before the others reconnect, its own start-up) must not hold each commit for the
                // timeout: without replicas connected it commits at once, with one it waits for its acknowledgement
                .option("rpl_semi_sync_master_wait_no_slave", "OFF")
                .initSql(setup.toArray(String[]::new))
                .start();
        try {
            checkSemiSync();
            for (MariaDbSandbox server : topology.servers()) {
                server.execute(
                        "SET SESSION sql_log_bin = 0; INSERT INTO routing.whoami VALUES ('" + nameOf(server) + "')");
            }
            proxy = startProxy(routing);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The configuration of the fixture's Sluice with the given routing; servers named as {@link #nameOf}. */
    ProxyConfig config(RoutingConfig routing) {
        return config(
                routing, List.of(ServerGroup.reader(READER_GROUP, List.of(REPLICA_1, REPLICA_2))), List.of(), Map.of());
    }

    /**
     * A configuration with the writer group {@code primary} and {@code readerGroups} (the first one serves users
     * without a group of their own), the app user and {@code moreUsers}, and servers of the given weights (1 for
     * those not named).
     */
    ProxyConfig config(
            RoutingConfig routing,
            List<ServerGroup> readerGroups,
            List<UserConfig> moreUsers,
            Map<String, Integer> weights) {
        List<ServerConfig> servers = new ArrayList<>();
        for (MariaDbSandbox server : topology.servers()) {
            String name = nameOf(server);
            servers.add(new ServerConfig(
                    name,
                    server.host(),
                    server.port(),
                    ServerTls.of(TlsMode.DISABLED),
                    false,
                    null,
                    false,
                    weights.getOrDefault(name, ServerConfig.DEFAULT_WEIGHT)));
        }
        List<ServerGroup> groups = new ArrayList<>();
        groups.add(ServerGroup.writer(WRITER_GROUP, NAMES));
        groups.addAll(readerGroups);
        List<UserConfig> users = new ArrayList<>();
        users.add(UserConfig.of(USER, PASSWORD));
        users.addAll(moreUsers);
        MonitorConfig monitor = new MonitorConfig(USER, PASSWORD, Duration.ofMillis(200), Duration.ofSeconds(1));
        // all in one constructor: users are checked against the groups they name
        return new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                servers,
                users,
                ProxyFixture.NO_TLS,
                Timeouts.defaults(),
                Limits.defaults(),
                false,
                PoolSettings.defaults(),
                ProxyConfig.NATIVE_PASSWORD,
                0,
                new ServerGroups(groups, true),
                monitor,
                routing);
    }

    /** Another Sluice in front of the same servers, with other routing; closed with the fixture. Its port. */
    int startProxy(ProxyConfig config) {
        ProxyServer started = ProxyServer.start(config);
        synchronized (proxies) {
            proxies.add(started);
        }
        return started.addresses().get(0).getPort();
    }

    /** The validator's reports over every Sluice this fixture started. */
    long violations() {
        return proxies.stream().mapToLong(p -> p.violations().total()).sum();
    }

    private ProxyServer startProxy(RoutingConfig routing) {
        startProxy(config(routing));
        synchronized (proxies) {
            return proxies.get(proxies.size() - 1);
        }
    }

    /** The port of the Sluice the fixture started with. */
    int port() {
        return proxy.addresses().get(0).getPort();
    }

    /** The server's name in Sluice's configuration and in its whoami row: p, r1, r2 in start order. */
    String nameOf(MariaDbSandbox server) {
        int index = topology.servers().indexOf(server);
        if (index < 0) {
            throw new IllegalArgumentException(server + " is not a server of " + topology);
        }
        return NAMES.get(index);
    }

    MariaDbSandbox server(String name) {
        return topology.servers().get(NAMES.indexOf(name));
    }

    /** MariaDB Connector/J through the fixture's Sluice, database {@code routing}. */
    Connection connect(String extra) throws SQLException {
        return connect(port(), extra);
    }

    /** MariaDB Connector/J through the Sluice at {@code port}. */
    static Connection connect(int port, String extra) throws SQLException {
        return connect(port, USER, PASSWORD, "routing", extra);
    }

    /** MariaDB Connector/J through the Sluice at {@code port} as {@code user}, default database {@code database}. */
    static Connection connect(int port, String user, String password, String database, String extra)
            throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?connectTimeout=5000"
                        + (extra.isEmpty() ? "" : "&" + extra),
                user,
                password);
    }

    /** The app account straight to a server, bypassing Sluice: the view the tests check Sluice against. */
    static Connection direct(MariaDbSandbox server) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://" + server.host() + ":" + server.port() + "/routing?connectTimeout=5000",
                USER,
                PASSWORD);
    }

    /** Which server answered: {@link #WHO} on this connection. */
    static String who(Connection connection) throws SQLException {
        return scalar(connection, WHO);
    }

    /** The first column of the only row of {@code sql}. */
    static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            if (!rows.next()) {
                throw new AssertionError("no row from " + sql);
            }
            String value = rows.getString(1);
            if (rows.next()) {
                throw new AssertionError("more than one row from " + sql);
            }
            return value;
        }
    }

    /** A global status counter read on the server itself (as root over its socket), e.g. {@code Com_insert}. */
    static long globalStatus(MariaDbSandbox server, String counter) {
        String line =
                server.execute("SHOW GLOBAL STATUS LIKE '" + counter + "'").strip();
        String[] fields = line.split("\t");
        if (fields.length != 2 || !fields[0].equalsIgnoreCase(counter)) {
            throw new IllegalStateException(server + ": no status counter " + counter + " in '" + line + "'");
        }
        return Long.parseLong(fields[1]);
    }

    /** What a run of {@link #readUntil} saw: whether the run was reached, every answer counted, the last ones. */
    record Reads(boolean reached, int reads, Map<String, Integer> answers, List<String> last, Duration took) {
        @Override
        public String toString() {
            return (reached ? "reached" : "not reached") + " after " + reads + " reads in " + took.toMillis()
                    + " ms; answers " + answers + "; last " + last;
        }
    }

    /**
     * Reads {@link #WHO} through {@code connection} until {@code run} answers in a row satisfy {@code wanted}, or the
     * deadline passes. Sluice cannot be asked what its monitor saw, so this is how a test waits for a change of
     * topology to reach routing: by the servers' own answers.
     */
    static Reads readUntil(Connection connection, Predicate<String> wanted, int run, Duration deadline)
            throws SQLException {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        Map<String, Integer> answers = new TreeMap<>();
        List<String> last = new ArrayList<>();
        int inRow = 0;
        int reads = 0;
        while (inRow < run && System.nanoTime() < end) {
            String answer = who(connection);
            reads++;
            answers.merge(answer, 1, Integer::sum);
            last.add(answer);
            if (last.size() > 10) {
                last.remove(0);
            }
            inRow = wanted.test(answer) ? inRow + 1 : 0;
        }
        return new Reads(inRow >= run, reads, answers, last, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Waits until reads through Sluice reach a replica (the monitor has published a topology with readers), at most
     * {@code deadline}; returns what the reads saw and does not fail: the tests assert on their own reads.
     */
    Reads awaitReplicaReads(Duration deadline) throws SQLException {
        try (Connection c = connect("")) {
            return readUntil(c, name -> name.equals(REPLICA_1) || name.equals(REPLICA_2), 1, deadline);
        }
    }

    /**
     * Waits until both replicas applied all the primary has and every Sluice this fixture started sees them as
     * readers again, for tests that stopped and restarted replication: a monitor poll made while it was stopped keeps
     * a replica out of reads until the next poll, and a test reading at once would race it.
     */
    void awaitReplicasServing(Duration deadline) {
        topology.awaitReplicated(deadline);
        List<ProxyServer> running;
        synchronized (proxies) {
            running = List.copyOf(proxies);
        }
        for (ProxyServer p : running) {
            boolean seen = poll(
                    () -> p.router()
                                    .topology()
                                    .readers(ServerGroup.DEFAULT_MAX_REPLICATION_LAG)
                                    .size()
                            == 2,
                    deadline);
            if (!seen) {
                throw new IllegalStateException("the monitor does not see both replicas as readers within " + deadline
                        + ": " + p.router().topology());
            }
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; false when {@code deadline} passed first. */
    static boolean poll(BooleanSupplier condition, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= end) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return true;
    }

    /**
     * The harness's own check: every server runs with the semi-sync settings, and the primary has both replicas
     * as semi-sync clients with semi-sync on (they register when their IO threads connect, hence the wait).
     */
    private void checkSemiSync() {
        for (MariaDbSandbox server : topology.servers()) {
            String settings = server.execute("SELECT @@rpl_semi_sync_master_enabled, @@rpl_semi_sync_slave_enabled,"
                            + " @@rpl_semi_sync_master_wait_point, @@rpl_semi_sync_master_timeout,"
                            + " @@rpl_semi_sync_master_wait_no_slave")
                    .strip();
            if (!settings.equals("1\t1\tAFTER_SYNC\t30000\t0")) {
                throw new IllegalStateException(server + ": semi-sync settings are '" + settings + "'");
            }
        }
        MariaDbSandbox primary = topology.primary();
        boolean on = poll(
                () -> globalStatus(primary, "Rpl_semi_sync_master_clients") == 2
                        && primary.execute("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'")
                                .strip()
                                .endsWith("ON"),
                SYNC);
        if (!on) {
            throw new IllegalStateException(primary + ": semi-sync is not on with 2 clients: "
                    + primary.execute("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_%'"));
        }
    }

    @Override
    public void close() {
        synchronized (proxies) {
            proxies.forEach(ProxyServer::close);
            proxies.clear();
        }
        topology.close();
    }
}
