package dev.sluice.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The groups' model: the implicit shape without groups, the lookups routing uses, and what it refuses. */
class ProxyConfigGroupsTest {
    private static final ServerConfig DB1 = new ServerConfig("db1", "127.0.0.1", 3306, TlsMode.DISABLED);
    private static final ServerConfig DB2 = new ServerConfig("db2", "127.0.0.1", 3307, TlsMode.DISABLED);
    private static final ServerConfig DB3 = new ServerConfig("db3", "127.0.0.1", 3308, TlsMode.DISABLED);
    private static final UserConfig APP = UserConfig.of("app", "x");
    private static final UserConfig REPORT =
            new UserConfig("report", "x", null, null, null, "replicas", Map.of("audit", "primary"));

    private static ProxyConfig config(List<ServerConfig> servers, List<UserConfig> users, ServerGroups groups) {
        return new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                servers,
                users,
                ClientTlsConfig.selfSigned(),
                Timeouts.defaults(),
                Limits.defaults(),
                false,
                PoolSettings.defaults(),
                ProxyConfig.NATIVE_PASSWORD,
                0,
                groups,
                groups != null && groups.configured() ? MonitorConfig.of("monitor", "m") : null,
                RoutingConfig.defaults());
    }

    private static ServerGroups primaryAndReplicas() {
        return new ServerGroups(
                List.of(
                        ServerGroup.reader("replicas", List.of("db1", "db3")),
                        ServerGroup.writer("primary", List.of("db2", "db1"))),
                true);
    }

    @Test
    void withoutGroupsOneImplicitWriterGroupHoldsTheFirstServer() {
        ProxyConfig c = config(List.of(DB1, DB2), List.of(APP), null);

        assertThat(c.groups().configured()).isFalse();
        assertThat(c.groups().groups()).containsExactly(ServerGroup.writer("writer", List.of("db1")));
        assertThat(c.groups().readers()).isEmpty();
        assertThat(c.writerServer()).isEqualTo(DB1);
        assertThat(c.defaultGroup(APP).name()).isEqualTo("writer");
        assertThat(c.group(APP, "shop").name()).isEqualTo("writer");
    }

    @Test
    void rulesNameGroupsThatExist() {
        ProxyConfig c = config(List.of(DB1, DB2, DB3), List.of(APP), primaryAndReplicas());

        assertThatThrownBy(() -> c.withRouting(
                        c.groups(),
                        c.monitor(),
                        RoutingConfig.defaults().withRules(List.of(new RoutingRule("app", null, null, "nowhere")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("routing.rules: no group named 'nowhere'");
    }

    @Test
    void readerGroupsOrSeveralWritersNeedAMonitor() {
        ProxyConfig c = config(List.of(DB1, DB2, DB3), List.of(APP), primaryAndReplicas());
        ServerGroups twoWriters = new ServerGroups(List.of(ServerGroup.writer("w", List.of("db1", "db2"))), true);
        ServerGroups oneWriter = new ServerGroups(List.of(ServerGroup.writer("w", List.of("db2"))), true);

        assertThatThrownBy(() -> c.withRouting(c.groups(), null, c.routing()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("monitor: required with reader groups or a writer group of several servers (give"
                        + " monitor.user and monitor.password: an account with SLAVE MONITOR)");
        assertThatThrownBy(() -> c.withRouting(twoWriters, null, c.routing())).hasMessage(ProxyConfig.MONITOR_REQUIRED);
        assertThat(c.withRouting(oneWriter, null, c.routing()).monitored())
                .as("one writer alone needs no monitor")
                .isFalse();
        assertThat(config(List.of(DB1, DB2), List.of(APP), null).monitored()).isFalse();
        assertThat(c.monitored()).isTrue();
    }

    @Test
    void lookups() {
        ProxyConfig c = config(List.of(DB1, DB2, DB3), List.of(APP, REPORT), primaryAndReplicas());

        assertThat(c.groups().configured()).isTrue();
        assertThat(c.groups().writer().name()).isEqualTo("primary");
        assertThat(c.writerServer())
                .as("the writer group's first server, not the first server")
                .isEqualTo(DB2);
        assertThat(c.groups().named("replicas").maxReplicationLag()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.groups().named("replicas").balance()).isEqualTo(Balance.LEAST_CONNECTIONS);
        assertThat(c.groups().named("nope")).isNull();
        assertThat(c.groups().readers()).extracting(ServerGroup::name).containsExactly("replicas");
        assertThat(c.server("db3")).isEqualTo(DB3);
        assertThat(c.server("db4")).isNull();
        assertThat(c.defaultGroup(APP).name()).isEqualTo("primary");
        assertThat(c.defaultGroup(REPORT).name()).isEqualTo("replicas");
        assertThat(c.group(REPORT, "audit").name()).isEqualTo("primary");
        assertThat(c.group(REPORT, "shop").name()).isEqualTo("replicas");
        assertThat(c.group(REPORT, null).name()).isEqualTo("replicas");
    }

    @Test
    void refusesWhatTheBinderShouldHaveCaught() {
        assertThatThrownBy(() -> config(
                        List.of(DB1),
                        List.of(),
                        new ServerGroups(List.of(ServerGroup.writer("w", List.of("db9"))), true)))
                .hasMessage("group 'w': no server named 'db9'");
        assertThatThrownBy(() -> config(List.of(DB1), List.of(REPORT), null))
                .hasMessageStartingWith("user 'report': no group named '");
        assertThatThrownBy(() -> new ServerGroups(List.of(ServerGroup.reader("r", List.of("db1"))), true))
                .hasMessage("groups: exactly one writer group is required (got 0)");
        assertThatThrownBy(() -> new ServerGroups(
                        List.of(ServerGroup.writer("w", List.of("db1")), ServerGroup.reader("w", List.of("db2"))),
                        true))
                .hasMessage("groups: duplicate group name 'w'");
        assertThatThrownBy(() -> new ServerGroup("w", GroupRole.WRITER, List.of("db1"), null, Balance.WEIGHTED))
                .hasMessage("group 'w': max-replication-lag and balance are for reader groups only");
        assertThatThrownBy(() -> ServerGroup.writer("w", List.of("db1", "db1")))
                .hasMessage("group 'w': a server is listed twice: [db1, db1]");
        assertThatThrownBy(() -> ServerGroup.writer("w", List.of()))
                .hasMessage("group 'w': at least one server is required");
        assertThatThrownBy(() -> new ServerConfig(
                        "db1", "h", 1, dev.sluice.backend.ServerTls.of(TlsMode.DISABLED), false, null, false, 0))
                .hasMessage("weight: 0 (expected: 1..1000)");
    }

    @Test
    void configNames() {
        assertThat(Balance.LEAST_CONNECTIONS.configName()).isEqualTo("least-connections");
        assertThat(GroupRole.READER.configName()).isEqualTo("reader");
        assertThat(DB1.weight()).isEqualTo(ServerConfig.DEFAULT_WEIGHT);
    }
}
