package dev.sluice.it.pool;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.Transport;
import dev.sluice.backend.pool.HealthMonitor;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import io.netty.channel.EventLoopGroup;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Sluice in front of one server (a sandbox, a relay or a fake) with explicit pool settings and timeouts, plus
 * a codec client pointed at it. Users: app/secret and root (with the given password), mapped to the same names
 * on the server. The server is named {@link #SERVER} (for {@link #stats()} and {@link #health()}).
 */
final class PoolProxy implements AutoCloseable {
    static final String SERVER = "db";
    static final String USER = "app";
    static final String PASSWORD = "secret";

    final ProxyServer proxy;
    private final EventLoopGroup clientGroup;
    private final ServerConnector clients;

    PoolProxy(String host, int port, String rootPassword, Timeouts timeouts, PoolSettings pool) {
        ProxyConfig config = new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                List.of(new ServerConfig(SERVER, host, port, TlsMode.DISABLED)),
                List.of(UserConfig.of(USER, PASSWORD), UserConfig.of("root", rootPassword)),
                new ClientTlsConfig(false, null, null, false), // a self-signed pair takes seconds to make
                timeouts,
                Limits.defaults(),
                false,
                pool);
        Transport transport = Transport.best();
        clientGroup = transport.newGroup(2);
        clients = new ServerConnector(clientGroup, transport);
        proxy = ProxyServer.start(config);
    }

    static Timeouts timeouts(Duration connect) {
        return new Timeouts(connect, Duration.ofSeconds(10), Duration.ofSeconds(60), null, null);
    }

    static PoolSettings pool(int maxSize, Duration acquireTimeout, Duration healthCheckInterval) {
        return PoolSettings.builder()
                .maxSize(maxSize)
                .acquireTimeout(acquireTimeout)
                .healthCheckInterval(healthCheckInterval)
                .build();
    }

    int port() {
        return proxy.addresses().get(0).getPort();
    }

    PoolStats stats() {
        return proxy.poolStats(SERVER);
    }

    HealthMonitor health() {
        return proxy.health(SERVER);
    }

    /** Codec-client options for a login to Sluice as app, database test. */
    ConnectOptions.Builder appOptions() {
        return ConnectOptions.builder("127.0.0.1", port())
                .user(USER, PASSWORD)
                .database("test")
                .connectTimeout(Duration.ofSeconds(30));
    }

    /** Logs in to Sluice with the codec client (Sluice answers the login itself; the lease follows). */
    ServerConnection codec() {
        return ServerConnection.await(clients.connect(appOptions().build()));
    }

    ServerConnection codec(ConnectOptions options) {
        return ServerConnection.await(clients.connect(options));
    }

    /** MariaDB Connector/J through Sluice as app, database test. */
    Connection mariadb(String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + port() + "/test" + (extra.isEmpty() ? "" : "?" + extra), USER, PASSWORD);
    }

    Connection mariadbAs(String user, String password, String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + port() + "/" + (extra.isEmpty() ? "" : "?" + extra), user, password);
    }

    @Override
    public void close() {
        proxy.close();
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
