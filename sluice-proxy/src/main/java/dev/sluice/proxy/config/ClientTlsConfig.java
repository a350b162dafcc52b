package dev.sluice.proxy.config;

import java.nio.file.Path;

/**
 * TLS offered to clients (via SSLRequest). With neither path, a self-signed certificate is generated at
 * start and logged as such; with both, the PEM certificate chain and PKCS#8 key are used.
 *
 * @param required refuse clients that do not switch to TLS
 */
public record ClientTlsConfig(boolean enabled, Path certificate, Path key, boolean required) {
    public ClientTlsConfig {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("tls: certificate and key go together (got only one)");
        }
        if (required && !enabled) {
            throw new IllegalArgumentException("tls: required needs tls enabled");
        }
    }

    public static ClientTlsConfig selfSigned() {
        return new ClientTlsConfig(true, null, null, false);
    }

    public boolean selfSignedCertificate() {
        return enabled && certificate == null;
    }
}
