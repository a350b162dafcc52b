package dev.sluice.backend;

import java.util.Locale;

/**
 * Whether and how a server connection uses TLS (SSLRequest, then a TLS handshake before the login packet): the
 * modes MySQL clients know ({@code --ssl-mode}). Only the two {@code VERIFY_*} modes check who is at the other
 * end; the others encrypt against a passive listener but trust any certificate.
 */
public enum TlsMode {
    /** Never; the login goes in the clear. */
    DISABLED,
    /** When the server offers CLIENT_SSL (any certificate); in the clear otherwise, logged once per server. */
    PREFERRED,
    /** Always (any certificate); a server without CLIENT_SSL is an error. */
    REQUIRED,
    /** Always; the certificate chain must lead to a trusted CA (tls-ca, or the JVM's trust store). */
    VERIFY_CA,
    /** As {@link #VERIFY_CA}, and the certificate must name the host connected to (DNS name or IP address). */
    VERIFY_IDENTITY;

    /** A server that does not offer TLS is refused. */
    public boolean requiresTls() {
        return this == REQUIRED || this == VERIFY_CA || this == VERIFY_IDENTITY;
    }

    /** The server's certificate is checked, so a TLS link in this mode leads to the server configured. */
    public boolean verifiesCertificate() {
        return this == VERIFY_CA || this == VERIFY_IDENTITY;
    }

    /** The name used in configuration files: {@code verify-ca}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode of a configuration name ({@code verify-identity}); IllegalArgumentException for others. */
    public static TlsMode fromConfigName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
