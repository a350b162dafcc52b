package dev.sluice.app.deploy;

import dev.sluice.app.config.ConfigLoader;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.testkit.MariaDbSandbox;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** A real Sluice with traffic, scraped once, for the checks of deploy/. */
final class DeployTesting {
    private DeployTesting() {}

    /** The families and sample names of one scrape. */
    record Metrics(Set<String> families, Set<String> samples) {
        /** Whether {@code name} is a family or a sample name of the scrape (PromQL names either). */
        boolean has(String name) {
            return families.contains(name) || samples.contains(name);
        }
    }

    static Path projectDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no deploy/ above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** shutdown-timeout's default, as the configuration says it. */
    static Duration defaultShutdownTimeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * Starts a server and a Sluice in front of it with a monitor, the HTTP listener and a slow query log; runs
     * statements, a failing one and a prepared one through it; scrapes /metrics.
     */
    static Metrics scrapeWithTraffic() throws Exception {
        try (MariaDbSandbox sandbox = MariaDbSandbox.builder()
                .name("deploy-metrics")
                .user("app", "secret")
                .initSql("CREATE DATABASE shop")
                .start()) {
            int httpPort = freePort();
            String yaml = String.join(
                    "\n",
                    "listen: 127.0.0.1:0",
                    "servers:",
                    "  - {name: db1, address: 127.0.0.1:" + sandbox.port() + ", tls: disabled}",
                    "groups:",
                    "  - {name: writer, role: writer, servers: [db1]}",
                    "monitor: {user: app, password: secret, interval: 200ms}",
                    "users:",
                    "  - {name: app, password: secret}",
                    "tls: false",
                    "http: {listen: 127.0.0.1:" + httpPort + "}",
                    "");
            ProxyServer proxy = ProxyServer.start(
                    new ConfigLoader().yaml("deploy.yaml", yaml).load().proxy());
            try {
                traffic(proxy.addresses().get(0).getPort());
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("/metrics answered " + r.statusCode());
                }
                return parse(r.body());
            } finally {
                proxy.close();
            }
        }
    }

    private static void traffic(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:" + port + "/shop?useServerPrepStmts=true", "app", "secret");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
            s.execute("INSERT INTO t VALUES (1), (2)");
            s.executeQuery("SELECT * FROM t").close();
            try {
                s.executeQuery("SELECT * FROM missing").close();
            } catch (SQLException expected) {
                // an ERR for sluice_errors_total
            }
            try (var ps = c.prepareStatement("SELECT * FROM t WHERE id = ?")) {
                ps.setInt(1, 1);
                ps.executeQuery().close();
            }
        }
    }

    static Metrics parse(String exposition) {
        Set<String> families = new HashSet<>();
        Set<String> samples = new HashSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                if (end < 0) {
                    end = line.indexOf(' ');
                }
                samples.add(line.substring(0, end));
            }
        }
        return new Metrics(families, samples);
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
