package dev.sluice.backend;

import dev.sluice.protocol.compress.Compression;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to open and log in to one server connection.
 *
 * @param connectTimeout one deadline over TCP connect, TLS, greeting and authentication (DESIGN invariant 6)
 * @param maxPacketSize the largest logical packet accepted from the server; larger is a protocol error
 * @param collationId the character set/collation sent in the login packet (45 = utf8mb4_general_ci)
 * @param deprecateEof ask for CLIENT_DEPRECATE_EOF (result sets end with an OK instead of EOF)
 * @param tls whether and how to use TLS, and whether to verify the server's certificate
 * @param serverPublicKey caching_sha2_password's RSA key when known in advance (pinned); may be null
 * @param allowPublicKeyRetrieval caching_sha2_password without TLS may ask the server for its RSA key (a peer on
 *     the path could answer with its own key and read the password: only with an explicit opt-in)
 * @param allowCleartextPassword the password may be sent as is (mysql_clear_password, caching_sha2_password full
 *     authentication over TLS) even when the server's certificate was not verified (DESIGN invariant 13)
 * @param capabilities the capabilities to ask for, or 0 for this client's own set (a proxy passes what its
 *     client negotiated, so responses need no translation); intersected with the server's either way
 * @param sessionTracking a connection whose sessions move between connections (pool.mode transaction): ask for
 *     CLIENT_SESSION_TRACK whatever {@code capabilities} says, and have the pool turn on the server's trackers at
 *     set-up and after each reset ({@link SessionTracking})
 * @param passwordSha1 instead of {@code password}: SHA1(password), all mysql_native_password needs to log in (what
 *     Sluice recovers from a client's answer for an account loaded from the servers); null when the password is
 *     given. With it, a server asking for any other plugin is refused ({@link ServerTrustException}). Not copied:
 *     callers do not modify it
 * @param compression the compressed protocol to ask for after the login, or null for none: zlib when the server
 *     offers CLIENT_COMPRESS; zstd when it offers CLIENT_ZSTD_COMPRESSION_ALGORITHM, else zlib as above
 * @param compressionLevel the level Sluice compresses at (and, for zstd, the level byte of the login); 0 for the
 *     algorithm's default
 */
public record ConnectOptions(
        String host,
        int port,
        String user,
        String password,
        String database,
        ServerTls tls,
        Duration connectTimeout,
        int maxPacketSize,
        int collationId,
        boolean deprecateEof,
        RSAPublicKey serverPublicKey,
        boolean allowPublicKeyRetrieval,
        boolean allowCleartextPassword,
        Map<String, String> connectAttributes,
        long capabilities,
        boolean sessionTracking,
        byte[] passwordSha1,
        Compression compression,
        int compressionLevel) {

    public ConnectOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        password = password == null ? "" : password;
        connectAttributes = Map.copyOf(connectAttributes);
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** Copies these options into a builder, e.g. to change the user. */
    public Builder toBuilder() {
        Builder b = new Builder(host, port);
        b.user = user;
        b.password = password;
        b.database = database;
        b.tls = tls;
        b.connectTimeout = connectTimeout;
        b.maxPacketSize = maxPacketSize;
        b.collationId = collationId;
        b.deprecateEof = deprecateEof;
        b.serverPublicKey = serverPublicKey;
        b.allowPublicKeyRetrieval = allowPublicKeyRetrieval;
        b.allowCleartextPassword = allowCleartextPassword;
        b.connectAttributes.clear();
        b.connectAttributes.putAll(connectAttributes);
        b.capabilities = capabilities;
        b.sessionTracking = sessionTracking;
        b.passwordSha1 = passwordSha1;
        b.compression = compression;
        b.compressionLevel = compressionLevel;
        return b;
    }

    /** Builder with defaults: no TLS, 10 s connect deadline, 64 MiB packets, utf8mb4, DEPRECATE_EOF on. */
    public static final class Builder {
        private final String host;
        private final int port;
        private String user = "root";
        private String password = "";
        private String database;
        private ServerTls tls = ServerTls.DISABLED;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxPacketSize = 64 << 20;
        private int collationId = 45;
        private boolean deprecateEof = true;
        private RSAPublicKey serverPublicKey;
        private boolean allowPublicKeyRetrieval;
        private boolean allowCleartextPassword;
        private final Map<String, String> connectAttributes = new LinkedHashMap<>();
        private long capabilities;
        private boolean sessionTracking;
        private byte[] passwordSha1;
        private Compression compression;
        private int compressionLevel;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
            connectAttributes.put("_client_name", "sluice");
        }

        public Builder user(String user, String password) {
            this.user = user;
            this.password = password;
            this.passwordSha1 = null;
            return this;
        }

        /** The user and SHA1(password) instead of the password: mysql_native_password only. */
        public Builder userWithPasswordSha1(String user, byte[] passwordSha1) {
            this.user = user;
            this.password = "";
            this.passwordSha1 = passwordSha1;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        /** A mode without files: no CA bundle (the JVM's trust store), no client certificate. */
        public Builder tls(TlsMode tls) {
            return tls(ServerTls.of(tls));
        }

        public Builder tls(ServerTls tls) {
            this.tls = tls;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder maxPacketSize(int maxPacketSize) {
            this.maxPacketSize = maxPacketSize;
            return this;
        }

        public Builder collationId(int collationId) {
            this.collationId = collationId;
            return this;
        }

        public Builder deprecateEof(boolean deprecateEof) {
            this.deprecateEof = deprecateEof;
            return this;
        }

        public Builder serverPublicKey(RSAPublicKey key) {
            this.serverPublicKey = key;
            return this;
        }

        public Builder allowPublicKeyRetrieval(boolean allow) {
            this.allowPublicKeyRetrieval = allow;
            return this;
        }

        public Builder allowCleartextPassword(boolean allow) {
            this.allowCleartextPassword = allow;
            return this;
        }

        public Builder connectAttribute(String key, String value) {
            connectAttributes.put(key, value);
            return this;
        }

        /** Ask for exactly these capabilities (SSL and CONNECT_WITH_DB are still decided by tls and database). */
        public Builder capabilities(long capabilities) {
            this.capabilities = capabilities;
            return this;
        }

        /** Server session tracking on this connection, for sessions that move (see {@link SessionTracking}). */
        public Builder sessionTracking(boolean sessionTracking) {
            this.sessionTracking = sessionTracking;
            return this;
        }

        /** The compressed protocol after the login (null: none), at {@code level} (0: the algorithm's default). */
        public Builder compression(Compression compression, int level) {
            this.compression = compression;
            this.compressionLevel = level;
            return this;
        }

        public ConnectOptions build() {
            return new ConnectOptions(
                    host,
                    port,
                    user,
                    password,
                    database,
                    tls,
                    connectTimeout,
                    maxPacketSize,
                    collationId,
                    deprecateEof,
                    serverPublicKey,
                    allowPublicKeyRetrieval,
                    allowCleartextPassword,
                    connectAttributes,
                    capabilities,
                    sessionTracking,
                    passwordSha1,
                    compression,
                    compressionLevel);
        }
    }
}
