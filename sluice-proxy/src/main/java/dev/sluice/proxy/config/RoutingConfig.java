package dev.sluice.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How statements are routed once there is more than one server (see docs/ROUTING.md).
 *
 * @param readWriteSplit in pool.mode transaction, outside transactions, statements that only read go to readers
 * @param causalReads whether a read on a replica waits for earlier writes
 * @param causalReadTimeout how long a read waits on a replica for a write to arrive there before it goes to the
 *     writer instead
 * @param failoverBufferTimeout how long statements wait for a writer while there is none (a failover); then they
 *     get an ERR
 * @param failoverBufferStatements how many statements may wait for a writer at once (beyond: an ERR at once)
 * @param rules routing rules, first match wins
 */
public record RoutingConfig(
        boolean readWriteSplit,
        CausalReads causalReads,
        Duration causalReadTimeout,
        Duration failoverBufferTimeout,
        int failoverBufferStatements,
        List<RoutingRule> rules) {
    public static final Duration DEFAULT_CAUSAL_READ_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FAILOVER_BUFFER_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_FAILOVER_BUFFER_STATEMENTS = 10_000;

    public RoutingConfig {
        Objects.requireNonNull(causalReads, "causalReads");
        Objects.requireNonNull(causalReadTimeout, "causalReadTimeout");
        Objects.requireNonNull(failoverBufferTimeout, "failoverBufferTimeout");
        rules = List.copyOf(rules);
        if (causalReadTimeout.isNegative() || causalReadTimeout.isZero()) {
            throw new IllegalArgumentException("routing.causal-read-timeout must be more than 0");
        }
        if (failoverBufferTimeout.isNegative()) {
            throw new IllegalArgumentException("routing.failover-buffer-timeout must not be negative");
        }
        if (failoverBufferStatements < 0) {
            throw new IllegalArgumentException("routing.failover-buffer-statements must not be negative");
        }
    }

    public static RoutingConfig defaults() {
        return new RoutingConfig(
                true,
                CausalReads.LOCAL,
                DEFAULT_CAUSAL_READ_TIMEOUT,
                DEFAULT_FAILOVER_BUFFER_TIMEOUT,
                DEFAULT_FAILOVER_BUFFER_STATEMENTS,
                List.of());
    }

    public RoutingConfig withRules(List<RoutingRule> newRules) {
        return new RoutingConfig(
                readWriteSplit,
                causalReads,
                causalReadTimeout,
                failoverBufferTimeout,
                failoverBufferStatements,
                newRules);
    }

    public RoutingConfig withCausalReads(CausalReads mode) {
        return new RoutingConfig(
                readWriteSplit, mode, causalReadTimeout, failoverBufferTimeout, failoverBufferStatements, rules);
    }

    public RoutingConfig withFailoverBuffer(Duration timeout, int statements) {
        return new RoutingConfig(readWriteSplit, causalReads, causalReadTimeout, timeout, statements, rules);
    }
}
