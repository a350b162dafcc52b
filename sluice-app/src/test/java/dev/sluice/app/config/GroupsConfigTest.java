package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.Balance;
import dev.sluice.proxy.config.GroupRole;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code groups}, {@code servers[N].weight}, {@code users[N].default-group} and {@code schema-groups}. */
class GroupsConfigTest {
    private static final String SERVERS = yaml(
            "servers:",
            "  - {name: db1, address: 127.0.0.1:3306}",
            "  - {name: db2, address: 127.0.0.1:3307}",
            "  - {name: db3, address: 127.0.0.1:3308}");

    /** Reader groups need a monitor (see RoutingConfigTest): one after the lines, so their numbers stay. */
    private static final String MONITOR = yaml("monitor: {user: monitor, password: m}");

    private static String withServers(String... lines) {
        return SERVERS + yaml(lines) + MONITOR;
    }

    @Test
    void withoutGroupsTheFirstServerIsTheImplicitWriterGroup() {
        ProxyConfig p = load(withServers("users: [{name: app, password: x}]")).proxy();

        assertThat(p.groups().configured()).isFalse();
        assertThat(p.groups().groups()).containsExactly(ServerGroup.writer("writer", List.of("db1")));
        assertThat(p.writerServer().name()).isEqualTo("db1");
        assertThat(p.defaultGroup(p.user("app")).name()).isEqualTo("writer");
        assertThat(p.servers()).allSatisfy(s -> assertThat(s.weight()).isEqualTo(1));
        assertThat(load(withServers("groups:")).proxy().groups().configured())
                .as("an empty value is not set")
                .isFalse();
    }

    @Test
    void primaryAndTwoReplicas() {
        ProxyConfig p = load(withServers(
                        "groups:",
                        "  - name: primary",
                        "    role: writer",
                        "    servers: [db2]",
                        "  - name: replicas",
                        "    role: reader",
                        "    servers: [db1, db3]",
                        "users:",
                        "  - {name: app, password: x}",
                        "  - name: report",
                        "    password: y",
                        "    default-group: replicas",
                        "    schema-groups: {audit: primary}"))
                .proxy();

        assertThat(p.groups().configured()).isTrue();
        assertThat(p.groups().groups())
                .containsExactly(
                        ServerGroup.writer("primary", List.of("db2")),
                        new ServerGroup(
                                "replicas",
                                GroupRole.READER,
                                List.of("db1", "db3"),
                                Duration.ofSeconds(10),
                                Balance.LEAST_CONNECTIONS));
        assertThat(p.writerServer().name()).isEqualTo("db2");
        assertThat(p.defaultGroup(p.user("app")).name()).isEqualTo("primary");
        assertThat(p.user("report").defaultGroup()).isEqualTo("replicas");
        assertThat(p.user("report").schemaGroups()).isEqualTo(Map.of("audit", "primary"));
        assertThat(p.group(p.user("report"), "audit").name()).isEqualTo("primary");
        assertThat(p.group(p.user("report"), "shop").name()).isEqualTo("replicas");
    }

    @Test
    void readerOptionsAndWeights() {
        ProxyConfig p = load(yaml(
                                "servers:",
                                "  - {name: db1, address: 127.0.0.1:3306}",
                                "  - {name: db2, address: 127.0.0.1:3307, weight: 3}",
                                "groups:",
                                "  - {name: w, role: writer, servers: db1}",
                                "  - {name: r, role: reader, servers: [db1, db2], max-replication-lag: 1m30s,"
                                        + " balance: weighted}",
                                "  - {name: any, role: reader, servers: [db2], max-replication-lag: off}")
                        + MONITOR)
                .proxy();

        assertThat(p.groups().writer().servers()).as("one name alone is a list").containsExactly("db1");
        ServerGroup r = p.groups().named("r");
        assertThat(r.maxReplicationLag()).isEqualTo(Duration.ofSeconds(90));
        assertThat(r.balance()).isEqualTo(Balance.WEIGHTED);
        assertThat(p.groups().named("any").maxReplicationLag()).isNull();
        assertThat(p.server("db2").weight()).isEqualTo(3);
        assertThat(p.server("db1").weight()).isEqualTo(1);
    }

    @Test
    void overrides() {
        String file = withServers(
                "groups:",
                "  - {name: primary, role: writer, servers: [db1]}",
                "  - {name: replicas, role: reader, servers: [db2]}");
        ProxyConfig p = load(
                        file,
                        "groups[0].servers[0]=db3",
                        "groups[1].servers[1]=db1",
                        "groups[1].max-replication-lag=30s",
                        "groups[2].name=more",
                        "groups[2].role=reader",
                        "groups[2].servers=db2",
                        "users[0].name=app",
                        "users[0].password=x",
                        "users[0].default-group=replicas",
                        "users[0].schema-groups.audit=primary")
                .proxy();

        assertThat(p.groups().writer().servers()).containsExactly("db3");
        assertThat(p.writerServer().name()).isEqualTo("db3");
        assertThat(p.groups().named("replicas").servers()).containsExactly("db2", "db1");
        assertThat(p.groups().named("replicas").maxReplicationLag()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.groups().named("more").servers()).containsExactly("db2");
        assertThat(p.user("app").defaultGroup()).isEqualTo("replicas");
        assertThat(p.user("app").schemaGroups()).isEqualTo(Map.of("audit", "primary"));

        assertThat(problems(file, "groups[0].role=reader"))
                .containsExactly("sluice.yaml:5: groups: a writer group is required (one group with 'role: writer';"
                        + " without 'groups', the first server is the writer)");
        assertThat(problems(file, "groups[1].servers[0]=db9"))
                .containsExactly("--set groups[1].servers[0]=db9: groups[1].servers[0]: unknown server 'db9' (did you"
                        + " mean 'db1'?)");
    }

    @Test
    void groupErrors() {
        assertThat(problems(withServers(
                        "groups:",
                        "  - name: primary",
                        "    role: writer",
                        "    servers: [db1, db4, db1]",
                        "    max-replication-lag: 5s",
                        "    balance: weighted",
                        "  - name: primary",
                        "    role: writer",
                        "    servers: [db2]",
                        "  - name: replicas",
                        "    role: replica",
                        "    servers: []",
                        "  - role: reader",
                        "    servers: [db3]",
                        "    max-replication-lag: 0",
                        "  - name: slow",
                        "    role: reader",
                        "    servers: [primary]",
                        "    max-replication-lag: 10",
                        "    balance: random",
                        "    lag: 1s",
                        "  - name: \"\"",
                        "    servers: db2")))
                .containsExactly(
                        "sluice.yaml:8: groups[0].servers[1]: unknown server 'db4' (did you mean 'db1'?)",
                        "sluice.yaml:8: groups[0].servers[2]: server 'db1' is listed twice",
                        "sluice.yaml:9: groups[0].max-replication-lag: only reader groups have it (this group has"
                                + " 'role: writer')",
                        "sluice.yaml:10: groups[0].balance: only reader groups have it (this group has 'role: writer')",
                        "sluice.yaml:11: groups[1].name: duplicate group name 'primary' (also groups[0])",
                        "sluice.yaml:12: groups[1].role: only one writer group is allowed (groups[0] is the writer"
                                + " group)",
                        "sluice.yaml:15: groups[2].role: \"replica\" is not one of writer, reader",
                        "sluice.yaml:16: groups[2].servers: at least one server is required",
                        "sluice.yaml:17: groups[3]: 'name:' is required",
                        "sluice.yaml:19: groups[3].max-replication-lag: must be more than 0 (or off for no limit)",
                        "sluice.yaml:25: groups[4]: unknown key 'lag' (expected one of: name, role, servers,"
                                + " max-replication-lag, balance)",
                        "sluice.yaml:22: groups[4].servers[0]: unknown server 'primary' (expected one of: db1, db2,"
                                + " db3)",
                        "sluice.yaml:23: groups[4].max-replication-lag: \"10\" has no unit (write e.g. 10s or 10ms)",
                        "sluice.yaml:24: groups[4].balance: \"random\" is not one of least-connections, weighted",
                        "sluice.yaml:26: groups[5].name: must not be empty",
                        "sluice.yaml:26: groups[5]: 'role: writer' or 'role: reader' is required");
    }

    @Test
    void groupsNeedAWriterGroup() {
        assertThat(problems(withServers("groups:", "  - {name: r, role: reader, servers: [db2]}")))
                .containsExactly("sluice.yaml:5: groups: a writer group is required (one group with 'role: writer';"
                        + " without 'groups', the first server is the writer)");
        assertThat(problems(withServers("groups: []")))
                .containsExactly("sluice.yaml:5: groups: a writer group is required (one group with 'role: writer';"
                        + " without 'groups', the first server is the writer)");
        assertThat(problems(withServers("groups: {name: w}")))
                .containsExactly("sluice.yaml:5: groups: expected a list (entries starting with '- '), got a mapping");
        assertThat(problems(withServers("groups:", "  - {name: w, role: writer}")))
                .containsExactly("sluice.yaml:6: groups[0]: 'servers:' is required (names of entries of servers)");
    }

    @Test
    void aBadServerDoesNotMakeItsGroupsWrongToo() {
        assertThat(problems(yaml(
                        "servers:",
                        "  - {name: db1, address: 127.0.0.1}",
                        "groups:",
                        "  - {name: w, role: writer, servers: [db1]}")))
                .containsExactly(
                        "sluice.yaml:2: servers[0].address: \"127.0.0.1\" is not host:port (the port is missing)");
    }

    @Test
    void userGroupErrors() {
        String groups = yaml(
                "groups:",
                "  - {name: primary, role: writer, servers: [db1]}",
                "  - {name: replicas, role: reader, servers: [db2, db3]}");
        assertThat(problems(withServers(
                        groups,
                        "users:",
                        "  - name: app",
                        "    password: x",
                        "    default-group: replica",
                        "    schema-groups:",
                        "      audit: writer",
                        "      shop:",
                        "  - name: ops",
                        "    password: x",
                        "    default-group: \"\"",
                        "    schema-groups: [a]",
                        "    default_group: primary")))
                .containsExactly(
                        "sluice.yaml:15: users[0].schema-groups.shop: a group name is required",
                        "sluice.yaml:20: users[1]: unknown key 'default_group' (did you mean 'default-group'?)",
                        "sluice.yaml:18: users[1].default-group: must not be empty",
                        "sluice.yaml:19: users[1].schema-groups: expected a mapping of keys, got a list",
                        "sluice.yaml:12: users[0].default-group: unknown group 'replica' (did you mean 'replicas'?)",
                        "sluice.yaml:14: users[0].schema-groups.audit: unknown group 'writer' (expected one of:"
                                + " primary, replicas)");
    }

    @Test
    void withoutGroupsAUserCanNameOnlyTheImplicitWriterGroup() {
        assertThat(load(withServers("users: [{name: app, password: x, default-group: writer}]"))
                        .proxy()
                        .defaultGroup(load(withServers("users: [{name: app, password: x, default-group: writer}]"))
                                .proxy()
                                .user("app"))
                        .name())
                .isEqualTo("writer");
        assertThat(problems(withServers("users: [{name: app, password: x, default-group: replicas}]")))
                .containsExactly("sluice.yaml:5: users[0].default-group: unknown group 'replicas' (expected one of:"
                        + " writer), and no groups are configured");
    }

    @Test
    void weightErrors() {
        assertThat(problems(yaml(
                                "servers:",
                                "  - {name: db1, address: 127.0.0.1:3306, weight: 2}",
                                "  - {name: db2, address: 127.0.0.1:3307, weight: 0}",
                                "  - {name: db3, address: 127.0.0.1:3308, weight: 5}",
                                "groups:",
                                "  - {name: w, role: writer, servers: [db1]}",
                                "  - {name: r, role: reader, servers: [db2, db3]}")
                        + MONITOR))
                .containsExactly(
                        "sluice.yaml:3: servers[1].weight: \"0\" is not a whole number in 1..1000",
                        "sluice.yaml:2: servers[0].weight: is used only by reader groups with 'balance: weighted', and"
                                + " server 'db1' is in none",
                        "sluice.yaml:4: servers[2].weight: is used only by reader groups with 'balance: weighted', and"
                                + " server 'db3' is in none");
    }

    @Test
    void summaryShowsConfiguredGroupsOnly() {
        assertThat(load(withServers()).summary()).doesNotContain("groups");
        assertThat(load(withServers(
                                "groups:",
                                "  - {name: primary, role: writer, servers: [db1]}",
                                "  - {name: replicas, role: reader, servers: [db2, db3], max-replication-lag: off}"))
                        .summary())
                .contains("; groups primary (writer: db1), replicas (reader: db2, db3; max-replication-lag off,"
                        + " least-connections); monitor monitor every 1000 ms; routing");
    }
}
