package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every error names where (file:line), the key path and what was expected. */
class ConfigErrorsTest {
    private static final String SERVER = "servers: [{address: h:1}]";

    @Test
    void serverAddressWithoutPort() {
        assertThat(problems(yaml(
                        "# Sluice",
                        "listen: 127.0.0.1:3307",
                        "",
                        "servers:",
                        "  - name: primary",
                        "    tls: preferred",
                        "    address: 127.0.0.1")))
                .containsExactly(
                        "sluice.yaml:7: servers[0].address: \"127.0.0.1\" is not host:port (the port is missing)");
    }

    @Test
    void unknownKeySuggestsTheClosest() {
        assertThat(problems(yaml("listen: 127.0.0.1:3307", SERVER, "conect-timeout: 2s")))
                .containsExactly("sluice.yaml:3: unknown key 'conect-timeout' (did you mean 'connect-timeout'?)");
        assertThat(problems(yaml("listen: 127.0.0.1:3307", SERVER, "client_idle_timeout: 2s")))
                .containsExactly(
                        "sluice.yaml:3: unknown key 'client_idle_timeout' (did you mean 'client-idle-timeout'?)");
    }

    @Test
    void unknownKeyWithoutACloseOneListsTheKeys() {
        assertThat(problems(yaml("servers:", "  - address: h:1", "    priority: 3")))
                .containsExactly("sluice.yaml:3: servers[0]: unknown key 'priority' (expected one of: name, address,"
                        + " weight, tls, tls-ca, tls-cert, tls-key, allow-cleartext-password, server-public-key,"
                        + " allow-public-key-retrieval)");
        assertThat(problems(yaml(SERVER, "tls:", "  cert: x.pem")))
                .containsExactly("sluice.yaml:3: tls: unknown key 'cert' (expected one of: enabled, certificate, key,"
                        + " required)");
    }

    @Test
    void wrongTypes() {
        assertThat(problems(yaml("servers: primary")))
                .containsExactly(
                        "sluice.yaml:1: servers: expected a list (entries starting with '- '), got \"primary\"");
        assertThat(problems(yaml(SERVER, "listen: {host: a}")))
                .containsExactly("sluice.yaml:2: listen: expected a single value, got a mapping");
        assertThat(problems(yaml(SERVER, "max-client-connections: many")))
                .containsExactly(
                        "sluice.yaml:2: max-client-connections: \"many\" is not a whole number in" + " 1..2147483647");
        assertThat(problems(yaml(SERVER, "max-client-connections: 0")))
                .containsExactly("sluice.yaml:2: max-client-connections: \"0\" is not a whole number in 1..2147483647");
        assertThat(problems(yaml(SERVER, "instance-id: 256")))
                .containsExactly("sluice.yaml:2: instance-id: \"256\" is not a whole number in 0..255");
        assertThat(problems(yaml(SERVER, "local-infile: maybe")))
                .containsExactly("sluice.yaml:2: local-infile: \"maybe\" is not a boolean (expected true or false)");
        assertThat(problems(yaml(SERVER, "tls: [a]")))
                .containsExactly("sluice.yaml:2: tls: expected a mapping of keys, got a list");
        assertThat(problems(yaml("servers:", "  - h:1")))
                .containsExactly("sluice.yaml:2: servers[0]: expected a mapping of keys, got \"h:1\"");
        assertThat(problems(yaml(SERVER, "users:", "  - name: [a, b]", "    password: x")))
                .containsExactly("sluice.yaml:3: users[0].name: expected a single value, got a list");
        assertThat(problems(yaml("servers: [{address: h:1, tls: sometimes}]")))
                .containsExactly("sluice.yaml:1: servers[0].tls: \"sometimes\" is not one of disabled, preferred,"
                        + " required, verify-ca, verify-identity");
        assertThat(problems(yaml(SERVER, "client-auth-plugin: ed25519")))
                .containsExactly("sluice.yaml:2: client-auth-plugin: \"ed25519\" is not one of mysql_native_password,"
                        + " caching_sha2_password, client_ed25519");
        assertThat(problems(yaml(SERVER, "log-level: verbose")))
                .containsExactly("sluice.yaml:2: log-level: \"verbose\" is not one of error, warn, info, debug, trace");
    }

    @Test
    void badDurations() {
        assertThat(problems(
                        yaml(SERVER, "connect-timeout: 10", "client-write-timeout: 2x", "client-idle-timeout: -1s")))
                .containsExactly(
                        "sluice.yaml:2: connect-timeout: \"10\" has no unit (write e.g. 10s or 10ms)",
                        "sluice.yaml:3: client-write-timeout: \"2x\" is not a duration (expected e.g. 500ms, 2s, 1m,"
                                + " 1h, 1m30s)",
                        "sluice.yaml:4: client-idle-timeout: \"-1s\" is not a duration (expected e.g. 500ms, 2s, 1m,"
                                + " 1h, 1m30s)");
    }

    @Test
    void requiredDeadlinesCannotBeTurnedOff() {
        assertThat(problems(yaml(SERVER, "connect-timeout: off", "client-handshake-timeout: 0")))
                .containsExactly(
                        "sluice.yaml:2: connect-timeout: cannot be off (expected a duration such as 10s)",
                        "sluice.yaml:3: client-handshake-timeout: must be more than 0 (this deadline cannot be turned"
                                + " off)");
    }

    @Test
    void badSizes() {
        assertThat(problems(yaml(SERVER, "max-packet-size: 64MB")))
                .containsExactly(
                        "sluice.yaml:2: max-packet-size: \"64MB\": write MiB (1024-based) or a number of bytes");
        assertThat(problems(yaml(SERVER, "max-packet-size: lots")))
                .containsExactly(
                        "sluice.yaml:2: max-packet-size: \"lots\" is not a size (expected bytes, or e.g. 512KiB, 64MiB, 1GiB)");
        assertThat(problems(yaml(SERVER, "max-packet-size: 1023")))
                .containsExactly("sluice.yaml:2: max-packet-size: \"1023\" is out of range (expected 1KiB..1GiB)");
        assertThat(problems(yaml(SERVER, "max-packet-size: 1073741825")))
                .containsExactly(
                        "sluice.yaml:2: max-packet-size: \"1073741825\" is out of range (expected" + " 1KiB..1GiB)");
    }

    @Test
    void packetSizeBoundariesThatPass() {
        assertThat(ConfigTesting.load(yaml(SERVER, "max-packet-size: 1024"))
                        .proxy()
                        .limits()
                        .maxPacketSize())
                .isEqualTo(1024);
        assertThat(ConfigTesting.load(yaml(SERVER, "max-packet-size: 1GiB"))
                        .proxy()
                        .limits()
                        .maxPacketSize())
                .isEqualTo(1 << 30);
    }

    @Test
    void duplicateUserNames() {
        assertThat(problems(yaml(
                        SERVER,
                        "users:",
                        "  - name: app",
                        "    password: a",
                        "  - name: report",
                        "    password: b",
                        "  - name: app",
                        "    password: c")))
                .containsExactly("sluice.yaml:7: users[2].name: duplicate user 'app' (also users[0])");
    }

    @Test
    void usersSharingAServerAccountNeedItsOnePassword() {
        assertThat(problems(yaml(
                        SERVER,
                        "users:",
                        "  - {name: a, password: x, server-user: app, server-password: one}",
                        "  - {name: b, password: y, server-user: app, server-password: two}",
                        "  - {name: c, password: z, server-user: app, server-password: one}",
                        "  - {name: app, password: one}")))
                .containsExactly("sluice.yaml:4: users[1]: logs in to the servers as 'app', as users[0] does, with"
                        + " another password (give both the same server-password)");
    }

    @Test
    void duplicateServerNames() {
        assertThat(problems(yaml("servers:", "  - {name: a, address: h:1}", "  - {name: a, address: h:2}")))
                .containsExactly("sluice.yaml:3: servers[1].name: duplicate server name 'a' (also servers[0])");
    }

    @Test
    void listenWithoutPort() {
        assertThat(problems(yaml("listen:", "  - 127.0.0.1:3307", "  - 0.0.0.0", SERVER)))
                .containsExactly("sluice.yaml:3: listen[1]: \"0.0.0.0\" is not host:port (the port is missing)");
        assertThat(problems(yaml("listen: []", SERVER)))
                .containsExactly("sluice.yaml:1: listen: at least one host:port is required");
    }

    @Test
    void passwordHashMustBeTheNativeForm() {
        assertThat(problems(yaml(
                        SERVER,
                        "users:",
                        "  - name: app",
                        "    password-hash: 94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29",
                        "    server-password: x")))
                .containsExactly("sluice.yaml:4: users[0].password-hash: not a mysql_native_password hash (expected"
                        + " '*' and 40 hex digits, as SELECT PASSWORD('...') prints)");
        assertThat(problems(yaml(
                        SERVER,
                        "users: [{name: app, password-hash: \"*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC2\","
                                + " server-password: x}]")))
                .singleElement()
                .asString()
                .startsWith("sluice.yaml:2: users[0].password-hash: not a mysql_native_password hash");
    }

    @Test
    void userCredentialRules() {
        assertThat(problems(yaml(
                        SERVER,
                        "users:",
                        "  - name: a",
                        "  - name: b",
                        "    password: x",
                        "    password-hash: \"*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29\"",
                        "  - name: c",
                        "    password-hash: \"*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29\"",
                        "  - password: x")))
                .containsExactly(
                        "sluice.yaml:3: users[0]: 'password:' or 'password-hash:' is required",
                        "sluice.yaml:6: users[1]: give password or password-hash, not both",
                        "sluice.yaml:8: users[2]: server-password is required with a password-hash (Sluice cannot"
                                + " log in to the servers with a hash)",
                        "sluice.yaml:9: users[3]: 'name:' is required");
    }

    @Test
    void passwordsNeverAppearInMessages() {
        List<String> problems = problems(yaml(
                "servers: [{address: h}]",
                "users:",
                "  - name: app",
                "    password: hunter2",
                "    password-hash: \"*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29\"",
                "  - name: app",
                "    password: hunter3"));
        assertThat(String.join("\n", problems)).doesNotContain("hunter2", "hunter3", "94BDCEBE");
        assertThat(problems).hasSize(3);
    }

    @Test
    void serverNeedsAnAddress() {
        assertThat(problems(yaml("servers:", "  - name: a", "    tls: disabled")))
                .containsExactly("sluice.yaml:2: servers[0]: 'address: HOST:PORT' is required");
        assertThat(problems(yaml("servers: [{address: h:0}]")))
                .containsExactly(
                        "sluice.yaml:1: servers[0].address: \"h:0\": port 0 is out of range (expected" + " 1..65535)");
        assertThat(problems(yaml("servers: []")))
                .containsExactly("sluice.yaml:1: servers: at least one server is required");
    }

    @Test
    void tlsRules(@TempDir Path dir) throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "c");
        assertThat(problems(yaml(SERVER, "tls:", "  certificate: " + cert)))
                .containsExactly("sluice.yaml:3: tls: certificate and key go together (got only certificate)");
        assertThat(problems(yaml(SERVER, "tls:", "  enabled: false", "  required: true")))
                .containsExactly("sluice.yaml:4: tls.required: needs tls.enabled: true");
        assertThat(problems(yaml(SERVER, "tls:", "  certificate: " + cert, "  key: " + dir.resolve("missing.pem"))))
                .containsExactly("sluice.yaml:4: tls.key: " + dir.resolve("missing.pem") + ": no such readable file");
    }

    @Test
    void yamlSyntaxErrorsHaveALine() {
        assertThat(problems(yaml(SERVER, "listen: [a:1", "users: x")))
                .singleElement()
                .asString()
                .matches("sluice\\.yaml:[23]: invalid YAML: .*");
        assertThat(problems(yaml(SERVER, "tls:", "  enabled: true", " required: true")))
                .singleElement()
                .asString()
                .startsWith("sluice.yaml:4: invalid YAML: ");
    }

    @Test
    void duplicateYamlKeys() {
        assertThat(problems(yaml(SERVER, "connect-timeout: 1s", "connect-timeout: 2s")))
                .containsExactly("sluice.yaml:3: duplicate key 'connect-timeout' (first at line 2)");
    }

    @Test
    void rootMustBeAMapping() {
        assertThat(problems(yaml("- listen")))
                .containsExactly("sluice.yaml:1: the configuration must be a mapping of keys such as 'listen:' and"
                        + " 'servers:' (got a list)");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        assertThat(problems(yaml(
                        "listen: 127.0.0.1",
                        "servers: [{address: h:1}]",
                        "conect-timeout: 2s",
                        "client-write-timeout: soon",
                        "max-packet-size: 1TiB")))
                .containsExactly(
                        "sluice.yaml:3: unknown key 'conect-timeout' (did you mean 'connect-timeout'?)",
                        "sluice.yaml:1: listen: \"127.0.0.1\" is not host:port (the port is missing)",
                        "sluice.yaml:4: client-write-timeout: \"soon\" is not a duration (expected e.g. 500ms, 2s, 1m,"
                                + " 1h, 1m30s)",
                        "sluice.yaml:5: max-packet-size: \"1TiB\" has an unknown unit 'tib' (expected KiB, MiB or"
                                + " GiB)");
    }

    @Test
    void quickStartFlagErrorsNameTheFlag() {
        assertThat(problems(new ConfigLoader().backends(List.of("127.0.0.1"))))
                .containsExactly("--backend 127.0.0.1: servers[0].address: \"127.0.0.1\" is not host:port (the port"
                        + " is missing)");
        assertThat(problems(
                        new ConfigLoader().listen(List.of("localhost:99999")).backends(List.of("h:1"))))
                .containsExactly("--listen localhost:99999: listen[0]: \"localhost:99999\": port 99999 is out of range"
                        + " (expected 0..65535)");
        assertThat(problems(new ConfigLoader().backends(List.of("h:1")).users(List.of("bench"))))
                .containsExactly("--user bench: expected NAME:PASSWORD");
        assertThat(problems(new ConfigLoader().backends(List.of("h:1")).users(List.of("a:x", "a:y"))))
                .containsExactly("--user a:***: users[1].name: duplicate user 'a' (also users[0])");
        assertThat(problems(new ConfigLoader()
                        .backends(List.of("127.0.0.1"))
                        .users(List.of("x", "ok:pw", ":pw"))
                        .set(List.of("conect-timeout=1s", "tls..key=k", "max-packet-size=1G"))))
                .as("malformed arguments do not hide the other problems")
                .containsExactly(
                        "--set conect-timeout=1s: unknown key 'conect-timeout' (did you mean 'connect-timeout'?)",
                        "--backend 127.0.0.1: servers[0].address: \"127.0.0.1\" is not host:port (the port is"
                                + " missing)",
                        "--user x: expected NAME:PASSWORD",
                        "--user :***: expected NAME:PASSWORD",
                        "--set tls..key=k: 'tls..key' is not a key path (expected e.g. connect-timeout, tls.required"
                                + " or servers[0].tls)");
        assertThat(problems(new ConfigLoader()))
                .containsExactly("command line: servers: at least one server is required (add 'servers:' or"
                        + " --backend HOST:PORT)");
    }
}
