package dev.sluice.proxy.config;

/** When a read sent to a replica must first wait for writes to reach it (see docs/ROUTING.md). */
public enum CausalReads {
    /** Reads go to a replica within the lag limit as they are: a session may not see its own last write there. */
    NONE,
    /** A session's reads on a replica wait for that session's last write (its GTID) to be applied there. */
    LOCAL,
    /** Every read on a replica waits for the last write any session made through this Sluice instance. */
    GLOBAL
}
