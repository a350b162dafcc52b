package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.proxy.ConfigReload;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's hot reload under load: sysbench {@code oltp_read_write} (16 threads, 20 s, prepared statements) runs
 * through Sluice while the configuration is reloaded every half second, each reload changing another kind of key that
 * reloads live: users, timeouts, limits, local-infile, the routing rules and settings, the pool's sizes. Every reload
 * is applied, and sysbench sees no error (any error but the deadlocks it retries is FATAL to it, and is asserted
 * absent; the deadlocks it retried are printed).
 */
class ReloadUnderSysbenchTest {
    private static final int SECONDS = 20;
    private static final Pattern IGNORED = Pattern.compile("ignored errors:\\s+(\\d+)");
    private static final Pattern TRANSACTIONS = Pattern.compile("transactions:\\s+(\\d+)");

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("max_connections", "200")
            .option("innodb_buffer_pool_size", "64M")
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE sbtest")
            .build();

    static ProxyFixture fixture;
    static ProxyConfig base;

    @BeforeAll
    static void start() {
        base = ProxyFixture.withMode(
                ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.TRANSACTION);
        fixture = new ProxyFixture(db.sandbox(), base);
        ProgramRun prepare = ProgramRun.run(sysbench(db.sandbox().port(), "prepare"), Duration.ofSeconds(120));
        assertThat(prepare.exitCode()).as(prepare.describe()).isZero();
        assertThat(prepare.out()).as(prepare.describe()).doesNotContain("FATAL");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static List<String> sysbench(int port, String action) {
        return SysbenchCommand.oltpReadWrite(port, "auto", 16, SECONDS, action);
    }

    /** The {@code i}-th configuration of the cycle: each changes one more kind of live key, or puts it back. */
    private static ProxyConfig variant(int i) {
        int kind = i % 6;
        boolean on = (i / 6) % 2 == 0;
        Timeouts t = base.timeouts();
        List<UserConfig> users = new ArrayList<>(base.users());
        Timeouts timeouts = t;
        Limits limits = base.limits();
        boolean localInfile = base.localInfile();
        RoutingConfig routing = base.routing();
        var pool = base.pool();
        switch (kind) {
            case 0 -> {
                if (on) {
                    users.add(UserConfig.of("extra", "extra-pw"));
                }
            }
            case 1 ->
                timeouts = new Timeouts(
                        t.connect(),
                        t.clientHandshake(),
                        t.clientWrite(),
                        on ? Duration.ofSeconds(30) : null,
                        t.clientIdle());
            case 2 -> limits = new Limits(limits.maxPacketSize(), on ? 500 : limits.maxClientConnections());
            case 3 -> localInfile = on;
            case 4 ->
                routing = new RoutingConfig(
                        routing.readWriteSplit(),
                        routing.causalReads(),
                        routing.causalReadTimeout(),
                        on ? Duration.ofSeconds(5) : routing.failoverBufferTimeout(),
                        routing.failoverBufferStatements(),
                        on ? List.of(new RoutingRule(null, null, Pattern.compile("^SELECT 42"), "writer")) : List.of());
            default -> pool = pool.toBuilder().maxSize(on ? 48 : pool.maxSize()).build();
        }
        return new ProxyConfig(
                base.listeners(),
                base.servers(),
                users,
                base.clientTls(),
                timeouts,
                limits,
                localInfile,
                pool,
                base.clientAuthPlugin(),
                base.instanceId(),
                base.groups(),
                base.monitor(),
                routing,
                base.http(),
                base.stats(),
                base.admin(),
                base.usersFromServer());
    }

    @Test
    void reloadsOfEveryLiveKindDuringSysbenchCauseNoClientError() throws Exception {
        CompletableFuture<ProgramRun> run = CompletableFuture.supplyAsync(
                () -> ProgramRun.run(sysbench(fixture.port(), "run"), Duration.ofSeconds(SECONDS + 60)));
        int reloads = 0;
        List<String> changed = new ArrayList<>();
        while (!run.isDone()) {
            ConfigReload.Result r = fixture.proxy.reload(variant(reloads));
            assertThat(r.applied()).as("reload %d: %s", reloads, r.describe()).isTrue();
            changed.addAll(r.changed());
            reloads++;
            try {
                run.get(500, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // reload again
            }
        }
        fixture.proxy.reload(base);
        ProgramRun sysbench = run.get();
        String out = sysbench.out();
        System.out.println("reloads under sysbench: " + reloads + ", keys changed: "
                + changed.stream().distinct().toList()
                + "; " + number(TRANSACTIONS, out) + " transactions, " + number(IGNORED, out)
                + " ignored errors (deadlocks retried)");

        assertThat(sysbench.exitCode()).as(sysbench.describe()).isZero();
        assertThat(out + sysbench.stderr()).as(sysbench.describe()).doesNotContain("FATAL");
        assertThat(number(TRANSACTIONS, out)).isPositive();
        assertThat(reloads).as("reloads during the run").isGreaterThanOrEqualTo(20);
        assertThat(changed.stream().distinct().toList())
                .as("every kind was changed")
                .contains(
                        "users: added extra",
                        "users: removed extra",
                        "server-read-timeout",
                        "max-client-connections",
                        "local-infile",
                        "routing",
                        "pool");
    }

    private static long number(Pattern pattern, String out) {
        Matcher m = pattern.matcher(out);
        assertThat(m.find()).as("'%s' in %s", pattern, out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
