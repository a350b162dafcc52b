package dev.sluice.proxy.config;

import dev.sluice.backend.ServerTls;
import dev.sluice.backend.TlsMode;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;

/**
 * A MySQL or MariaDB server behind the proxy, and how far Sluice trusts the link to it with passwords.
 *
 * @param tls TLS towards the server: mode, CA bundle, client certificate
 * @param allowCleartextPassword send the password as is (mysql_clear_password, caching_sha2_password full
 *     authentication over TLS) even when the server's certificate is not verified
 * @param serverPublicKey the server's caching_sha2_password RSA key, pinned; null when not configured
 * @param allowPublicKeyRetrieval caching_sha2_password without TLS may ask the server for its RSA key
 * @param weight its share of reads in reader groups with {@link Balance#WEIGHTED} balance, 1..{@value #MAX_WEIGHT}
 */
public record ServerConfig(
        String name,
        String host,
        int port,
        ServerTls tls,
        boolean allowCleartextPassword,
        RSAPublicKey serverPublicKey,
        boolean allowPublicKeyRetrieval,
        int weight) {
    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1.." + MAX_WEIGHT + ")");
        }
    }

    /** With the default weight. */
    public ServerConfig(
            String name,
            String host,
            int port,
            ServerTls tls,
            boolean allowCleartextPassword,
            RSAPublicKey serverPublicKey,
            boolean allowPublicKeyRetrieval) {
        this(name, host, port, tls, allowCleartextPassword, serverPublicKey, allowPublicKeyRetrieval, DEFAULT_WEIGHT);
    }

    /** A server with a TLS mode and nothing else: no files, no opt-ins. */
    public ServerConfig(String name, String host, int port, TlsMode tls) {
        this(name, host, port, ServerTls.of(tls), false, null, false, DEFAULT_WEIGHT);
    }

    public String address() {
        return host + ":" + port;
    }

    /** For the start-up line: {@code tls verify-ca (ca /etc/ca.pem)[, allow-cleartext-password]...}. */
    public String describeSecurity() {
        return "tls " + tls.describe()
                + (allowCleartextPassword ? ", allow-cleartext-password" : "")
                + (serverPublicKey != null ? ", server-public-key pinned" : "")
                + (allowPublicKeyRetrieval ? ", allow-public-key-retrieval" : "");
    }
}
