package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandbox;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run --config} with server groups, in front of a real server whose reader is down: the client is served
 * by the writer group's server (found writable by the monitor), even when it is not the first of {@code servers}.
 */
class GroupsRunTest {
    @Test
    void aClientIsServedThroughTheWriterGroupsServer(@TempDir Path dir) throws Exception {
        try (MariaDbSandbox sandbox = MariaDbSandbox.builder()
                .name("groups-run")
                .user("app", "secret")
                .start()) {
            Path file = Files.writeString(
                    dir.resolve("sluice.yaml"),
                    String.join(
                            "\n",
                            "listen: 127.0.0.1:0",
                            "servers:",
                            "  - {name: replica, address: 127.0.0.1:" + closedPort() + ", tls: disabled}",
                            "  - {name: primary, address: 127.0.0.1:" + sandbox.port() + ", tls: disabled}",
                            "groups:",
                            "  - {name: writers, role: writer, servers: [primary]}",
                            "  - {name: replicas, role: reader, servers: [replica]}",
                            "users:",
                            "  - {name: app, password: secret, default-group: writers}",
                            "monitor: {user: app, password: secret}",
                            "tls: false",
                            ""));
            CommandTesting t = new CommandTesting();
            long[] servedPort = {-1};
            t.realProxy(proxy -> servedPort[0] = selectPort(proxy));

            int exit = t.run("run", "--config", file.toString());

            assertThat(exit).as(t.err.toString()).isZero();
            assertThat(servedPort[0]).as("@@port seen through Sluice").isEqualTo(sandbox.port());
        }
    }

    private static long selectPort(InetSocketAddress proxy) throws SQLException {
        String url = "jdbc:mariadb://127.0.0.1:" + proxy.getPort() + "/?connectTimeout=5000&socketTimeout=10000";
        try (Connection c = DriverManager.getConnection(url, "app", "secret");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@port")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** A port nothing listens on (bound, then released): the reader group's server is down. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
