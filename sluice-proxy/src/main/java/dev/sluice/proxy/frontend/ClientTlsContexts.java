package dev.sluice.proxy.frontend;

import dev.sluice.proxy.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side TLS contexts for client connections, from configuration: a PEM certificate chain and PKCS#8 PEM
 * key, or, when none is configured, a self-signed certificate (generated once and cached, see {@link
 * #selfSigned()}) logged with its fingerprint (so a user can pin it, e.g. with the mariadb client's --ssl-fp).
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
            return SslContextBuilder.forServer(
                            config.certificate().toFile(), config.key().toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "tls: cannot use certificate " + config.certificate() + " with key "
                            + config.key() + " (expected: PEM certificate chain and unencrypted PKCS#8 PEM key): "
                            + rootMessage(e),
                    e);
        }
    }

    /** The self-signed pair of this process, made (or loaded) once: tests start many proxies in one JVM. */
    private static SslContext selfSignedContext;

    /**
     * The self-signed pair. Generating one takes seconds here (without BouncyCastle, Netty runs the JDK's
     * keytool in a child process), which would make every start slow; so the pair is kept in a cache
     * directory ({@code sluice.cache.dir}, default {@code ~/.cache/sluice}) and generated only when missing
     * or about to expire. Either way the log says it is self-signed and gives its fingerprint.
     */
    private static synchronized SslContext selfSigned() {
        if (selfSignedContext == null) {
            selfSignedContext = selfSignedIn(cacheDir()).context();
        }
        return selfSignedContext;
    }

    /** A self-signed context and the certificate in it. */
    record SelfSigned(SslContext context, X509Certificate certificate) {}

    /** The self-signed pair cached in {@code dir}, made there when missing or expiring (no in-process cache). */
    static SelfSigned selfSignedIn(Path dir) {
        Path certFile = dir.resolve("self-signed-cert.pem");
        Path keyFile = dir.resolve("self-signed-key.pem");
        X509Certificate cert = loadUsable(certFile);
        String origin;
        if (cert != null && Files.isRegularFile(keyFile)) {
            origin = "cached in " + certFile + " since " + cert.getNotBefore().toInstant();
        } else {
            cert = generate(certFile, keyFile);
            origin = cert == null ? null : "generated now and cached in " + certFile;
        }
        try {
            SslContext context;
            if (cert != null) {
                context = SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile())
                        .build();
            } else {
                // the cache directory is not writable: generate into memory only
                GeneratedPair pair = generateInMemory();
                cert = pair.cert();
                context = SslContextBuilder.forServer(pair.key(), pair.cert()).build();
                origin = "generated now (not cached: " + dir + " is not writable)";
            }
            LOG.info(
                    "TLS: no certificate configured, using a self-signed certificate (CN={}, SHA-256 fingerprint {}; {})",
                    SELF_SIGNED_CN,
                    fingerprint(cert),
                    origin);
            return new SelfSigned(context, cert);
        } catch (SSLException e) {
            throw new IllegalStateException("tls: cannot use the self-signed certificate: " + rootMessage(e), e);
        }
    }

    static Path cacheDir() {
        String configured = System.getProperty("sluice.cache.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sluice");
    }

    /** The cached certificate if it parses and stays valid for at least a week; null otherwise. */
    private static X509Certificate loadUsable(Path certFile) {
        if (!Files.isRegularFile(certFile)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(certFile)) {
            X509Certificate cert =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            cert.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(7))));
            return cert;
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    private record GeneratedPair(java.security.PrivateKey key, X509Certificate cert) {}

    // Netty deprecated SelfSignedCertificate because it is meant for tests; an auto-generated certificate
    // that says so in the log is exactly that use, and it avoids a BouncyCastle dependency.
    @SuppressWarnings("deprecation")
    private static X509Certificate generate(Path certFile, Path keyFile) {
        SelfSignedCertificate generated = newSelfSigned();
        try {
            // the key first: a certificate without its key would be taken for a usable cache
            CacheFiles.writeOwnerOnly(
                    keyFile, Files.readAllBytes(generated.privateKey().toPath()));
            CacheFiles.writeOwnerOnly(
                    certFile, Files.readAllBytes(generated.certificate().toPath()));
            return generated.cert();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        } finally {
            generated.delete();
        }
    }

    @SuppressWarnings("deprecation")
    private static GeneratedPair generateInMemory() {
        SelfSignedCertificate generated = newSelfSigned();
        try {
            return new GeneratedPair(generated.key(), generated.cert());
        } finally {
            generated.delete();
        }
    }

    @SuppressWarnings("deprecation")
    private static SelfSignedCertificate newSelfSigned() {
        try {
            return new SelfSignedCertificate(SELF_SIGNED_CN);
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException("tls: cannot generate a self-signed certificate: " + rootMessage(e), e);
        }
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
