package dev.sluice.backend;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client TLS contexts for server connections, one per {@link ServerTls} (made once, then shared), and the
 * once-per-server warning for {@code preferred} links that end up unencrypted.
 *
 * <p>Verification is the JDK's: a trust manager from the PEM bundle (or the JVM's default trust store) checks
 * the chain, and for {@code verify-identity} the engine's endpoint identification ("HTTPS", RFC 2818: the DNS
 * names and IP addresses of the subject alternative names) checks the host the connection was opened to,
 * which Netty passes to the engine as the peer host (and as SNI for a DNS name). {@code preferred} and
 * {@code required} trust any certificate: they protect against a passive listener only, which is why a
 * cleartext password never goes over them unless the operator opted in.
 */
public final class ServerTlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTlsContexts.class);

    private final Map<ServerTls, SslContext> contexts = new ConcurrentHashMap<>();
    private final Set<String> warnedUnencrypted = ConcurrentHashMap.newKeySet();

    /** The context for these settings, made now if it is the first use (reads the files, may take ~100 ms). */
    public SslContext context(ServerTls tls) {
        // preferred and required make the same context (any certificate)
        ServerTls key =
                tls.mode().verifiesCertificate() ? tls : new ServerTls(TlsMode.REQUIRED, null, tls.cert(), tls.key());
        SslContext c = contexts.get(key);
        // a second caller of the same key waits for the first one's build
        return c != null ? c : contexts.computeIfAbsent(key, ServerTlsContexts::build);
    }

    /**
     * Makes the context on a thread of its own (a proxy's start need not wait for the JDK's TLS set-up); the
     * future fails with an IllegalArgumentException naming the file when one cannot be used.
     */
    public CompletableFuture<SslContext> prepare(ServerTls tls) {
        CompletableFuture<SslContext> result = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        result.complete(context(tls));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                },
                "sluice-server-tls-init");
        t.setDaemon(true);
        t.start();
        return result;
    }

    /**
     * A {@code preferred} connection to {@code server} went unencrypted (the greeting offered no TLS: a server
     * without TLS, or a peer on the path that removed the flag). Logged at warn the first time per server.
     *
     * @return whether this call logged it (the first for this server)
     */
    public boolean warnUnencrypted(String server, String detail) {
        if (!warnedUnencrypted.add(server)) {
            return false;
        }
        LOG.warn(
                "server {}: tls preferred, but {}: connections to it go unencrypted, password exchange included"
                        + " (logged once per server; set tls: verify-identity, or verify-ca, or required to refuse"
                        + " this, or tls: disabled to say it is intended)",
                server,
                detail);
        return true;
    }

    private static SslContext build(ServerTls tls) {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (tls.mode().verifiesCertificate()) {
            b.trustManager(trustManagers(tls));
            // Netty 4.2 sets "HTTPS" on client contexts by default; verify-ca checks the chain only
            b.endpointIdentificationAlgorithm(tls.mode() == TlsMode.VERIFY_IDENTITY ? "HTTPS" : null);
        } else {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            b.endpointIdentificationAlgorithm(null);
        }
        if (tls.cert() != null) {
            try {
                b.keyManager(tls.cert().toFile(), tls.key().toFile());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "tls-cert " + tls.cert() + " / tls-key " + tls.key()
                                + ": not a PEM certificate chain and PKCS#8 private key: " + e.getMessage(),
                        e);
            }
        }
        try {
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set up TLS " + tls.describe() + ": " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustManagers(ServerTls tls) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.ca() == null) {
                f.init((KeyStore) null); // the JVM's default trust store
            } else {
                f.init(PemTrust.keyStore(tls.ca()));
            }
            return f;
        } catch (NoSuchAlgorithmException | KeyStoreException e) {
            throw new IllegalStateException("cannot set up the JDK's trust manager: " + e.getMessage(), e);
        }
    }
}
