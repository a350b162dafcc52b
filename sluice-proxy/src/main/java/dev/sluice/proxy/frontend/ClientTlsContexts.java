package dev.sluice.proxy.frontend;

import dev.sluice.proxy.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side TLS contexts for client connections, from configuration: a PEM certificate chain and PKCS#8 PEM
 * key, or, when none is configured, a self-signed certificate generated at start and logged with its
 * fingerprint (so a user can pin it, e.g. with the mariadb client's --ssl-fp).
 */
public final class ClientTlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTlsContexts.class);
    static final String SELF_SIGNED_CN = "localhost";

    private ClientTlsContexts() {}

    /**
     * The context for {@code config}, or null when TLS is disabled.
     *
     * @throws IllegalArgumentException naming the files when the certificate or key cannot be used
     */
    public static SslContext create(ClientTlsConfig config) {
        if (!config.enabled()) {
            return null;
        }
        if (config.selfSignedCertificate()) {
            return selfSigned();
        }
        try {
            return SslContextBuilder.forServer(config.certificate().toFile(), config.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot use certificate " + config.certificate() + " with key "
                    + config.key() + " (expected: PEM certificate chain and unencrypted PKCS#8 PEM key): "
                    + rootMessage(e), e);
        }
    }

    private static SslContext selfSigned() {
        SelfSignedPair pair = selfSignedPair();
        try {
            SslContext context = SslContextBuilder.forServer(pair.key(), pair.certificate()).build();
            LOG.info("TLS: no certificate configured, using a self-signed certificate generated at start "
                    + "(CN={}, SHA-256 fingerprint {})", SELF_SIGNED_CN, fingerprint(pair.certificate()));
            return context;
        } catch (SSLException e) {
            throw new IllegalStateException("tls: cannot use the self-signed certificate: " + rootMessage(e), e);
        }
    }

    record SelfSignedPair(PrivateKey key, X509Certificate certificate) {}

    private static SelfSignedPair selfSigned;

    /**
     * One self-signed pair per process, generated on first use: without BouncyCastle, Netty generates it by
     * running the JDK's keytool in a new process, which takes seconds here; every proxy started in the same
     * process (tests start dozens) then reuses it.
     */
    // Netty deprecated SelfSignedCertificate because it is meant for tests; an auto-generated certificate
    // that says so in the log is exactly that use, and it avoids a BouncyCastle dependency.
    @SuppressWarnings("deprecation")
    static synchronized SelfSignedPair selfSignedPair() {
        if (selfSigned == null) {
            SelfSignedCertificate generated;
            try {
                generated = new SelfSignedCertificate(SELF_SIGNED_CN);
            } catch (java.security.cert.CertificateException e) {
                throw new IllegalStateException("tls: cannot generate a self-signed certificate: " + rootMessage(e), e);
            }
            try {
                selfSigned = new SelfSignedPair(generated.key(), generated.cert());
            } finally {
                generated.delete(); // the temporary PEM files; the key and certificate stay in memory
            }
        }
        return selfSigned;
    }

    /** SHA-256 of the DER certificate as colon-separated upper-case hex, as openssl x509 -fingerprint shows it. */
    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").formatHex(digest).toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 fingerprint: " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
