package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.CausalReads;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code monitor} and {@code routing}. */
class RoutingConfigTest {
    /** Eight lines: what follows starts at line 9. */
    private static final String GROUPS = yaml(
            "servers:",
            "  - {name: db1, address: 127.0.0.1:3306}",
            "  - {name: db2, address: 127.0.0.1:3307}",
            "  - {name: db3, address: 127.0.0.1:3308}",
            "groups:",
            "  - {name: primary, role: writer, servers: [db1]}",
            "  - {name: replicas, role: reader, servers: [db2, db3]}",
            "users: [{name: app, password: x}]");

    /** With a monitor at line 9: what follows starts at line 10. */
    private static String withMonitor(String... lines) {
        return GROUPS + yaml("monitor: {user: monitor, password: m}") + yaml(lines);
    }

    @Test
    void defaults() {
        ProxyConfig p = load(withMonitor()).proxy();

        assertThat(p.monitor()).isEqualTo(MonitorConfig.of("monitor", "m"));
        assertThat(p.monitor().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.monitor().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.routing()).isEqualTo(RoutingConfig.defaults());
        assertThat(p.routing().readWriteSplit()).isTrue();
        assertThat(p.routing().causalReads()).isEqualTo(CausalReads.LOCAL);
        assertThat(p.routing().causalReadTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.routing().failoverBufferTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.routing().failoverBufferStatements()).isEqualTo(10_000);
        assertThat(p.routing().rules()).isEmpty();
        assertThat(load(withMonitor()).summary())
                .as("the start-up line")
                .contains("monitor monitor every 1000 ms; routing read/write split, causal reads local, failover buffer"
                        + " 30000 ms, 0 rules");
        assertThat(load(withMonitor("routing:")).proxy().routing())
                .as("an empty value is not set")
                .isEqualTo(RoutingConfig.defaults());

        ProxyConfig plain = load("servers: [{address: h:1}]\nmonitor:\n").proxy();
        assertThat(plain.monitor()).isNull();
        assertThat(plain.monitored()).isFalse();
        assertThat(plain.routing()).isEqualTo(RoutingConfig.defaults());
    }

    @Test
    void everyKey() {
        ProxyConfig p = load(GROUPS
                        + yaml(
                                "monitor:",
                                "  user: monitor",
                                "  password: \"\"",
                                "  interval: 500ms",
                                "  timeout: 3s",
                                "routing:",
                                "  read-write-split: false",
                                "  causal-reads: GLOBAL",
                                "  causal-read-timeout: 250ms",
                                "  failover-buffer-timeout: 1m",
                                "  failover-buffer-statements: 0",
                                "  rules:",
                                "    - {user: report, group: replicas}",
                                "    - {schema: audit, pattern: '^\\s*select', group: primary}",
                                "    - {user: app, schema: shop, pattern: 'get_stock\\(', group: replicas}"))
                .proxy();

        assertThat(p.monitor())
                .isEqualTo(new MonitorConfig("monitor", "", Duration.ofMillis(500), Duration.ofSeconds(3)));
        RoutingConfig r = p.routing();
        assertThat(r.readWriteSplit()).isFalse();
        assertThat(r.causalReads()).isEqualTo(CausalReads.GLOBAL);
        assertThat(r.causalReadTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(r.failoverBufferTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(r.failoverBufferStatements()).isZero();
        assertThat(r.rules())
                .as("in file order")
                .extracting(RoutingRule::group)
                .containsExactly("replicas", "primary", "replicas");
        RoutingRule first = r.rules().get(0);
        assertThat(first.user()).isEqualTo("report");
        assertThat(first.schema()).isNull();
        assertThat(first.pattern()).isNull();
        RoutingRule second = r.rules().get(1);
        assertThat(second.schema()).isEqualTo("audit");
        assertThat(second.pattern().pattern()).isEqualTo("^\\s*select");
        assertThat(second.pattern().flags() & Pattern.CASE_INSENSITIVE).isNotZero();
        assertThat(second.matches("anyone", "audit", "  SELECT 1")).isTrue();
        assertThat(second.matches("anyone", "audit", "UPDATE t SET a = 1")).isFalse();
        RoutingRule third = r.rules().get(2);
        assertThat(third.user()).isEqualTo("app");
        assertThat(third.schema()).isEqualTo("shop");
        assertThat(third.matches("app", "shop", "SELECT GET_STOCK(1)")).isTrue();
    }

    @Test
    void failoverBufferOff() {
        for (String off : List.of("off", "0", "OFF")) {
            assertThat(load(withMonitor("routing: {failover-buffer-timeout: " + off + "}"))
                            .proxy()
                            .routing()
                            .failoverBufferTimeout())
                    .as(off)
                    .isZero();
        }
        assertThat(load(withMonitor("routing: {failover-buffer-timeout: }"))
                        .proxy()
                        .routing()
                        .failoverBufferTimeout())
                .as("an empty value is not set")
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void rulesWithoutGroupsNameTheImplicitWriterGroup() {
        ProxyConfig p = load(yaml(
                        "servers: [{address: h:1}]", "routing:", "  rules: [{pattern: 'for update$', group: writer}]"))
                .proxy();

        assertThat(p.routing().rules()).extracting(RoutingRule::group).containsExactly("writer");
        assertThat(problems(yaml("servers: [{address: h:1}]", "routing:", "  rules: [{user: a, group: replicas}]")))
                .containsExactly("sluice.yaml:3: routing.rules[0].group: unknown group 'replicas' (expected one of:"
                        + " writer), and no groups are configured");
    }

    @Test
    void readerGroupsOrSeveralWritersNeedAMonitor() {
        String required = "monitor: required with reader groups or a writer group of several servers (give"
                + " monitor.user and monitor.password: an account with SLAVE MONITOR)";
        assertThat(problems(GROUPS)).containsExactly("sluice.yaml:5: " + required);
        String twoWriters = yaml(
                "servers:",
                "  - {name: db1, address: 127.0.0.1:3306}",
                "  - {name: db2, address: 127.0.0.1:3307}",
                "groups: [{name: w, role: writer, servers: [db1, db2]}]");
        assertThat(problems(twoWriters)).containsExactly("sluice.yaml:4: " + required);
        assertThat(load(twoWriters, "monitor.user=mon", "monitor.password=m")
                        .proxy()
                        .monitored())
                .isTrue();
        assertThat(problems(GROUPS + yaml("monitor: {user: mon}")))
                .as("a monitor with a problem is not also missing")
                .containsExactly("sluice.yaml:9: monitor: 'password:' is required (password: \"\" for an account"
                        + " without one)");

        ProxyConfig oneWriter = load(yaml(
                        "servers:",
                        "  - {name: db1, address: 127.0.0.1:3306}",
                        "  - {name: db2, address: 127.0.0.1:3307}",
                        "groups: [{name: w, role: writer, servers: [db2]}]"))
                .proxy();
        assertThat(oneWriter.monitor()).isNull();

        String[] groupsFromArguments = {
            "groups[0].name=w",
            "groups[0].role=writer",
            "groups[0].servers=server1",
            "groups[1].name=r",
            "groups[1].role=reader",
            "groups[1].servers=server2"
        };
        assertThat(problems(new ConfigLoader()
                        .backends(List.of("127.0.0.1:3306", "127.0.0.1:3307"))
                        .set(List.of(groupsFromArguments))))
                .containsExactly("--set groups[0].name=w: " + required);
    }

    @Test
    void monitorErrors() {
        assertThat(problems(GROUPS + yaml("monitor:", "  user: \"\"", "  interval: 0", "  timeout: 2", "  pasword: x")))
                .containsExactly(
                        "sluice.yaml:13: monitor: unknown key 'pasword' (did you mean 'password'?)",
                        "sluice.yaml:10: monitor.user: must not be empty",
                        "sluice.yaml:10: monitor: 'password:' is required (password: \"\" for an account without one)",
                        "sluice.yaml:11: monitor.interval: must be more than 0 (this deadline cannot be turned off)",
                        "sluice.yaml:12: monitor.timeout: \"2\" has no unit (write e.g. 2s or 2ms)");
        assertThat(problems(GROUPS + yaml("monitor:", "  password: m", "  timeout: off")))
                .containsExactly(
                        "sluice.yaml:10: monitor: 'user:' is required (an account with SLAVE MONITOR)",
                        "sluice.yaml:11: monitor.timeout: cannot be off (expected a duration such as 10s)");
        assertThat(problems(GROUPS + yaml("monitor: monitor")))
                .containsExactly("sluice.yaml:9: monitor: expected a mapping of keys, got \"monitor\"");
        assertThat(problems(GROUPS + yaml("monitor: {user: [a], password: m}")))
                .containsExactly("sluice.yaml:9: monitor.user: expected a single value, got a list");
    }

    @Test
    void routingErrors() {
        assertThat(problems(withMonitor(
                        "routing:",
                        "  read-write-split: maybe",
                        "  causal-reads: session",
                        "  causal-read-timeout: off",
                        "  failover-buffer-timeout: 1x",
                        "  failover-buffer-statements: 1000001",
                        "  rule: []",
                        "  rules:",
                        "    - {user: app}",
                        "    - {pattern: '(select', group: replicas}",
                        "    - {group: replicas}",
                        "    - {schema: audit, group: replica}",
                        "    - {user: '', group: primary, order: 1}",
                        "    - db1")))
                .containsExactly(
                        "sluice.yaml:16: routing: unknown key 'rule' (did you mean 'rules'?)",
                        "sluice.yaml:11: routing.read-write-split: \"maybe\" is not a boolean (expected true or"
                                + " false)",
                        "sluice.yaml:12: routing.causal-reads: \"session\" is not one of none, local, global",
                        "sluice.yaml:13: routing.causal-read-timeout: cannot be off (expected a duration such as 10s)",
                        "sluice.yaml:14: routing.failover-buffer-timeout: \"1x\" is not a duration (expected e.g."
                                + " 500ms, 2s, 1m, 1h, 1m30s)",
                        "sluice.yaml:15: routing.failover-buffer-statements: \"1000001\" is not a whole number in"
                                + " 0..1000000",
                        "sluice.yaml:18: routing.rules[0]: 'group:' is required (the group the statements go to)",
                        "sluice.yaml:19: routing.rules[1].pattern: \"(select\" is not a regular expression: Unclosed"
                                + " group near index 7",
                        "sluice.yaml:20: routing.rules[2]: matches every statement (no user, schema nor pattern):"
                                + " use users[N].default-group",
                        "sluice.yaml:22: routing.rules[4]: unknown key 'order' (expected one of: user, schema,"
                                + " pattern, group)",
                        "sluice.yaml:22: routing.rules[4].user: must not be empty",
                        "sluice.yaml:23: routing.rules[5]: expected a mapping of keys, got \"db1\"",
                        "sluice.yaml:21: routing.rules[3].group: unknown group 'replica' (did you mean"
                                + " 'replicas'?)");
        assertThat(problems(withMonitor("routing:", "  rules: {group: primary}")))
                .containsExactly(
                        "sluice.yaml:11: routing.rules: expected a list (entries starting with '- '), got a mapping");
        assertThat(problems(withMonitor("routing: [a]")))
                .containsExactly("sluice.yaml:10: routing: expected a mapping of keys, got a list");
    }

    @Test
    void overrides() {
        String file = withMonitor(
                "routing:",
                "  rules:",
                "    - {user: report, group: replicas}",
                "    - {schema: audit, group: primary}");
        ProxyConfig p = load(
                        file,
                        "monitor.user=mon",
                        "monitor.password=pw",
                        "monitor.interval=5s",
                        "routing.causal-reads=none",
                        "routing.failover-buffer-timeout=off",
                        "routing.failover-buffer-statements=7",
                        "routing.read-write-split=false",
                        "routing.rules[0].pattern=^select",
                        "routing.rules[2].user=app",
                        "routing.rules[2].group=primary")
                .proxy();

        assertThat(p.monitor()).isEqualTo(new MonitorConfig("mon", "pw", Duration.ofSeconds(5), Duration.ofSeconds(2)));
        assertThat(p.routing().causalReads()).isEqualTo(CausalReads.NONE);
        assertThat(p.routing().failoverBufferTimeout()).isZero();
        assertThat(p.routing().failoverBufferStatements()).isEqualTo(7);
        assertThat(p.routing().readWriteSplit()).isFalse();
        assertThat(p.routing().rules()).extracting(RoutingRule::user).containsExactly("report", null, "app");
        assertThat(p.routing().rules().get(0).pattern().pattern()).isEqualTo("^select");

        ProxyConfig fromNothing = load(
                        GROUPS,
                        "monitor.user=mon",
                        "monitor.password=",
                        "routing.rules[0].user=app",
                        "routing.rules[0].group=replicas")
                .proxy();
        assertThat(fromNothing.monitor()).isEqualTo(MonitorConfig.of("mon", ""));
        assertThat(fromNothing.routing().rules()).extracting(RoutingRule::group).containsExactly("replicas");

        assertThat(problems(file, "routing.rules[1].pattern=(", "monitor.timout=1s"))
                .containsExactly(
                        "--set monitor.timout=1s: monitor: unknown key 'timout' (did you mean 'timeout'?)",
                        "--set routing.rules[1].pattern=(: routing.rules[1].pattern: \"(\" is not a regular"
                                + " expression: Unclosed group near index 1");
        assertThat(problems(GROUPS, "monitor.user=mon"))
                .containsExactly("--set monitor.user=mon: monitor: 'password:' is required (password: \"\" for an"
                        + " account without one)");
    }
}
