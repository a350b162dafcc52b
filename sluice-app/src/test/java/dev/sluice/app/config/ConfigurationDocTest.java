package dev.sluice.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.Balance;
import dev.sluice.proxy.config.CausalReads;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/CONFIGURATION.md stays true: its full example loads, and every key the binder knows is documented. */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "CONFIGURATION.md");

    @Test
    void fullExampleLoads(@TempDir Path dir) throws IOException {
        String yaml = example("## A full file");
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/cert.pem"), "c");
        Files.writeString(dir.resolve("tls/key.pem"), "k");
        Path file = Files.writeString(dir.resolve("sluice.yaml"), yaml);

        SluiceConfig config = new ConfigLoader().file(file).load();

        assertThat(config.proxy().servers()).hasSize(1);
        assertThat(config.proxy().users()).hasSize(2);
        assertThat(config.proxy().clientTls().certificate())
                .isEqualTo(dir.toAbsolutePath().resolve("tls/cert.pem"));
        assertThat(config.logLevel()).isEqualTo("info");
    }

    @Test
    void serverGroupsExampleLoads() throws IOException {
        ProxyConfig p = new ConfigLoader()
                .yaml("sluice.yaml", example("### Server groups"))
                .load()
                .proxy();

        assertThat(p.groups().writer().servers()).containsExactly("db1");
        assertThat(p.groups().named("replicas").servers()).containsExactly("db2", "db3");
        assertThat(p.groups().named("replicas").balance()).isEqualTo(Balance.WEIGHTED);
        assertThat(p.server("db2").weight()).isEqualTo(2);
        assertThat(p.group(p.user("report"), "audit").name()).isEqualTo("primary");
        assertThat(p.defaultGroup(p.user("report")).name()).isEqualTo("replicas");
        assertThat(p.writerServer().name()).isEqualTo("db1");
    }

    @Test
    void monitorAndRoutingExampleLoads() throws IOException {
        ProxyConfig p = new ConfigLoader()
                .yaml("sluice.yaml", example("### Monitor and routing"))
                .load()
                .proxy();

        assertThat(p.monitor()).isEqualTo(MonitorConfig.of("monitor", "m0n1tor"));
        assertThat(p.routing().causalReads()).isEqualTo(CausalReads.LOCAL);
        assertThat(p.routing().rules()).hasSize(2);
        assertThat(p.routing().rules().get(0).matches("report", "shop", "CALL report_sales(2026)"))
                .isTrue();
        assertThat(p.routing().rules().get(1).matches("app", "audit", "INSERT INTO log VALUES (1)"))
                .isTrue();
    }

    @Test
    void everyKeyIsInTheTable() throws IOException {
        String doc = Files.readString(DOC);
        List<String> keys = new ArrayList<>(ConfigBinder.TOP_KEYS);
        ConfigBinder.SERVER_KEYS.forEach(k -> keys.add("servers[N]." + k));
        ConfigBinder.USER_KEYS.forEach(k -> keys.add("users[N]." + k));
        GroupsReader.KEYS.forEach(k -> keys.add("groups[N]." + k));
        ConfigBinder.TLS_KEYS.forEach(k -> keys.add("tls." + k));
        ConfigBinder.POOL_KEYS.forEach(k -> keys.add("pool." + k));
        RoutingReader.MONITOR_KEYS.forEach(k -> keys.add("monitor." + k));
        RoutingReader.ROUTING_KEYS.forEach(k -> keys.add("routing." + k));
        RoutingReader.RULE_KEYS.forEach(k -> keys.add("routing.rules[N]." + k));
        HttpReader.KEYS.forEach(k -> keys.add("http." + k));
        AdminReader.KEYS.forEach(k -> keys.add("admin." + k));
        AdminReader.USER_KEYS.forEach(k -> keys.add("admin.users[N]." + k));
        StatsReader.DIGEST_KEYS.forEach(k -> keys.add("digests." + k));
        StatsReader.SLOW_KEYS.forEach(k -> keys.add("slow-query-log." + k));
        UsersFromServerReader.KEYS.forEach(k -> keys.add("users-from-server." + k));
        CaptureReader.KEYS.stream().filter(k -> !k.equals("continuous")).forEach(k -> keys.add("capture." + k));
        CaptureReader.CONTINUOUS_KEYS.forEach(k -> keys.add("capture.continuous." + k));
        HostileReader.KEYS.forEach(k -> keys.add("hostile." + k));
        CompressionReader.KEYS.forEach(k -> keys.add("compression." + k));
        for (String key : keys) {
            assertThat(doc).as(key).contains("| `" + key + "` |");
        }
    }

    @Test
    void usersFromServerExampleLoads() throws IOException {
        SluiceConfig config = new ConfigLoader()
                .yaml("sluice.yaml", example("### Users the servers already know"))
                .load();

        ProxyConfig p = config.proxy();
        assertThat(p.usersFromServer().user()).isEqualTo("sluice_accounts");
        assertThat(p.usersFromServer().refreshInterval()).hasMinutes(5);
        assertThat(config.summary())
                .contains("users-from-server as sluice_accounts")
                .doesNotContain("acc0unts");
    }

    /** The first YAML block after a heading of the doc. */
    private static String example(String heading) throws IOException {
        String doc = Files.readString(DOC);
        int open = doc.indexOf("```yaml\n", doc.indexOf(heading));
        return doc.substring(open + 8, doc.indexOf("```\n", open));
    }
}
