package dev.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which keys a reload changes, and which make it wait for a restart. */
class ConfigReloadTest {
    private static ProxyConfig plain(List<ServerConfig> servers, List<UserConfig> users, PoolSettings pool) {
        return new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 3307)),
                servers,
                users,
                new ClientTlsConfig(false, null, null, false),
                Timeouts.defaults(),
                Limits.defaults(),
                false,
                pool);
    }

    private static ProxyConfig config(List<ServerConfig> servers, List<UserConfig> users, String rulePattern) {
        ProxyConfig c = plain(servers, users, PoolSettings.defaults());
        RoutingConfig d = RoutingConfig.defaults();
        return c.withRouting(
                c.groups(),
                c.monitor(),
                new RoutingConfig(
                        d.readWriteSplit(),
                        d.causalReads(),
                        d.causalReadTimeout(),
                        d.failoverBufferTimeout(),
                        d.failoverBufferStatements(),
                        List.of(new RoutingRule(null, null, Pattern.compile(rulePattern), "writer"))));
    }

    private static final List<ServerConfig> ONE = List.of(new ServerConfig("a", "127.0.0.1", 3306, TlsMode.DISABLED));
    private static final List<UserConfig> USERS = List.of(UserConfig.of("app", "secret"), UserConfig.of("ro", "x"));

    @Test
    void theSameFileAgainChangesNothing() {
        ConfigReload.Result r = ConfigReload.check(config(ONE, USERS, "^SELECT"), config(ONE, USERS, "^SELECT"));
        assertThat(r.applied()).isTrue();
        assertThat(r.changed()).isEmpty();
        assertThat(r.describe()).isEqualTo("configuration reloaded: nothing changed");
    }

    @Test
    void liveKeysAreNamedUsersOneByOne() {
        ProxyConfig before = config(ONE, USERS, "^SELECT");
        ProxyConfig after = config(
                ONE, List.of(UserConfig.of("app", "changed"), UserConfig.of("new", "y")), "^SELECT .* FROM reports");
        ConfigReload.Result r = ConfigReload.check(before, after);
        assertThat(r.applied()).isTrue();
        assertThat(r.changed())
                .containsExactly("users: added new", "users: removed ro", "users: changed app", "routing");
    }

    /** The statistics, the admin interface and users-from-server are built once: a change of them waits for a restart. */
    @Test
    void statisticsAdminAndUsersFromServerWaitForARestart() {
        ProxyConfig before = config(ONE, USERS, "x");
        ConfigReload.Result slow = ConfigReload.check(
                before,
                before.withStats(new dev.sluice.proxy.config.StatsConfig(
                        true, 1000, java.time.Duration.ofSeconds(1), 10, null)));
        assertThat(slow.applied()).isFalse();
        assertThat(slow.describe()).contains("slow-query-log changes only on restart");
        ConfigReload.Result digests = ConfigReload.check(
                before, before.withStats(new dev.sluice.proxy.config.StatsConfig(true, 5, null, 10, null)));
        assertThat(digests.refusal()).contains("digests");
        ConfigReload.Result admin = ConfigReload.check(
                before,
                before.withAdmin(new dev.sluice.proxy.config.AdminConfig(
                        new dev.sluice.proxy.config.ListenerConfig("127.0.0.1", 6033),
                        List.of(UserConfig.of("ops", "x")),
                        before.clientTls())));
        assertThat(admin.refusal()).contains("admin");
        ConfigReload.Result capture = ConfigReload.check(
                before,
                before.withCapture(dev.sluice.proxy.config.CaptureConfig.of(java.nio.file.Path.of("/tmp/c"), true)));
        assertThat(capture.refusal()).contains("capture");
    }

    @Test
    void poolSizesReloadButTheModeWaitsForARestart() {
        ProxyConfig before = plain(ONE, USERS, PoolSettings.defaults());
        ProxyConfig bigger =
                plain(ONE, USERS, PoolSettings.defaults().toBuilder().maxSize(7).build());
        assertThat(ConfigReload.check(before, bigger).changed()).containsExactly("pool");
        ProxyConfig session = plain(ONE, USERS, PoolSettings.defaults().withMode(PoolMode.SESSION));
        ConfigReload.Result r = ConfigReload.check(before, session);
        assertThat(r.applied()).isFalse();
        assertThat(r.describe())
                .isEqualTo("configuration not reloaded: pool.mode changes only on restart; nothing was changed");
    }

    @Test
    void serversComeAndGoLiveButAServerKeepsItsAddress() {
        List<ServerConfig> two = List.of(ONE.get(0), new ServerConfig("b", "127.0.0.1", 3308, TlsMode.DISABLED));
        ConfigReload.Result added = ConfigReload.check(config(ONE, USERS, "x"), config(two, USERS, "x"));
        assertThat(added.applied()).isTrue();
        assertThat(added.changed()).containsExactly("servers: added b");
        assertThat(ConfigReload.check(config(two, USERS, "x"), config(ONE, USERS, "x"))
                        .changed())
                .containsExactly("servers: removed b");

        List<ServerConfig> moved = List.of(new ServerConfig("a", "10.0.0.9", 3306, TlsMode.DISABLED));
        ConfigReload.Result r = ConfigReload.check(config(ONE, USERS, "x"), config(moved, List.of(), "x"));
        assertThat(r.applied()).isFalse();
        assertThat(r.refusal())
                .isEqualTo("servers[a] (its address or TLS; add it under a new name instead) changes only on restart");
        assertThat(r.changed()).contains("users: removed app");
    }
}
