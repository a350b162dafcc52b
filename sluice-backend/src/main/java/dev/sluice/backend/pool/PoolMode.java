package dev.sluice.backend.pool;

/** How long a client session holds a server connection ({@code pool.mode}). */
public enum PoolMode {
    /**
     * From a command that needs a connection to the first point where nothing of the session lives only on it
     * (after an autocommit statement, COMMIT or ROLLBACK, the last row of a result); its state follows it to the
     * next connection. Connections go back without a reset.
     */
    TRANSACTION,
    /** For the session's whole life, from its login to its end (each session one server connection). */
    SESSION;

    /** The configuration's spelling: {@code transaction}, {@code session}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
