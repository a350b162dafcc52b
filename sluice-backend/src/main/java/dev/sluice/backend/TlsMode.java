package dev.sluice.backend;

/** Whether a server connection uses TLS (SSLRequest, then a TLS handshake before the login packet). */
public enum TlsMode {
    /** Never; the login goes in the clear. */
    DISABLED,
    /** When the server offers CLIENT_SSL; in the clear otherwise. */
    PREFERRED,
    /** Always; a server without CLIENT_SSL is an error. */
    REQUIRED
}
