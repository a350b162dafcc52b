package dev.sluice.proxy;

import dev.sluice.protocol.Capability;

/**
 * Every capability decision of Sluice's, in one place: what its greeting offers clients (from the server's greeting
 * and the configuration), what the login requires of them, and what a session asks of a server for its client. A
 * client negotiates the intersection of the greeting and its own flags (ClientHandshakeHandler); a server
 * connection then gets that set, limited to what sessions relay, so client and server agree wherever a bit changes
 * the bytes Sluice relays. Where they may still differ (CLIENT_DEPRECATE_EOF: a server without it), the relay
 * translates.
 *
 * <p>Sluice's own server connections that no client's flags shape (the KILL QUERY connection) ask for the
 * backend's defaults; the backend adds CLIENT_SSL and CLIENT_CONNECT_WITH_DB itself, from the server's
 * tls setting and the database asked for, whatever the set asked here.
 *
 * <p>One instance per proxy carries a test hook: bits never asked of servers, so that a test can make a server look
 * older (without CLIENT_DEPRECATE_EOF, say) and exercise the relay's translation; none in production.
 */
public final class CapabilityPolicy {

    /**
     * What Sluice's greeting offers clients before the server's greeting, the configuration and TLS narrow it
     * ({@link #greeting}). Each bit, and why:
     *
     * <ul>
     *   <li>LONG_PASSWORD (= CLIENT_MYSQL): as every server; a MariaDB server clears it in its greeting, and the
     *       intersection carries that over, so that MariaDB clients then read the extended bits.
     *   <li>FOUND_ROWS, IGNORE_SPACE, INTERACTIVE, MULTI_RESULTS, PS_MULTI_RESULTS, SESSION_TRACK: change only what
     *       the server does or sends (affected-rows meaning, parsing, timeout, CALL results, state in OKs); the
     *       session asks the server for the client's choice and relays the bytes.
     *   <li>LONG_FLAG, TRANSACTIONS: 4.1 column flags and status flags, which Sluice reads and relays.
     *   <li>CONNECT_WITH_DB: the session opens its server connection in the database asked for.
     *   <li>PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH: the login relies on them ({@link #REQUIRED}).
     *   <li>MULTI_STATEMENTS: relayed; Sluice's statement scanner splits multi-statement texts where it must look.
     *   <li>CONNECT_ATTRS: read at login (the server connection carries Sluice's own attributes).
     *   <li>PLUGIN_AUTH_LENENC_CLIENT_DATA: auth responses over 250 bytes (an RSA-encrypted password).
     *   <li>DEPRECATE_EOF: offered always; the relay translates for a server without it.
     *   <li>CAN_HANDLE_EXPIRED_PASSWORDS: a client that says it can handle an expired password gets its server login
     *       asked the same way, so an expired server account puts it in sandbox mode as directly.
     * </ul>
     *
     * <p>Added when they apply: LOCAL_FILES with {@code local-infile: true} ({@link #offeredToClients}), SSL when
     * Sluice has a TLS context for clients ({@link #withTls}), MariaDB's extensions when the server has them
     * ({@link #greeting}), COMPRESS and ZSTD_COMPRESSION_ALGORITHM with {@code compression.clients: true} ({@link
     * #withCompression}: Sluice compresses the client's link itself, whatever the server link does). Never offered:
     * OPTIONAL_RESULTSET_METADATA (the relay needs the column definitions), QUERY_ATTRIBUTES (it changes the layout
     * of COM_QUERY, which Sluice reads), MULTI_FACTOR_AUTHENTICATION, CAPABILITY_EXTENSION, and the bits servers do
     * not act on (NO_SCHEMA, ODBC, IGNORE_SIGPIPE, RESERVED, SSL_VERIFY_SERVER_CERT, REMEMBER_OPTIONS).
     */
    public static final long OFFERED_TO_CLIENTS = Capability.CLIENT_LONG_PASSWORD
            | Capability.CLIENT_FOUND_ROWS
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_IGNORE_SPACE
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_INTERACTIVE
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK
            | Capability.CLIENT_DEPRECATE_EOF
            | Capability.CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS;

    /** What the login itself relies on (4.1 packets, 4.1 auth, auth switch); a greeting offering less is refused. */
    public static final long REQUIRED =
            Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_PLUGIN_AUTH;

    /**
     * What Sluice assumes of a client before it negotiated anything: 4.1 (older clients are refused), so every ERR
     * of the handshake carries a SQLSTATE.
     */
    public static final long BEFORE_LOGIN = Capability.CLIENT_PROTOCOL_41;

    /**
     * What a session asks of a server at most: every standard bit a client can negotiate except those Sluice does
     * not relay (COMPRESS and ZSTD: each link's compression is its own, see {@code compression.servers};
     * OPTIONAL_RESULTSET_METADATA, QUERY_ATTRIBUTES, MULTI_FACTOR_AUTHENTICATION,
     * CAPABILITY_EXTENSION), SSL (the link to a server is Sluice's own, set by the server's tls setting) and
     * SSL_VERIFY_SERVER_CERT (a client-side option, not a protocol bit); and the MariaDB extensions sessions relay:
     * progress reports, COM_STMT_BULK_EXECUTE, extended metadata.
     */
    public static final long RELAYABLE = 0xFFFF_FFFFL
                    & ~(Capability.CLIENT_COMPRESS
                            | Capability.CLIENT_SSL
                            | Capability.CLIENT_OPTIONAL_RESULTSET_METADATA
                            | Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM
                            | Capability.CLIENT_QUERY_ATTRIBUTES
                            | Capability.MULTI_FACTOR_AUTHENTICATION
                            | Capability.CLIENT_CAPABILITY_EXTENSION
                            | Capability.CLIENT_SSL_VERIFY_SERVER_CERT)
            | Capability.MARIADB_CLIENT_PROGRESS
            | Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS
            | Capability.MARIADB_CLIENT_EXTENDED_METADATA;

    private final long neverAskServers;

    /** @param neverAskServers bits a session never asks of a server (a test hook); 0 in production */
    public CapabilityPolicy(long neverAskServers) {
        this.neverAskServers = neverAskServers;
    }

    /** {@link #OFFERED_TO_CLIENTS}, plus CLIENT_LOCAL_FILES when LOAD DATA LOCAL INFILE is enabled. */
    public static long offeredToClients(boolean localFiles) {
        return OFFERED_TO_CLIENTS | (localFiles ? Capability.CLIENT_LOCAL_FILES : 0);
    }

    /**
     * What Sluice's greeting offers, TLS aside ({@link #withTls}): {@link #offeredToClients} and the MariaDB
     * extensions sessions relay, and of those only what the server's greeting has: never promise a client what the
     * server behind cannot do. A MariaDB server clears CLIENT_MYSQL in its greeting, which the intersection carries
     * over, so the greeting then sends the extended bits.
     */
    public static long greeting(long serverCapabilities, boolean localFiles) {
        long offered = offeredToClients(localFiles) | (RELAYABLE & ~0xFFFF_FFFFL);
        // SSL is Sluice's own business with the client, whatever the server offers
        return offered & (serverCapabilities | Capability.CLIENT_SSL);
    }

    /**
     * CLIENT_COMPRESS (zlib) and CLIENT_ZSTD_COMPRESSION_ALGORITHM offered exactly when {@code compression.clients}
     * allows: a client that asks gets its link compressed after the login, independently of the server link.
     */
    public static long withCompression(long capabilities, boolean offer) {
        long bits = Capability.CLIENT_COMPRESS | Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM;
        return offer ? capabilities | bits : capabilities & ~bits;
    }

    /** CLIENT_SSL offered exactly when Sluice can switch a client to TLS. */
    public static long withTls(long capabilities, boolean tls) {
        return tls ? capabilities | Capability.CLIENT_SSL : capabilities & ~Capability.CLIENT_SSL;
    }

    /**
     * What a session asks of a server for a client that negotiated {@code client}: the same bits wherever Sluice
     * relays them ({@link #RELAYABLE}), so the server's bytes are what the client expects; PROTOCOL_41 forced, the
     * only protocol Sluice speaks to servers.
     */
    public long forServer(long client) {
        return (client & RELAYABLE & ~neverAskServers) | Capability.CLIENT_PROTOCOL_41;
    }
}
