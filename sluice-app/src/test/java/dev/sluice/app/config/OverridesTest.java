package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverridesTest {
    private static final String FILE = yaml(
            "listen: 127.0.0.1:3307",
            "servers:",
            "  - name: primary",
            "    address: 127.0.0.1:3306",
            "users:",
            "  - name: app",
            "    password: secret",
            "connect-timeout: 5s");

    @Test
    void topLevelKey() {
        assertThat(load(FILE, "connect-timeout=2s").proxy().timeouts().connect())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(load(FILE, "server-read-timeout=30s", "server-read-timeout=off")
                        .proxy()
                        .timeouts()
                        .serverRead())
                .as("later --set wins")
                .isNull();
        assertThat(load(FILE, "log-level=debug").logLevel()).isEqualTo("debug");
        assertThat(load(FILE, "max-packet-size=16M").proxy().limits().maxPacketSize())
                .isEqualTo(16 << 20);
    }

    @Test
    void nestedKeyCreatesItsSection() {
        ProxyConfig p = load(FILE, "tls.required=true").proxy();
        assertThat(p.clientTls().required()).isTrue();
        assertThat(p.clientTls().enabled()).isTrue();
        assertThat(load(FILE, "tls.enabled=false").proxy().clientTls().enabled())
                .isFalse();
    }

    @Test
    void listEntriesByIndex() {
        ProxyConfig p = load(FILE, "servers[0].tls=required", "users[0].server-user=app_rw")
                .proxy();
        assertThat(p.servers()).containsExactly(new ServerConfig("primary", "127.0.0.1", 3306, TlsMode.REQUIRED));
        assertThat(p.users()).containsExactly(new UserConfig("app", "secret", null, "app_rw", "secret"));
    }

    @Test
    void indexEqualToTheSizeAddsAnEntry() {
        ProxyConfig p = load(
                        FILE,
                        "servers[1].address=127.0.0.1:3316",
                        "servers[1].name=replica",
                        "listen[1]=127.0.0.1:3308",
                        "users[1].name=ro",
                        "users[1].password=pw")
                .proxy();
        assertThat(p.servers()).extracting(ServerConfig::name).containsExactly("primary", "replica");
        assertThat(p.listeners())
                .containsExactly(new ListenerConfig("127.0.0.1", 3307), new ListenerConfig("127.0.0.1", 3308));
        assertThat(p.user("ro")).isEqualTo(UserConfig.of("ro", "pw"));
    }

    @Test
    void wholeListReplacedByOneValue() {
        assertThat(load(FILE, "listen=0.0.0.0:4000").proxy().listeners())
                .containsExactly(new ListenerConfig("0.0.0.0", 4000));
    }

    @Test
    void appliedAfterTheQuickStartFlags() {
        ProxyConfig p = new ConfigLoader()
                .backends(List.of("127.0.0.1:3306"))
                .users(List.of("bench:bench"))
                .set(List.of("servers[0].tls=disabled", "servers[0].name=db", "users[0].server-password=other"))
                .load()
                .proxy();
        assertThat(p.servers()).containsExactly(new ServerConfig("db", "127.0.0.1", 3306, TlsMode.DISABLED));
        assertThat(p.users()).containsExactly(new UserConfig("bench", "bench", null, "bench", "other"));
    }

    @Test
    void valueIsTakenLiterally() {
        assertThat(load(FILE, "users[0].password= a=b: #c").proxy().user("app").password())
                .isEqualTo(" a=b: #c");
    }

    @Test
    void badValueNamesTheArgument() {
        assertThat(problems(FILE, "connect-timeout=2x"))
                .containsExactly("--set connect-timeout=2x: connect-timeout: \"2x\" is not a duration (expected e.g."
                        + " 500ms, 2s, 1m, 1h, 1m30s)");
        assertThat(problems(FILE, "servers[0].address=nowhere"))
                .containsExactly("--set servers[0].address=nowhere: servers[0].address: \"nowhere\" is not host:port"
                        + " (the port is missing)");
        assertThat(problems(FILE, "tls.required=sure"))
                .containsExactly("--set tls.required=sure: tls.required: \"sure\" is not a boolean (expected true or"
                        + " false)");
    }

    @Test
    void unknownKeyNamesTheArgument() {
        assertThat(problems(FILE, "conect-timeout=2s"))
                .containsExactly(
                        "--set conect-timeout=2s: unknown key 'conect-timeout' (did you mean" + " 'connect-timeout'?)");
        assertThat(problems(FILE, "tls.requird=true"))
                .containsExactly("--set tls.requird=true: tls: unknown key 'requird' (did you mean 'required'?)");
    }

    @Test
    void malformedArguments() {
        assertThat(problems(FILE, "connect-timeout"))
                .containsExactly("--set connect-timeout: expected KEY=VALUE, e.g. --set connect-timeout=2s");
        assertThat(problems(FILE, "=2s"))
                .containsExactly("--set =2s: expected KEY=VALUE, e.g. --set connect-timeout=2s");
        assertThat(problems(FILE, "tls..required=true"))
                .containsExactly("--set tls..required=true: 'tls..required' is not a key path (expected e.g."
                        + " connect-timeout, tls.required or servers[0].tls)");
        assertThat(problems(FILE, "servers[x].tls=required"))
                .singleElement()
                .asString()
                .contains("is not a key path");
    }

    @Test
    void indexBeyondTheEnd() {
        assertThat(problems(FILE, "servers[2].tls=required"))
                .containsExactly("--set servers[2].tls=required: servers[2]: index out of range (servers has 1"
                        + " entries; 1 adds one)");
    }

    @Test
    void pathThroughASingleValue() {
        assertThat(problems(FILE, "connect-timeout.ms=2"))
                .containsExactly("--set connect-timeout.ms=2: connect-timeout is \"5s\" in the configuration, not a"
                        + " mapping");
        assertThat(problems(FILE, "users[0]=x", "users[0].name=y"))
                .containsExactly(
                        "--set users[0]=x: users[0]: expected a mapping of keys, got \"x\"",
                        "--set users[0].name=y: users[0] is a single value, not a mapping");
    }

    @Test
    void passwordsAreMaskedInArguments() {
        List<String> problems = problems(FILE, "users[0].password=hunter2", "users[0].wrong=1");
        assertThat(problems)
                .containsExactly("--set users[0].wrong=1: users[0]: unknown key 'wrong' (expected one of:"
                        + " name, password, password-hash, server-user, server-password, default-group,"
                        + " schema-groups)");
        assertThat(problems(FILE, "users[0].password-hash=hunter2"))
                .allSatisfy(
                        p -> assertThat(p).doesNotContain("hunter2").startsWith("--set users[0].password-hash=***"));
    }
}
