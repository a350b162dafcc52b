package dev.sluice.proxy.session;

/**
 * Where a COM_QUERY text may run when sessions are split between a writer and readers ({@link ReadWriteClassifier};
 * the rules are in docs/ROUTING.md). The classes only describe the text: whether a transaction, a pin or the
 * session's state keeps it elsewhere is routing's decision.
 */
public enum ReadWriteClass {
    /** Provably only reads, and reads nothing the session's own connection holds: a reader may run it. */
    READ,
    /**
     * Only reads, but reads a value one connection keeps for the session (FOUND_ROWS(), ROW_COUNT(),
     * LAST_INSERT_ID(), a sequence's last value, warnings, a user variable): it must run where that value lives,
     * never on a connection picked for load.
     */
    SAME_CONNECTION,
    /** {@code START TRANSACTION READ ONLY} (alone in its text): the transaction it starts may run on a reader. */
    READ_ONLY_TRANSACTION,
    /** Everything else: writes, locks, side effects, session state, or not recognised. The writer runs it. */
    WRITE;

    /** The class of a text of several statements: the strictest of its statements'. */
    ReadWriteClass and(ReadWriteClass other) {
        if (this == WRITE || other == WRITE || this == READ_ONLY_TRANSACTION || other == READ_ONLY_TRANSACTION) {
            return WRITE;
        }
        return this == SAME_CONNECTION || other == SAME_CONNECTION ? SAME_CONNECTION : READ;
    }
}
