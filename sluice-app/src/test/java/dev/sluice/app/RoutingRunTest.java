package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.ReplicatedTopology;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run --config} as an operator writes it for a primary and two replicas (groups, monitor, routing):
 * writes reach the primary, reads the replicas, and a read right after a write sees it. Which server answered is each
 * server's own row in a table that is not replicated.
 */
class RoutingRunTest {
    @Test
    void aConfigFileWithGroupsAndAMonitorSplitsReadsFromWrites(@TempDir Path dir) throws Exception {
        try (ReplicatedTopology topology = ReplicatedTopology.builder()
                .name("routing-run")
                .user("app", "secret")
                .initSql(
                        "CREATE DATABASE shop",
                        "CREATE TABLE shop.whoami (name VARCHAR(16))",
                        "CREATE TABLE shop.orders (id INT PRIMARY KEY)")
                .start()) {
            topology.awaitReplicated(Duration.ofSeconds(20));
            String[] names = {"db1", "db2", "db3"};
            for (int i = 0; i < 3; i++) {
                topology.servers()
                        .get(i)
                        .execute("SET SESSION sql_log_bin = 0; INSERT INTO shop.whoami VALUES ('" + names[i] + "')");
            }
            StringBuilder servers = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                MariaDbSandbox s = topology.servers().get(i);
                servers.append("  - {name: ")
                        .append(names[i])
                        .append(", address: 127.0.0.1:")
                        .append(s.port())
                        .append(", tls: disabled}\n");
            }
            Path file = Files.writeString(
                    dir.resolve("sluice.yaml"),
                    "listen: 127.0.0.1:0\n"
                            + "servers:\n"
                            + servers
                            + "groups:\n"
                            + "  - {name: primary, role: writer, servers: [db1, db2, db3]}\n"
                            + "  - {name: replicas, role: reader, servers: [db2, db3]}\n"
                            + "monitor: {user: app, password: secret, interval: 200ms}\n"
                            + "users:\n"
                            + "  - {name: app, password: secret}\n"
                            + "tls: false\n");
            CommandTesting t = new CommandTesting();
            Map<String, Integer> reads = new HashMap<>();
            int[] stale = {0};
            t.realProxy(proxy -> traffic(proxy, reads, stale));

            int exit = t.run("run", "--config", file.toString());

            assertThat(exit).as(t.err.toString()).isZero();
            assertThat(reads).as("servers that answered the reads").containsOnlyKeys("db2", "db3");
            assertThat(stale[0])
                    .as("reads that missed the row their session had just written")
                    .isZero();
            try (Connection direct = DriverManager.getConnection(
                            "jdbc:mariadb://127.0.0.1:" + topology.primary().port() + "/shop", "app", "secret");
                    Statement s = direct.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
                rs.next();
                assertThat(rs.getInt(1)).as("orders on the primary").isEqualTo(50);
            }
        }
    }

    /**
     * Waits (with a deadline) for the monitor's first polls to send a read to a replica, then writes an order and
     * reads it back at once, 50 times, counting who answered each read and how many missed their row.
     */
    private static void traffic(InetSocketAddress proxy, Map<String, Integer> reads, int[] stale) throws SQLException {
        String url = "jdbc:mariadb://127.0.0.1:" + proxy.getPort() + "/shop?connectTimeout=5000&socketTimeout=20000";
        try (Connection c = DriverManager.getConnection(url, "app", "secret");
                Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String first = "db1";
            while (first.equals("db1") && System.nanoTime() < deadline) {
                first = who(s, "SELECT name FROM whoami");
            }
            for (int i = 0; i < 50; i++) {
                s.executeUpdate("INSERT INTO orders VALUES (" + i + ")");
                try (ResultSet rs = s.executeQuery(
                        "SELECT (SELECT name FROM whoami), (SELECT COUNT(*) FROM orders WHERE id = " + i + ")")) {
                    rs.next();
                    reads.merge(rs.getString(1), 1, Integer::sum);
                    stale[0] += rs.getInt(2) == 1 ? 0 : 1;
                }
            }
        }
    }

    private static String who(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
