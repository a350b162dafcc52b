package dev.sluice.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read/write split end to end, quickly: plain and prepared reads answered by the replicas (each server's own
 * row in a table that is not replicated says which one answered), writes by the primary, and a read right after
 * each write seeing it (causal reads).
 */
class RoutingSmokeTest {
    private static ReplicatedTopology topology;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        topology = ReplicatedTopology.builder()
                .name("rsmoke")
                .user("app", "secret")
                .initSql("CREATE DATABASE r", "CREATE TABLE r.whoami (name VARCHAR(16))")
                .start();
        String[] names = {"p", "r1", "r2"};
        List<MariaDbSandbox> servers = topology.servers();
        topology.awaitReplicated(Duration.ofSeconds(15));
        for (int i = 0; i < 3; i++) {
            servers.get(i).execute("SET SESSION sql_log_bin=0; INSERT INTO r.whoami VALUES ('" + names[i] + "')");
        }
        List<ServerConfig> sc = List.of(
                new ServerConfig("p", "127.0.0.1", servers.get(0).port(), TlsMode.DISABLED),
                new ServerConfig("r1", "127.0.0.1", servers.get(1).port(), TlsMode.DISABLED),
                new ServerConfig("r2", "127.0.0.1", servers.get(2).port(), TlsMode.DISABLED));
        ProxyConfig base = new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                sc,
                List.of(UserConfig.of("app", "secret")),
                new ClientTlsConfig(false, null, null, false),
                Timeouts.defaults(),
                Limits.defaults(),
                false);
        ProxyConfig config = base.withRouting(
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

    @Test
    void readsGoToReplicasWritesToThePrimary() throws Exception {
        String url = "jdbc:mariadb://127.0.0.1:" + proxy.addresses().get(0).getPort() + "/r";
        Map<String, Integer> seen = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, "app", "secret");
                Statement s = c.createStatement()) {
            // the monitor's first polls: a writer and both replicas within their lag
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> proxy.router().writer() != null
                            && proxy.router()
                                            .topology()
                                            .readers(Duration.ofSeconds(10))
                                            .size()
                                    == 2);
            for (int i = 0; i < 50; i++) {
                try (ResultSet rs = s.executeQuery("SELECT name FROM whoami")) {
                    rs.next();
                    seen.merge(rs.getString(1), 1, Integer::sum);
                }
            }
            s.execute("CREATE TABLE IF NOT EXISTS t (k INT)");
            for (int i = 0; i < 200; i++) {
                s.execute("INSERT INTO t VALUES (" + i + ")");
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t WHERE k = " + i)) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("read of write " + i).isEqualTo(1);
                }
            }
        }

        Map<String, Integer> prepared = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url + "?useServerPrepStmts=true", "app", "secret");
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT name FROM whoami WHERE name <> ?")) {
            for (int i = 0; i < 20; i++) {
                ps.setString(1, "x");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    prepared.merge(rs.getString(1), 1, Integer::sum);
                }
            }
        }
        try (Connection c = DriverManager.getConnection(url, "app", "secret");
                Statement s = c.createStatement()) {
            s.execute("BEGIN");
            for (int i = 0; i < 5; i++) {
                s.executeQuery("SELECT name FROM whoami").close(); // kept on the writer by the transaction
            }
            s.execute("COMMIT");
        }
        System.out.println("PREPARED " + prepared);
        assertThat(prepared).doesNotContainKey("p");
        System.out.println("SEEN " + seen + " " + proxy.router().counters().snapshot());
        assertThat(seen).doesNotContainKey("p");
        Map<String, Long> counted = proxy.router().counters().snapshot();
        assertThat(counted)
                .as("routing decisions counted by group/server/reason")
                .containsKeys(
                        "replicas/r1/split",
                        "replicas/r2/split",
                        "replicas/r1/causal-wait",
                        "primary/p/write",
                        "primary/p/pin");
        assertThat(counted.get("primary/p/pin"))
                .as("statements a transaction kept on the writer")
                .isGreaterThanOrEqualTo(6);
    }
}
