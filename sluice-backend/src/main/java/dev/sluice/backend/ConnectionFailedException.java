package dev.sluice.backend;

/**
 * Opening a server connection failed before it was usable: the message names the server, the phase
 * (tcp connect, greeting, tls, authentication) and the cause.
 */
public final class ConnectionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConnectionFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public ConnectionFailedException(String message) {
        super(message);
    }
}
