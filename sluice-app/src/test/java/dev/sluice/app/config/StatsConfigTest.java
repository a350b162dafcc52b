package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.StatsConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code digests} and {@code slow-query-log}: statement statistics. */
class StatsConfigTest {
    /** Two lines: what follows starts at line 3. */
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void defaults() {
        SluiceConfig c = load(BASE);
        assertThat(c.proxy().stats()).isEqualTo(StatsConfig.defaults());
        assertThat(c.proxy().stats().digests()).isTrue();
        assertThat(c.proxy().stats().digestsMax()).isEqualTo(1000);
        assertThat(c.proxy().stats().slowQueryThreshold()).isNull();
        assertThat(c.summary()).doesNotContain("digests").doesNotContain("slow query");
        assertThat(load(BASE + yaml("digests:", "slow-query-log:")).proxy().stats())
                .isEqualTo(StatsConfig.defaults());
    }

    @Test
    void everyKey() {
        SluiceConfig c = load(BASE
                + yaml(
                        "digests: {enabled: true, max: 50}",
                        "slow-query-log:",
                        "  threshold: 250ms",
                        "  max-per-second: 3",
                        "  file: /tmp/slow.jsonl"));
        assertThat(c.proxy().stats())
                .isEqualTo(new StatsConfig(true, 50, Duration.ofMillis(250), 3, Path.of("/tmp/slow.jsonl")));
        assertThat(c.summary())
                .contains("; digests at most 50 rows")
                .endsWith("; slow query log from 250 ms to /tmp/slow.jsonl");
        assertThat(load(BASE + yaml("digests: {enabled: off}")).summary()).contains("; digests off");
        assertThat(load(BASE + yaml("slow-query-log: {threshold: 1s}")).summary())
                .endsWith("; slow query log from 1000 ms to the log");
    }

    @Test
    void overrides() {
        StatsConfig s = load(BASE, "digests.max=7", "slow-query-log.threshold=2s")
                .proxy()
                .stats();
        assertThat(s.digestsMax()).isEqualTo(7);
        assertThat(s.slowQueryThreshold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(load(BASE, "digests.enabled=false").proxy().stats().digests())
                .isFalse();
    }

    @Test
    void errors() {
        assertThat(problems(BASE + yaml("digests:", "  max: 0", "  enable: true")))
                .containsExactly(
                        "sluice.yaml:5: digests: unknown key 'enable' (did you mean 'enabled'?)",
                        "sluice.yaml:4: digests.max: \"0\" is not a whole number in 1..1000000");
        assertThat(problems(BASE + yaml("slow-query-log: {threshold: soon}")))
                .hasSize(1)
                .allSatisfy(p -> assertThat(p).startsWith("sluice.yaml:3: slow-query-log.threshold: "));
        assertThat(problems(BASE + yaml("slow-query-log: {max-per-second: -1}")))
                .containsExactly(
                        "sluice.yaml:3: slow-query-log.max-per-second: \"-1\" is not a whole number in 1..1000000");
        assertThat(problems(BASE + yaml("slow-query-log: {file: /no/such/dir/slow.log}")))
                .containsExactly(
                        "sluice.yaml:3: slow-query-log.file: the directory of /no/such/dir/slow.log does not exist");
    }
}
