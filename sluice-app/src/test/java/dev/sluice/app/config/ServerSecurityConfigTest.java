package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ServerTls;
import dev.sluice.backend.TlsMode;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.RsaPem;
import dev.sluice.proxy.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of servers[N] that decide how far the link to a server is trusted with passwords (issue 10, item 1). */
class ServerSecurityConfigTest {

    @Test
    void everyTlsModeMySqlClientsKnowIsAccepted() {
        for (TlsMode mode : TlsMode.values()) {
            ServerConfig s = load("servers: [{address: 127.0.0.1:3306, tls: " + mode.configName() + "}]")
                    .proxy()
                    .servers()
                    .get(0);
            assertThat(s.tls()).isEqualTo(ServerTls.of(mode));
        }
        // the default stays preferred, and old spellings keep working
        assertThat(load("servers: [{address: h:1}]")
                        .proxy()
                        .servers()
                        .get(0)
                        .tls()
                        .mode())
                .isEqualTo(TlsMode.PREFERRED);
        assertThat(load("servers: [{address: h:1, tls: REQUIRED}]")
                        .proxy()
                        .servers()
                        .get(0)
                        .tls()
                        .mode())
                .isEqualTo(TlsMode.REQUIRED);
    }

    @Test
    void filesAndOptInsAreRead(@TempDir Path dir) throws IOException {
        RSAPublicKey key =
                (RSAPublicKey) CachingSha2Password.generateKeyPair(1024).getPublic();
        Files.writeString(dir.resolve("ca.pem"), "ca");
        Files.writeString(dir.resolve("client-cert.pem"), "cert");
        Files.writeString(dir.resolve("client-key.pem"), "key");
        Files.writeString(dir.resolve("public_key.pem"), RsaPem.encodePublicKey(key));
        Path file = Files.writeString(
                dir.resolve("sluice.yaml"),
                yaml(
                        "servers:",
                        "  - name: primary",
                        "    address: db1.example:3306",
                        "    tls: verify-identity",
                        "    tls-ca: ca.pem",
                        "    tls-cert: client-cert.pem",
                        "    tls-key: client-key.pem",
                        "    allow-cleartext-password: true",
                        "    server-public-key: public_key.pem",
                        "    allow-public-key-retrieval: true"));

        SluiceConfig config = new ConfigLoader().file(file).load();

        Path base = dir.toAbsolutePath();
        assertThat(config.proxy().servers())
                .containsExactly(new ServerConfig(
                        "primary",
                        "db1.example",
                        3306,
                        new ServerTls(
                                TlsMode.VERIFY_IDENTITY,
                                base.resolve("ca.pem"),
                                base.resolve("client-cert.pem"),
                                base.resolve("client-key.pem")),
                        true,
                        key,
                        true));
        assertThat(config.summary())
                .contains("primary=db1.example:3306 (tls verify-identity (ca " + base.resolve("ca.pem")
                        + ", client certificate " + base.resolve("client-cert.pem") + "), allow-cleartext-password,"
                        + " server-public-key pinned, allow-public-key-retrieval)");
    }

    @Test
    void inconsistentSettingsAreReportedWithTheirPlace(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "ca");
        Files.writeString(dir.resolve("cert.pem"), "cert");
        Files.writeString(
                dir.resolve("not-a-key.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Path file = Files.writeString(
                dir.resolve("sluice.yaml"),
                yaml(
                        "servers:",
                        "  - address: h:1",
                        "    tls: required",
                        "    tls-ca: ca.pem",
                        "  - address: h:2",
                        "    tls: verify-ca",
                        "    tls-cert: cert.pem",
                        "  - address: h:3",
                        "    tls: disabled",
                        "    tls-cert: cert.pem",
                        "    tls-key: cert.pem",
                        "  - address: h:4",
                        "    tls: verify-everything",
                        "    server-public-key: not-a-key.pem"));

        assertThat(problems(new ConfigLoader().file(file)))
                .containsExactly(
                        file
                                + ":4: servers[0].tls-ca: is used only with tls: verify-ca or verify-identity (tls is required)",
                        file + ":5: servers[1]: tls-cert and tls-key go together (got only tls-cert)",
                        file + ":10: servers[2].tls-cert: needs TLS (tls is disabled)",
                        file + ":13: servers[3].tls: \"verify-everything\" is not one of disabled, preferred, required,"
                                + " verify-ca, verify-identity",
                        file + ":14: servers[3].server-public-key: "
                                + dir.toAbsolutePath().resolve("not-a-key.pem")
                                + ": not an RSA public key in PEM (RSA public key PEM: no '-----BEGIN PUBLIC KEY-----' or"
                                + " '-----BEGIN RSA PUBLIC KEY-----' block)");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThat(problems("servers: [{address: h:1, tls: verify-ca, tls-ca: /nonexistent/ca.pem}]"))
                .singleElement()
                .asString()
                .contains("servers[0].tls-ca: /nonexistent/ca.pem: no such readable file");
    }
}
