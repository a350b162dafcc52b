package dev.sluice.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.ConfigReload;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.config.ServerGroups;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.ReplicatedTopology;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A routing rule added by a reload applies to the next statement of a session open before it: reads of a table that
 * went to the replicas go to the primary once a rule names them (issue 13 item 5).
 */
class RoutingReloadTest {
    private static ReplicatedTopology topology;
    private static ProxyServer proxy;
    private static ProxyConfig config;

    @BeforeAll
    static void start() throws Exception {
        topology = ReplicatedTopology.builder()
                .name("rreload")
                .user("app", "secret")
                .initSql("CREATE DATABASE r", "CREATE TABLE r.whoami (name VARCHAR(16))")
                .start();
        String[] names = {"p", "r1", "r2"};
        List<MariaDbSandbox> servers = topology.servers();
        topology.awaitReplicated(Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            servers.get(i).execute("SET SESSION sql_log_bin=0; INSERT INTO r.whoami VALUES ('" + names[i] + "')");
        }
        ProxyConfig base = new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                List.of(
                        new ServerConfig("p", "127.0.0.1", servers.get(0).port(), TlsMode.DISABLED),
                        new ServerConfig("r1", "127.0.0.1", servers.get(1).port(), TlsMode.DISABLED),
                        new ServerConfig("r2", "127.0.0.1", servers.get(2).port(), TlsMode.DISABLED)),
                List.of(UserConfig.of("app", "secret")),
                new ClientTlsConfig(false, null, null, false),
                Timeouts.defaults(),
                Limits.defaults(),
                false);
        config = base.withRouting(
                new ServerGroups(
                        List.of(
                                ServerGroup.writer("primary", List.of("p", "r1", "r2")),
                                ServerGroup.reader("replicas", List.of("r1", "r2"))),
                        true),
                new MonitorConfig("app", "secret", Duration.ofMillis(200), Duration.ofSeconds(1)),
                RoutingConfig.defaults());
        proxy = ProxyServer.start(config);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    private static Map<String, Integer> reads(Statement s) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            try (ResultSet rs = s.executeQuery("SELECT name FROM whoami")) {
                rs.next();
                seen.merge(rs.getString(1), 1, Integer::sum);
            }
        }
        return seen;
    }

    @Test
    void aRuleAddedByAReloadAppliesToTheNextStatement() throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            awaitReaders(2);
            assertThat(reads(s)).as("reads go to the replicas").doesNotContainKey("p");

            RoutingConfig d = config.routing();
            ConfigReload.Result r = proxy.reload(config.withRouting(
                    config.groups(),
                    config.monitor(),
                    new RoutingConfig(
                            d.readWriteSplit(),
                            d.causalReads(),
                            d.causalReadTimeout(),
                            d.failoverBufferTimeout(),
                            d.failoverBufferStatements(),
                            List.of(new RoutingRule(
                                    null,
                                    null,
                                    Pattern.compile("FROM whoami", Pattern.CASE_INSENSITIVE),
                                    "primary")))));
            assertThat(r.changed()).as(r.describe()).containsExactly("routing");

            assertThat(reads(s)).as("the rule sends them to the writer").containsOnlyKeys("p");

            assertThat(proxy.reload(config).applied()).isTrue();
            assertThat(reads(s)).as("the rule removed again").doesNotContainKey("p");
        }
    }

    @Test
    void aRemovedServerDrainsAndAnAddedOneTakesReads() throws Exception {
        awaitReaders(2);
        try (Connection a = connect();
                Statement s = a.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            String x = who(s);
            assertThat(x).as("a read-only transaction on a replica").isIn("r1", "r2");
            String other = x.equals("r1") ? "r2" : "r1";

            ProxyConfig without = without(x);
            ConfigReload.Result r = proxy.reload(without);
            assertThat(r.changed()).as(r.describe()).containsExactly("servers: removed " + x, "groups");

            assertThat(who(s))
                    .as("the transaction open on the removed server finishes there")
                    .isEqualTo(x);
            s.execute("COMMIT");
            assertThat(reads(s)).as("then reads leave it").containsOnlyKeys(other);
            try (Connection b = connect();
                    Statement t = b.createStatement()) {
                assertThat(reads(t)).as("a new session").containsOnlyKeys(other);
            }

            assertThat(proxy.reload(config).changed()).containsExactly("servers: added " + x, "groups");
            awaitReaders(2);
            assertThat(RoutingFixture.poll(
                            () -> {
                                try {
                                    return reads(s).containsKey(x);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            Duration.ofSeconds(30)))
                    .as("the server added again takes reads")
                    .isTrue();
        }
    }

    @Test
    void serversComeAndGoWhileClientsRunStatementsWithoutAClientError() throws Exception {
        topology.servers().get(0).execute("CREATE TABLE IF NOT EXISTS r.traffic (k INT)"); // replicated
        awaitReaders(2);
        ProxyConfig withoutR2 = without("r2");
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int client = i;
            Thread t = new Thread(() -> {
                try (Connection c = connect();
                        Statement s = c.createStatement()) {
                    while (running.get()) {
                        s.execute("INSERT INTO traffic VALUES (" + client + ")");
                        who(s); // a read, on a replica (after a causal wait for the insert)
                        s.execute("START TRANSACTION READ ONLY");
                        who(s);
                        who(s);
                        s.execute("COMMIT");
                        rounds.incrementAndGet();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            t.start();
            clients.add(t);
        }
        try {
            for (int i = 0; i < 10 && errors.isEmpty(); i++) {
                int seen = rounds.get();
                RoutingFixture.poll(() -> rounds.get() >= seen + 6 || !errors.isEmpty(), Duration.ofSeconds(30));
                ConfigReload.Result r = proxy.reload(i % 2 == 0 ? withoutR2 : config);
                assertThat(r.applied()).as(r.describe()).isTrue();
            }
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(30_000);
            }
            proxy.reload(config);
        }
        assertThat(errors).isEmpty();
        assertThat(rounds.get()).isGreaterThanOrEqualTo(60);
    }

    /** The configuration without {@code removed} (in no group and not a server). */
    private static ProxyConfig without(String removed) {
        List<String> replicas =
                List.of("r1", "r2").stream().filter(n -> !n.equals(removed)).toList();
        List<String> writers = new java.util.ArrayList<>(List.of("p"));
        writers.addAll(replicas);
        return new ProxyConfig(
                        config.listeners(),
                        config.servers().stream()
                                .filter(c -> !c.name().equals(removed))
                                .toList(),
                        config.users(),
                        config.clientTls(),
                        config.timeouts(),
                        config.limits(),
                        config.localInfile(),
                        config.pool())
                .withRouting(
                        new ServerGroups(
                                List.of(
                                        ServerGroup.writer("primary", writers),
                                        ServerGroup.reader("replicas", replicas)),
                                true),
                        config.monitor(),
                        config.routing());
    }

    /** A MariaDB Connector/J session through Sluice, as app, on database r. */
    private static Connection connect() throws java.sql.SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + proxy.addresses().get(0).getPort() + "/r", "app", "secret");
    }

    private static String who(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT name FROM whoami")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void awaitReaders(int n) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> proxy.router().writer() != null
                        && proxy.router()
                                        .topology()
                                        .readers(Duration.ofSeconds(10))
                                        .size()
                                == n);
    }
}
