package dev.sluice.it.proxy;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandbox;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** A Sluice in front of a sandbox, for tests: user app/secret on both sides, TLS with a self-signed pair. */
public final class ProxyFixture implements AutoCloseable {
    public static final String USER = "app";
    public static final String PASSWORD = "secret";
    /** The name of the fixture's only server. */
    public static final String SERVER = "sandbox";
    /** No TLS towards clients, which saves generating a self-signed certificate (seconds on a slow machine). */
    public static final ClientTlsConfig NO_TLS = new ClientTlsConfig(false, null, null, false);

    public final MariaDbSandbox sandbox;
    public final ProxyServer proxy;

    public ProxyFixture(MariaDbSandbox sandbox, boolean localInfile, long serverCapabilityMask) {
        this.sandbox = sandbox;
        this.proxy = ProxyServer.start(config(sandbox, localInfile, Limits.defaults()), serverCapabilityMask);
    }

    /** A Sluice with a configuration of the test's own (e.g. {@link #config} with a small max packet size). */
    public ProxyFixture(MariaDbSandbox sandbox, ProxyConfig config) {
        this.sandbox = sandbox;
        this.proxy = ProxyServer.start(config);
    }

    /** The fixture's configuration: one listener on a free port, the sandbox as the only server, app and root. */
    public static ProxyConfig config(MariaDbSandbox sandbox, boolean localInfile, Limits limits) {
        return config(
                sandbox,
                sandbox.host(),
                sandbox.port(),
                ClientTlsConfig.selfSigned(),
                Timeouts.defaults(),
                limits,
                localInfile);
    }

    /** A Sluice with a configuration of the test's own, e.g. from {@link #config} with changes. */
    public ProxyFixture(MariaDbSandbox sandbox, ProxyConfig config, long serverCapabilityMask) {
        this.sandbox = sandbox;
        this.proxy = ProxyServer.start(config, serverCapabilityMask);
    }

    /** The configuration of the first constructor, with the given client TLS (e.g. {@link #NO_TLS}). */
    public static ProxyConfig config(MariaDbSandbox sandbox, ClientTlsConfig clientTls, boolean localInfile) {
        return config(
                sandbox,
                sandbox.host(),
                sandbox.port(),
                clientTls,
                Timeouts.defaults(),
                Limits.defaults(),
                localInfile);
    }

    /**
     * The fixture's users and TLS with the server at {@code serverHost:serverPort} (the sandbox, or a relay in
     * front of it) and the given deadlines, limits and LOCAL INFILE setting.
     */
    public static ProxyConfig config(
            MariaDbSandbox sandbox,
            String serverHost,
            int serverPort,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile) {
        return config(sandbox, serverHost, serverPort, ClientTlsConfig.selfSigned(), timeouts, limits, localInfile);
    }

    /** The general form the others fill in. */
    public static ProxyConfig config(
            MariaDbSandbox sandbox,
            String serverHost,
            int serverPort,
            ClientTlsConfig clientTls,
            Timeouts timeouts,
            Limits limits,
            boolean localInfile) {
        return new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                List.of(new ServerConfig(SERVER, serverHost, serverPort, TlsMode.PREFERRED)),
                List.of(UserConfig.of(USER, PASSWORD), UserConfig.of("root", sandbox.rootPassword())),
                clientTls,
                timeouts,
                limits,
                localInfile);
    }

    /** {@code config} with its pool in {@code mode}. */
    public static ProxyConfig withMode(ProxyConfig config, PoolMode mode) {
        return with(config, config.pool().withMode(mode), config.clientAuthPlugin());
    }

    /** {@code config} with {@code client-auth-plugin} set to {@code plugin}. */
    public static ProxyConfig withClientAuthPlugin(ProxyConfig config, String plugin) {
        return with(config, config.pool(), plugin);
    }

    private static ProxyConfig with(ProxyConfig config, PoolSettings pool, String clientAuthPlugin) {
        return new ProxyConfig(
                config.listeners(),
                config.servers(),
                config.users(),
                config.clientTls(),
                config.timeouts(),
                config.limits(),
                config.localInfile(),
                pool,
                clientAuthPlugin,
                config.instanceId());
    }

    /**
     * After the test restarted the server: runs a health check now, so a check that saw the server down during
     * the restart does not fail the next test fast until the next scheduled check. Returns whether it is up.
     */
    public boolean recheckServer() throws Exception {
        var health = proxy.health(SERVER);
        return health == null || health.check().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    public int port() {
        InetSocketAddress a = proxy.addresses().get(0);
        return a.getPort();
    }

    /** MySQL Connector/J through Sluice. */
    public Connection mysql(String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:" + port() + "/test?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                        + (extra.isEmpty() ? "" : "&" + extra),
                USER,
                PASSWORD);
    }

    /** MariaDB Connector/J through Sluice. */
    public Connection mariadb(String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + port() + "/test" + (extra.isEmpty() ? "" : "?" + extra), USER, PASSWORD);
    }

    /** The codec client as the fixture's user on database {@code test} at {@code port} (Sluice's or the sandbox's). */
    public static ServerConnection codec(ServerConnector connector, int port, boolean deprecateEof) {
        return ServerConnection.await(connector.connect(ConnectOptions.builder("127.0.0.1", port)
                .user(USER, PASSWORD)
                .database("test")
                .deprecateEof(deprecateEof)
                .connectTimeout(Duration.ofSeconds(10))
                .build()));
    }

    /** A driver connection straight to the sandbox, to compare with. */
    public Connection direct(String driver, String extra) throws SQLException {
        String url = driver.equals("mysql")
                ? "jdbc:mysql://127.0.0.1:" + sandbox.port() + "/test?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                        + (extra.isEmpty() ? "" : "&" + extra)
                : "jdbc:mariadb://127.0.0.1:" + sandbox.port() + "/test" + (extra.isEmpty() ? "" : "?" + extra);
        return DriverManager.getConnection(url, USER, PASSWORD);
    }

    /** The HTTP status of a GET of {@code path} on Sluice's HTTP listener (which the configuration must have). */
    public int httpStatus(String path) throws java.io.IOException, InterruptedException {
        java.net.URI uri =
                java.net.URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + path);
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /**
     * Real traffic breaks no rule: the strict validator (on by default, observing) reported no violation and never
     * stopped on a fault of its own (docs/VALIDATION.md).
     */
    public void assertNoProtocolViolations() {
        org.assertj.core.api.Assertions.assertThat(proxy.violations().total())
                .as("protocol violations reported (see the dev.sluice.validate log lines)")
                .isZero();
        org.assertj.core.api.Assertions.assertThat(proxy.violations().faults())
                .as("validator faults")
                .isZero();
    }

    @Override
    public void close() {
        proxy.close();
    }
}
