package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.proxy.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MySQL Connector/J, MariaDB Connector/J and the mariadb CLI against the real handshake handler, with a test
 * double answering the few commands they send after logging in.
 */
class RealClientHandshakeTest {
    private static final String VERSION = "8.0.36-sluice-test";
    private static final String TIMEOUTS = "connectTimeout=5000&socketTimeout=10000";
    private static SslContext tls;
    private PostAuthTestServer server;
    private FrontendSettings settings;

    @BeforeAll
    static void tlsContext() {
        tls = ClientTlsContexts.create(ClientTlsConfig.selfSigned());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private PostAuthTestServer start(String plugin, boolean tlsRequired) throws Exception {
        AtomicLong ids = new AtomicLong(100);
        settings = FrontendSettings.defaults(
                        VERSION, ids::incrementAndGet, HandshakeHarness.USERS::get, HandshakeHarness.KEYS)
                .withTls(tls, tlsRequired)
                .withDefaultAuthPlugin(plugin);
        server = new PostAuthTestServer(settings);
        return server;
    }

    private static long selectOne(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private String mysqlUrl(String options) {
        return "jdbc:mysql://127.0.0.1:" + server.port() + "/shop?" + TIMEOUTS + "&" + options;
    }

    private String mariadbUrl(String options) {
        return "jdbc:mariadb://127.0.0.1:" + server.port() + "/shop?" + TIMEOUTS + "&" + options;
    }

    private AuthenticatedClient lastClient() {
        assertThat(server.clients).as("authenticated clients").isNotEmpty();
        return server.clients.get(server.clients.size() - 1);
    }

    // ---- MySQL Connector/J ------------------------------------------------------------------------------

    @ParameterizedTest(name = "greeting plugin {0}")
    @ValueSource(strings = {NativePassword.PLUGIN_NAME, CachingSha2Password.PLUGIN_NAME})
    void connectorJWithoutTls(String plugin) throws Exception {
        start(plugin, false);
        String url = mysqlUrl("sslMode=DISABLED&allowPublicKeyRetrieval=true");
        assertThat(selectOne(url, "app", "secret")).isEqualTo(1);
        AuthenticatedClient client = lastClient();
        assertThat(client.tls()).isFalse();
        assertThat(client.authPlugin()).isEqualTo(plugin);
        assertThat(client.database()).isEqualTo("shop");
        assertThat(client.connectAttributes()).containsKey("_client_name");
        assertThat(settings.sha2Cache().contains("app"))
                .as("a full caching_sha2_password authentication (RSA) filled the cache")
                .isEqualTo(plugin.equals(CachingSha2Password.PLUGIN_NAME));
        // Again: caching_sha2_password now takes the fast path.
        assertThat(selectOne(url, "app", "secret")).isEqualTo(1);
    }

    @ParameterizedTest(name = "greeting plugin {0}")
    @ValueSource(strings = {NativePassword.PLUGIN_NAME, CachingSha2Password.PLUGIN_NAME})
    void connectorJWithTls(String plugin) throws Exception {
        start(plugin, true);
        assertThat(selectOne(mysqlUrl("sslMode=REQUIRED"), "app", "secret")).isEqualTo(1);
        assertThat(lastClient().tls()).isTrue();
        assertThat(lastClient().authPlugin()).isEqualTo(plugin);
    }

    @Test
    void connectorJDefaultAuthenticationPluginAgainstNativeGreeting() throws Exception {
        start(NativePassword.PLUGIN_NAME, false);
        String url = mysqlUrl(
                "sslMode=DISABLED&allowPublicKeyRetrieval=true" + "&defaultAuthenticationPlugin=caching_sha2_password");
        assertThat(selectOne(url, "app", "secret")).isEqualTo(1);
        assertThat(lastClient().authPlugin())
                .as("switched to the announced plugin")
                .isEqualTo(NativePassword.PLUGIN_NAME);
        assertThat(selectOne(url, "nopw", "")).isEqualTo(1);
        assertThat(selectOne(url, "hashonly", "hashpw")).isEqualTo(1);
    }

    @Test
    void connectorJCachingSha2GreetingWithHashOnlyAndEmptyPasswordUsers() throws Exception {
        start(CachingSha2Password.PLUGIN_NAME, false);
        String url = mysqlUrl("sslMode=DISABLED&allowPublicKeyRetrieval=true");
        assertThat(selectOne(url, "hashonly", "hashpw")).isEqualTo(1);
        assertThat(lastClient().authPlugin()).as("switched: a hash-only user").isEqualTo(NativePassword.PLUGIN_NAME);
        assertThat(selectOne(url, "nopw", "")).isEqualTo(1);
        assertThat(lastClient().authPlugin()).isEqualTo(CachingSha2Password.PLUGIN_NAME);
    }

    @Test
    void connectorJWrongPasswordAndUnknownUser() throws Exception {
        start(CachingSha2Password.PLUGIN_NAME, false);
        String url = mysqlUrl("sslMode=DISABLED&allowPublicKeyRetrieval=true");
        assertThatThrownBy(() -> selectOne(url, "app", "wrong")).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getErrorCode()).isEqualTo(1045);
            assertThat(e.getSQLState()).isEqualTo("28000");
            assertThat(e.getMessage()).contains("Access denied for user 'app'@'127.0.0.1' (using password: YES)");
        });
        assertThatThrownBy(() -> selectOne(url, "nobody", "x"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        assertThat(server.clients).isEmpty();
    }

    @Test
    void connectorJRefusedWithoutTlsWhenRequired() throws Exception {
        start(NativePassword.PLUGIN_NAME, true);
        assertThatThrownBy(() -> selectOne(mysqlUrl("sslMode=DISABLED"), "app", "secret"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(3159));
    }

    // ---- MariaDB Connector/J ----------------------------------------------------------------------------

    @ParameterizedTest(name = "greeting plugin {0}")
    @ValueSource(strings = {NativePassword.PLUGIN_NAME, CachingSha2Password.PLUGIN_NAME})
    void mariadbConnectorWithoutTls(String plugin) throws Exception {
        start(plugin, false);
        String url = mariadbUrl("allowPublicKeyRetrieval=true");
        assertThat(selectOne(url, "app", "secret")).isEqualTo(1);
        assertThat(lastClient().tls()).isFalse();
        assertThat(lastClient().authPlugin()).isEqualTo(plugin);
        assertThat(selectOne(url, "app", "secret")).isEqualTo(1);
    }

    @ParameterizedTest(name = "greeting plugin {0}")
    @ValueSource(strings = {NativePassword.PLUGIN_NAME, CachingSha2Password.PLUGIN_NAME})
    void mariadbConnectorWithTls(String plugin) throws Exception {
        start(plugin, true);
        assertThat(selectOne(mariadbUrl("sslMode=trust"), "app", "secret")).isEqualTo(1);
        assertThat(lastClient().tls()).isTrue();
        assertThat(lastClient().authPlugin()).isEqualTo(plugin);
    }

    @Test
    void mariadbConnectorWrongPassword() throws Exception {
        start(NativePassword.PLUGIN_NAME, false);
        assertThatThrownBy(() -> selectOne(mariadbUrl("sslMode=disable"), "app", "wrong"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1045);
                    assertThat(e.getSQLState()).isEqualTo("28000");
                });
        assertThatThrownBy(() -> selectOne(mariadbUrl("sslMode=disable"), "nobody", ""))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
    }

    // ---- mariadb CLI ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}, greeting plugin {1}")
    @CsvSource({
        "--skip-ssl, mysql_native_password",
        "--ssl, mysql_native_password",
        "--skip-ssl, caching_sha2_password",
        "--ssl, caching_sha2_password"
    })
    void mariadbCli(String ssl, String plugin) throws Exception {
        start(plugin, false);
        List<String> command = new ArrayList<>(List.of(
                "mariadb",
                "--no-defaults",
                "-h127.0.0.1",
                "-P" + server.port(),
                "-uapp",
                "-psecret",
                ssl,
                "--connect-timeout=5",
                "-N",
                "-B",
                "-e",
                "select 1"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("mariadb CLI finished").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output.trim()).isEqualTo("1");
        assertThat(lastClient().tls()).isEqualTo(ssl.equals("--ssl"));
        assertThat(lastClient().authPlugin()).isEqualTo(plugin);
    }

    @Test
    void mariadbCliWrongPassword() throws Exception {
        start(NativePassword.PLUGIN_NAME, false);
        Process p = new ProcessBuilder(
                        "mariadb",
                        "--no-defaults",
                        "-h127.0.0.1",
                        "-P" + server.port(),
                        "-uapp",
                        "-pwrong",
                        "--skip-ssl",
                        "--connect-timeout=5",
                        "-e",
                        "select 1")
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(output.trim())
                .isEqualTo("ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)");
    }
}
