package dev.sluice.backend;

/**
 * Opening a server connection failed before it was usable: the message names the server, the phase
 * (tcp connect, greeting, tls, authentication) and the cause.
 */
public final class ConnectionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean unreachable;

    public ConnectionFailedException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public ConnectionFailedException(String message) {
        this(message, null, false);
    }

    /**
     * @param unreachable the server could not be reached (TCP connect refused) or did not complete a login
     *     within the connect deadline: a sign the server is down, unlike one connection closed or refused
     */
    public ConnectionFailedException(String message, Throwable cause, boolean unreachable) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    public boolean unreachable() {
        return unreachable;
    }
}
