package dev.sluice.proxy.routing;

import java.util.Locale;

/** Why a statement went where it went (a label of {@link RoutingCounters}). */
public enum RouteReason {
    /** A write, or anything not provably a read: the writer. */
    WRITE,
    /** A read outside a transaction: a reader of the session's group. */
    SPLIT,
    /** A {@code /* sluice:writer *}{@code /} or {@code /* sluice:reader *}{@code /} hint in the text. */
    HINT,
    /** A configured routing rule. */
    RULE,
    /** A read that had to wait on its replica for the session's last write first (causal reads). */
    CAUSAL_WAIT,
    /** A read that found no reader (none eligible, or the causal wait timed out): the writer. */
    FALLBACK,
    /** {@code START TRANSACTION READ ONLY}: the transaction runs on a reader. */
    READ_ONLY_TRANSACTION,
    /**
     * No decision: a transaction or a pin kept the session on its connection (and in {@code pool.mode: session}, every
     * statement after the first).
     */
    PIN;

    /** The label as metrics and logs show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
