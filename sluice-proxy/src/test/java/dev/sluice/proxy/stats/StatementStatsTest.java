package dev.sluice.proxy.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The label values of the statement metrics stay bounded whatever the servers answer. */
class StatementStatsTest {
    @Test
    void errorCodesAreCappedPerOriginAndTheRestCountAsOther() {
        StatementStats stats = new StatementStats(null, null);
        for (int code = 1000; code < 1500; code++) {
            stats.error(code, StatementStats.Origin.SERVER);
        }
        stats.error(1045, StatementStats.Origin.SLUICE);
        Map<String, Long> server = new HashMap<>();
        Map<String, Long> sluice = new HashMap<>();
        stats.forEachError(
                (code, origin, n) -> (origin == StatementStats.Origin.SERVER ? server : sluice).put(code, n));

        assertThat(server).hasSize(StatementStats.MAX_CODES + 1);
        assertThat(server.get(StatementStats.OTHER_CODE)).isEqualTo(500 - StatementStats.MAX_CODES);
        assertThat(server.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(500);
        assertThat(sluice).containsExactly(Map.entry("1045", 1L));
    }

    @Test
    void failedLoginCodesAreCappedToo() {
        StatementStats stats = new StatementStats(null, null);
        for (int code = 0; code < 300; code++) {
            stats.loginFailed(code);
        }
        Map<String, Long> codes = new HashMap<>();
        stats.forEachLoginFailure(codes::put);
        assertThat(codes).hasSize(StatementStats.MAX_CODES + 1).containsKey("none");
        assertThat(codes.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
    }
}
