package dev.sluice.proxy.frontend;

import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.config.UserConfig;
import io.netty.handler.ssl.SslContext;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What the client handshake needs, shared by all client connections of a listener.
 *
 * @param serverVersion the version string to advertise; the servers' own (drivers pick their dialect by it)
 * @param capabilities the capabilities to advertise; CLIENT_SSL is set here exactly when {@code sslContext} is
 *     given, whatever was passed. Start from {@link #defaultCapabilities(boolean)} and intersect with what the
 *     servers support
 * @param characterSet collation id announced in the greeting (45 utf8mb4_general_ci, or the servers')
 * @param statusFlags status in the greeting and in the final OK (normally AUTOCOMMIT)
 * @param connectionIds Sluice's own connection ids, one per client; they fit int&lt;4&gt;
 * @param users the configured user for a login name, or null for none
 * @param sslContext server-side TLS for SSLRequest, or null to offer no TLS
 * @param tlsRequired refuse clients that do not switch to TLS (ERR 3159)
 * @param defaultAuthPlugin the plugin users authenticate with: mysql_native_password or caching_sha2_password (both
 *     named in the greeting), or client_ed25519 (always through an AuthSwitchRequest: {@link #greetingAuthPlugin})
 * @param rsaKeyPair for caching_sha2_password full authentication without TLS; one per process
 * @param sha2Cache successful caching_sha2_password full authentications, enabling the fast path; one per process
 * @param handshakeTimeout from accept to the final OK (slowloris guard)
 * @param maxPacketSize largest packet accepted from a client, bounded before allocation
 */
public record FrontendSettings(
        String serverVersion,
        long capabilities,
        int characterSet,
        int statusFlags,
        LongSupplier connectionIds,
        Function<String, UserConfig> users,
        SslContext sslContext,
        boolean tlsRequired,
        String defaultAuthPlugin,
        KeyPair rsaKeyPair,
        Sha2Cache sha2Cache,
        Duration handshakeTimeout,
        int maxPacketSize) {

    /** utf8mb4_general_ci, understood by MySQL 5.5+ and every MariaDB. */
    public static final int UTF8MB4_GENERAL_CI = 45;

    public FrontendSettings {
        Objects.requireNonNull(serverVersion, "serverVersion");
        Objects.requireNonNull(connectionIds, "connectionIds");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(defaultAuthPlugin, "defaultAuthPlugin");
        Objects.requireNonNull(rsaKeyPair, "rsaKeyPair");
        Objects.requireNonNull(sha2Cache, "sha2Cache");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if ((capabilities & CapabilityPolicy.REQUIRED) != CapabilityPolicy.REQUIRED) {
            throw new IllegalArgumentException("capabilities: 0x" + Long.toHexString(capabilities)
                    + " (expected: PROTOCOL_41, SECURE_CONNECTION and PLUGIN_AUTH set)");
        }
        capabilities = CapabilityPolicy.withTls(capabilities, sslContext != null);
        if (tlsRequired && sslContext == null) {
            throw new IllegalArgumentException("tlsRequired: needs an sslContext");
        }
        if (!defaultAuthPlugin.equals(NativePassword.PLUGIN_NAME)
                && !defaultAuthPlugin.equals(CachingSha2Password.PLUGIN_NAME)
                && !defaultAuthPlugin.equals(Ed25519Password.PLUGIN_NAME)) {
            throw new IllegalArgumentException("defaultAuthPlugin: '" + defaultAuthPlugin + "' (expected: "
                    + NativePassword.PLUGIN_NAME + ", " + CachingSha2Password.PLUGIN_NAME + " or "
                    + Ed25519Password.PLUGIN_NAME + ")");
        }
        if (!(rsaKeyPair.getPublic() instanceof RSAPublicKey) || !(rsaKeyPair.getPrivate() instanceof RSAPrivateKey)) {
            throw new IllegalArgumentException(
                    "rsaKeyPair: " + rsaKeyPair.getPublic().getAlgorithm() + " (expected: an RSA key pair)");
        }
        if (characterSet < 1 || characterSet > 255) {
            throw new IllegalArgumentException("characterSet: " + characterSet + " (expected: 1..255)");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout: " + handshakeTimeout + " (expected: > 0)");
        }
        if (maxPacketSize < 1024) {
            throw new IllegalArgumentException("maxPacketSize: " + maxPacketSize + " (expected: >= 1024)");
        }
    }

    /**
     * Settings with the defaults: {@link CapabilityPolicy#offeredToClients(boolean) default capabilities} without
     * LOCAL_FILES,
     * utf8mb4_general_ci, AUTOCOMMIT, no TLS, mysql_native_password announced, a 10 s deadline, 64 MiB packets.
     */
    public static FrontendSettings defaults(
            String serverVersion, LongSupplier connectionIds, Function<String, UserConfig> users, KeyPair rsaKeyPair) {
        return new FrontendSettings(
                serverVersion,
                CapabilityPolicy.offeredToClients(false),
                UTF8MB4_GENERAL_CI,
                ServerStatus.AUTOCOMMIT,
                connectionIds,
                users,
                null,
                false,
                NativePassword.PLUGIN_NAME,
                rsaKeyPair,
                new Sha2Cache(),
                Duration.ofSeconds(10),
                64 << 20);
    }

    /**
     * The plugin the greeting names: {@link #defaultAuthPlugin}, except client_ed25519, whose 32-byte scramble does
     * not fit the greeting's 20 (MariaDB too names mysql_native_password there and switches ed25519 accounts).
     */
    public String greetingAuthPlugin() {
        return Ed25519Password.PLUGIN_NAME.equals(defaultAuthPlugin) ? NativePassword.PLUGIN_NAME : defaultAuthPlugin;
    }

    public FrontendSettings withTls(SslContext context, boolean required) {
        return new FrontendSettings(
                serverVersion,
                capabilities,
                characterSet,
                statusFlags,
                connectionIds,
                users,
                context,
                required,
                defaultAuthPlugin,
                rsaKeyPair,
                sha2Cache,
                handshakeTimeout,
                maxPacketSize);
    }

    public FrontendSettings withDefaultAuthPlugin(String plugin) {
        return new FrontendSettings(
                serverVersion,
                capabilities,
                characterSet,
                statusFlags,
                connectionIds,
                users,
                sslContext,
                tlsRequired,
                plugin,
                rsaKeyPair,
                sha2Cache,
                handshakeTimeout,
                maxPacketSize);
    }

    public FrontendSettings withHandshakeTimeout(Duration timeout) {
        return new FrontendSettings(
                serverVersion,
                capabilities,
                characterSet,
                statusFlags,
                connectionIds,
                users,
                sslContext,
                tlsRequired,
                defaultAuthPlugin,
                rsaKeyPair,
                sha2Cache,
                timeout,
                maxPacketSize);
    }

    public FrontendSettings withMaxPacketSize(int max) {
        return new FrontendSettings(
                serverVersion,
                capabilities,
                characterSet,
                statusFlags,
                connectionIds,
                users,
                sslContext,
                tlsRequired,
                defaultAuthPlugin,
                rsaKeyPair,
                sha2Cache,
                handshakeTimeout,
                max);
    }

    public FrontendSettings withCapabilities(long advertised) {
        return new FrontendSettings(
                serverVersion,
                advertised,
                characterSet,
                statusFlags,
                connectionIds,
                users,
                sslContext,
                tlsRequired,
                defaultAuthPlugin,
                rsaKeyPair,
                sha2Cache,
                handshakeTimeout,
                maxPacketSize);
    }

    public FrontendSettings withCharacterSet(int collationId) {
        return new FrontendSettings(
                serverVersion,
                capabilities,
                collationId,
                statusFlags,
                connectionIds,
                users,
                sslContext,
                tlsRequired,
                defaultAuthPlugin,
                rsaKeyPair,
                sha2Cache,
                handshakeTimeout,
                maxPacketSize);
    }

    RSAPublicKey rsaPublicKey() {
        return (RSAPublicKey) rsaKeyPair.getPublic();
    }

    RSAPrivateKey rsaPrivateKey() {
        return (RSAPrivateKey) rsaKeyPair.getPrivate();
    }

    /**
     * The caching_sha2_password RSA pair of this process. Generating one takes 0.1-1 s, on the path of the
     * first client's greeting, so it is kept with the self-signed TLS pair in the cache directory (see {@link
     * ClientTlsContexts}) and loaded from there on later starts; made and saved when missing or unreadable.
     */
    public static KeyPair processRsaKeyPair() {
        return ProcessKeys.PAIR;
    }

    private static final class ProcessKeys {
        static final KeyPair PAIR =
                RsaKeyCache.loadOrCreate(ClientTlsContexts.cacheDir().resolve("caching-sha2-rsa.der"));
    }
}
