package dev.sluice.backend;

/**
 * A server did not answer one of Sluice's own commands (session set-up, a pooled connection's reset, a KILL
 * QUERY) within its deadline: the connection was closed, since its state is unknown. The message names the
 * server, the command and the deadline.
 */
public final class DeadlineExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
        super(message);
    }
}
