package dev.sluice.backend;

/**
 * Sluice refused to go on with a server because the link cannot be trusted with what comes next: TLS was
 * required and the server offered none, the certificate failed verification ({@link Reason#TLS}), or the server
 * asked for the password in a form a peer on the path could read ({@link Reason#PASSWORD}). Nothing secret was
 * sent.
 */
public final class ServerTrustException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What was refused. */
    public enum Reason {
        /** TLS could not be set up as configured: none offered, or the certificate did not pass. */
        TLS,
        /** The server asked for the password in a form that the link does not protect. */
        PASSWORD
    }

    private final Reason reason;

    public ServerTrustException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public ServerTrustException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
