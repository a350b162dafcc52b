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
        String url = "jdbc:mariadb://127.0.0.1:" + proxy.addresses().get(0).getPort() + "/r";
        try (Connection c = DriverManager.getConnection(url, "app", "secret");
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
        String url = "jdbc:mariadb://127.0.0.1:" + proxy.addresses().get(0).getPort() + "/r";
        awaitReaders(2);
        try (Connection a = DriverManager.getConnection(url, "app", "secret");
                Statement s = a.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            String x = who(s);
            assertThat(x).as("a read-only transaction on a replica").isIn("r1", "r2");
            String other = x.equals("r1") ? "r2" : "r1";

            ProxyConfig without = config.withRouting(
                    new ServerGroups(
                            List.of(
                                    ServerGroup.writer("primary", List.of("p", other)),
                                    ServerGroup.reader("replicas", List.of(other))),
                            true),
                    config.monitor(),
                    config.routing());
            without = new ProxyConfig(
                            without.listeners(),
                            without.servers().stream()
                                    .filter(c -> !c.name().equals(x))
                                    .toList(),
                            without.users(),
                            without.clientTls(),
                            without.timeouts(),
                            without.limits(),
                            without.localInfile(),
                            without.pool())
                    .withRouting(without.groups(), without.monitor(), without.routing());
            ConfigReload.Result r = proxy.reload(without);
            assertThat(r.changed()).as(r.describe()).containsExactly("servers: removed " + x, "groups");

            assertThat(who(s))
                    .as("the transaction open on the removed server finishes there")
                    .isEqualTo(x);
            s.execute("COMMIT");
            assertThat(reads(s)).as("then reads leave it").containsOnlyKeys(other);
            try (Connection b = DriverManager.getConnection(url, "app", "secret");
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
