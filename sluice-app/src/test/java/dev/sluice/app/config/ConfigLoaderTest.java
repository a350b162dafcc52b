package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @Test
    void defaultsApplyToEveryKeyNotGiven() {
        ProxyConfig p = load("servers: [{address: 127.0.0.1:3306}]").proxy();

        assertThat(p.listeners()).containsExactly(new ListenerConfig("127.0.0.1", 3307));
        assertThat(p.servers()).containsExactly(new ServerConfig("server1", "127.0.0.1", 3306, TlsMode.PREFERRED));
        assertThat(p.users()).isEmpty();
        assertThat(p.clientTls()).isEqualTo(new ClientTlsConfig(true, null, null, false));
        assertThat(p.timeouts().connect()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.timeouts().clientHandshake()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.timeouts().clientWrite()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.timeouts().serverRead()).isNull();
        assertThat(p.timeouts().clientIdle()).isNull();
        assertThat(p.limits().maxPacketSize()).isEqualTo(64 << 20);
        assertThat(p.limits().maxClientConnections()).isEqualTo(10_000);
        assertThat(p.localInfile()).isFalse();
        assertThat(load("servers: [{address: 127.0.0.1:3306}]").logLevel()).isNull();
        assertThat(load("servers: [{address: 127.0.0.1:3306}]").shutdownTimeout())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shutdownTimeoutIsReadAndCannotBeOff() {
        assertThat(load("servers: [{address: 127.0.0.1:3306}]\nshutdown-timeout: 1m30s")
                        .shutdownTimeout())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(problems("servers: [{address: 127.0.0.1:3306}]\nshutdown-timeout: off"))
                .singleElement()
                .asString()
                .contains("shutdown-timeout")
                .contains("cannot be off");
    }

    @Test
    void everyKeyIsRead(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/cert.pem"), "cert");
        Files.writeString(dir.resolve("tls/key.pem"), "key");
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(
                file,
                yaml(
                        "listen:",
                        "  - 127.0.0.1:3307",
                        "  - \"[::1]:3308\"",
                        "servers:",
                        "  - name: primary",
                        "    address: db1.example:3306",
                        "    tls: required",
                        "  - address: 10.0.0.2:3307",
                        "    tls: DISABLED",
                        "users:",
                        "  - name: app",
                        "    password: secret",
                        "  - name: report",
                        "    password-hash: \"*94bdcebe19083ce2a1f959fd02f964c7af4cfc29\"",
                        "    server-user: reporting",
                        "    server-password: s3rver",
                        "tls:",
                        "  enabled: true",
                        "  certificate: tls/cert.pem",
                        "  key: " + dir.resolve("tls/key.pem"),
                        "  required: true",
                        "connect-timeout: 2s",
                        "client-handshake-timeout: 1500ms",
                        "client-write-timeout: 1m",
                        "server-read-timeout: 1h",
                        "client-idle-timeout: 8h",
                        "max-packet-size: 16MiB",
                        "max-client-connections: 500",
                        "local-infile: true",
                        "instance-id: 7",
                        "log-level: DEBUG"));

        SluiceConfig config = new ConfigLoader().file(file).load();
        ProxyConfig p = config.proxy();

        assertThat(p.listeners())
                .containsExactly(new ListenerConfig("127.0.0.1", 3307), new ListenerConfig("::1", 3308));
        assertThat(p.servers())
                .containsExactly(
                        new ServerConfig("primary", "db1.example", 3306, TlsMode.REQUIRED),
                        new ServerConfig("server2", "10.0.0.2", 3307, TlsMode.DISABLED));
        assertThat(p.users())
                .containsExactly(
                        new UserConfig("app", "secret", null, "app", "secret"),
                        new UserConfig(
                                "report", null, "*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29", "reporting", "s3rver"));
        // relative paths are relative to the file's directory
        assertThat(p.clientTls())
                .isEqualTo(new ClientTlsConfig(
                        true, dir.toAbsolutePath().resolve("tls/cert.pem"), dir.resolve("tls/key.pem"), true));
        assertThat(p.timeouts().connect()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.timeouts().clientHandshake()).isEqualTo(Duration.ofMillis(1500));
        assertThat(p.timeouts().clientWrite()).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.timeouts().serverRead()).isEqualTo(Duration.ofHours(1));
        assertThat(p.timeouts().clientIdle()).isEqualTo(Duration.ofHours(8));
        assertThat(p.limits().maxPacketSize()).isEqualTo(16 << 20);
        assertThat(p.limits().maxClientConnections()).isEqualTo(500);
        assertThat(p.localInfile()).isTrue();
        assertThat(p.instanceId()).isEqualTo(7);
        assertThat(config.logLevel()).isEqualTo("debug");
    }

    @Test
    void listenAcceptsASingleString() {
        assertThat(load(yaml("listen: 0.0.0.0:0", "servers: [{address: h:1}]"))
                        .proxy()
                        .listeners())
                .containsExactly(new ListenerConfig("0.0.0.0", 0));
    }

    @Test
    void optionalTimeoutsTurnOffWithOffOrZero() {
        ProxyConfig p = load(yaml("servers: [{address: h:1}]", "server-read-timeout: off", "client-idle-timeout: 0"))
                .proxy();
        assertThat(p.timeouts().serverRead()).isNull();
        assertThat(p.timeouts().clientIdle()).isNull();
    }

    @Test
    void tlsShorthandAndBooleanSpellings() {
        assertThat(load(yaml("servers: [{address: h:1}]", "tls: false"))
                        .proxy()
                        .clientTls()
                        .enabled())
                .isFalse();
        assertThat(load(yaml("servers: [{address: h:1}]", "tls: {enabled: no}", "local-infile: on"))
                        .proxy())
                .satisfies(p -> assertThat(p.clientTls().enabled()).isFalse())
                .satisfies(p -> assertThat(p.localInfile()).isTrue());
    }

    @Test
    void clientAuthPluginTakesEachSupportedPlugin() {
        for (String plugin : new String[] {"mysql_native_password", "caching_sha2_password", "client_ed25519"}) {
            assertThat(load(yaml("servers: [{address: h:1}]", "client-auth-plugin: " + plugin))
                            .proxy()
                            .clientAuthPlugin())
                    .isEqualTo(plugin);
        }
    }

    @Test
    void emptyValuesMeanTheDefault() {
        ProxyConfig p = load(yaml("servers: [{address: h:1}]", "users:", "tls:", "connect-timeout:"))
                .proxy();
        assertThat(p.users()).isEmpty();
        assertThat(p.clientTls().selfSignedCertificate()).isTrue();
        assertThat(p.timeouts().connect()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void emptyPasswordIsAPassword() {
        assertThat(load(yaml("servers: [{address: h:1}]", "users: [{name: u, password: ''}]"))
                        .proxy()
                        .user("u"))
                .isEqualTo(new UserConfig("u", "", null, "u", ""));
    }

    @Test
    void quickStartWithoutAFile() {
        SluiceConfig config = new ConfigLoader()
                .listen(List.of("127.0.0.1:3307"))
                .backends(List.of("127.0.0.1:3306", "127.0.0.1:3316"))
                .users(List.of("bench:bench", "odd:pa:ss:word"))
                .load();

        assertThat(config.proxy().listeners()).containsExactly(new ListenerConfig("127.0.0.1", 3307));
        assertThat(config.proxy().servers())
                .extracting(ServerConfig::name, ServerConfig::address)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("server1", "127.0.0.1:3306"),
                        org.assertj.core.groups.Tuple.tuple("server2", "127.0.0.1:3316"));
        assertThat(config.proxy().users())
                .containsExactly(UserConfig.of("bench", "bench"), UserConfig.of("odd", "pa:ss:word"));
    }

    @Test
    void quickStartFlagsReplaceTheFileSections() {
        SluiceConfig config = new ConfigLoader()
                .yaml(
                        "sluice.yaml",
                        yaml(
                                "listen: 127.0.0.1:4000",
                                "servers: [{name: a, address: h:1}]",
                                "users: [{name: x, password: y}]",
                                "connect-timeout: 3s"))
                .listen(List.of("127.0.0.1:5000"))
                .backends(List.of("h:2"))
                .users(List.of("bench:bench"))
                .load();

        assertThat(config.proxy().listeners()).containsExactly(new ListenerConfig("127.0.0.1", 5000));
        assertThat(config.proxy().servers()).containsExactly(new ServerConfig("server1", "h", 2, TlsMode.PREFERRED));
        assertThat(config.proxy().users()).containsExactly(UserConfig.of("bench", "bench"));
        assertThat(config.proxy().timeouts().connect()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void missingFileIsAConfigurationError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThat(problems(new ConfigLoader().file(missing))).containsExactly(missing + ": no such file");
    }

    @Test
    void emptyFileNeedsOnlyServers(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("empty.yaml"), "# nothing yet\n");
        assertThat(problems(new ConfigLoader().file(file)))
                .containsExactly(file + ": servers: at least one server is required (add 'servers:' or --backend"
                        + " HOST:PORT)");
        assertThat(new ConfigLoader()
                        .file(file)
                        .backends(List.of("h:1"))
                        .load()
                        .proxy()
                        .servers())
                .hasSize(1);
    }
}
