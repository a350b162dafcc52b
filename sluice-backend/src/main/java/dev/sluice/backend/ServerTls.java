package dev.sluice.backend;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to set up TLS towards a server: the mode and the files it uses. Files are PEM; {@code ca} is the bundle of
 * CA certificates trusted by the {@code VERIFY_*} modes (null: the JVM's default trust store); {@code cert} and
 * {@code key} (PKCS#8) are the client certificate for servers that require X.509, or both null.
 */
public record ServerTls(TlsMode mode, Path ca, Path cert, Path key) {
    public static final ServerTls DISABLED = of(TlsMode.DISABLED);

    public ServerTls {
        Objects.requireNonNull(mode, "mode");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate and its key go together (got only "
                    + (cert == null ? "the key" : "the certificate") + ")");
        }
        if (ca != null && !mode.verifiesCertificate()) {
            throw new IllegalArgumentException(
                    "a CA bundle is used only by verify-ca and verify-identity (tls: " + mode.configName() + ")");
        }
        if (cert != null && mode == TlsMode.DISABLED) {
            throw new IllegalArgumentException("a client certificate needs TLS (tls: disabled)");
        }
    }

    /** A mode without files: the JVM's trust store for the verifying modes, no client certificate. */
    public static ServerTls of(TlsMode mode) {
        return new ServerTls(mode, null, null, null);
    }

    /** What a log line says about it: {@code verify-ca (ca /etc/ca.pem, client certificate /etc/c.pem)}. */
    public String describe() {
        StringBuilder s = new StringBuilder(mode.configName());
        if (mode.verifiesCertificate()) {
            s.append(" (ca ").append(ca == null ? "the JVM's trust store" : ca.toString());
        }
        if (cert != null) {
            s.append(mode.verifiesCertificate() ? ", " : " (")
                    .append("client certificate ")
                    .append(cert);
        }
        if (mode.verifiesCertificate() || cert != null) {
            s.append(')');
        }
        return s.toString();
    }
}
