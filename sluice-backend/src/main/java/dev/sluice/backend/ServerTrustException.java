package dev.sluice.backend;

/**
 * Sluice refused to go on with a server because the link cannot be trusted with what comes next: TLS was
 * required and the server offered none, the certificate failed verification, or the server asked for the
 * password in a form a peer on the path could read. Nothing secret was sent. The code is the one a MySQL client
 * reports in the same situation (CR_SSL_CONNECTION_ERROR 2026, CR_AUTH_PLUGIN_CANNOT_LOAD 2059,
 * CR_AUTH_PLUGIN_ERR 2061), so that a proxy can answer its client as a direct connection would have failed.
 */
public final class ServerTrustException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** CR_SSL_CONNECTION_ERROR: TLS could not be set up as configured. */
    public static final int SSL_CONNECTION_ERROR = 2026;
    /** CR_AUTH_PLUGIN_CANNOT_LOAD: the server switched to mysql_clear_password, which is not allowed here. */
    public static final int AUTH_PLUGIN_CANNOT_LOAD = 2059;
    /** CR_AUTH_PLUGIN_ERR: caching_sha2_password full authentication cannot go on securely. */
    public static final int AUTH_PLUGIN_ERR = 2061;

    private final int errorCode;

    public ServerTrustException(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public ServerTrustException(int errorCode, String message) {
        this(errorCode, message, null);
    }

    public int errorCode() {
        return errorCode;
    }
}
