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
        CLOSED
    }

    private final Reason reason;

    public PoolUnavailableException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
