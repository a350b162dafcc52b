package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.Transport;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code SHOW SESSION STATUS LIKE 'Ssl%'} through Sluice describes the client's own connection (to Sluice),
 * not Sluice's connection to the server: the sandbox here has no TLS at all, so any cipher seen must be
 * Sluice's.
 */
class SslStatusTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    static ProxyFixture fixture;
    static EventLoopGroup group;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), false, 0);
        group = Transport.best().newGroup(1);
    }

    @AfterAll
    static void stop() {
        fixture.close();
        group.shutdownGracefully();
    }

    private static Map<String, String> status(Connection c, String like) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + like + "'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void tlsClientSeesItsOwnCipherWhileTheServerLegIsPlain() throws Exception {
        try (Connection c = fixture.mariadb("sslMode=trust")) {
            assertThat(status(c, "Ssl_cipher").get("Ssl_cipher")).startsWith("TLS_");
            assertThat(status(c, "Ssl%")).containsOnlyKeys("Ssl_cipher", "Ssl_version");
            assertThat(status(c, "Ssl_version").get("Ssl_version")).startsWith("TLSv1.");
        }
        try (Connection direct = fixture.direct("mariadb", "")) {
            assertThat(status(direct, "Ssl_cipher").get("Ssl_cipher")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void plainClientSeesNoCipher(String driver) throws Exception {
        try (Connection c = driver.equals("mysql") ? fixture.mysql("") : fixture.mariadb("sslMode=disable")) {
            assertThat(status(c, "Ssl_cipher")).containsEntry("Ssl_cipher", "");
            // anything else still reaches the server
            assertThat(status(c, "Threads_connected")).containsKey("Threads_connected");
        }
    }

    @Test
    void answeredWithAndWithoutDeprecateEof() {
        for (boolean deprecateEof : List.of(true, false)) {
            ConnectOptions options = ConnectOptions.builder("127.0.0.1", fixture.port())
                    .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
                    .tls(TlsMode.REQUIRED)
                    .deprecateEof(deprecateEof)
                    .build();
            try (ServerConnection c =
                    ServerConnection.await(new ServerConnector(group, Transport.best()).connect(options))) {
                List<List<Object>> rows =
                        c.querySync("show status like 'ssl_c%'").resultSet().rows();
                assertThat(rows).hasSize(1);
                assertThat(new String((byte[]) rows.get(0).get(0), StandardCharsets.UTF_8))
                        .isEqualTo("Ssl_cipher");
                assertThat(new String((byte[]) rows.get(0).get(1), StandardCharsets.UTF_8))
                        .startsWith("TLS_");
                // the session goes on normally after a locally answered statement
                assertThat(c.querySync("SELECT 7").resultSet().rows().get(0).get(0))
                        .isEqualTo(7L);
            }
        }
    }
}
