package dev.sluice.backend.pool;

/**
 * No server connection could be handed out: the server is marked down by its health check, or the pool was
 * at its limit for the whole acquire timeout. The message names the server, the user and the limit.
 */
public final class PoolUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why; decides the error code the client gets. */
    public enum Reason {
        SERVER_DOWN,
        EXHAUSTED,
        /** the server refused a login with ER_CON_COUNT_ERROR (too many connections) */
        SERVER_FULL,
        CLOSED
    }

    /** ER_CON_COUNT_ERROR: what a server answers a login when it is at max_connections. */
    public static final int ER_CON_COUNT_ERROR = 1040;

    private final Reason reason;

    public PoolUnavailableException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
