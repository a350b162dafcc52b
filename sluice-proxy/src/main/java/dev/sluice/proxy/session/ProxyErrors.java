package dev.sluice.proxy.session;

import dev.sluice.backend.ServerTrustException;
import dev.sluice.protocol.message.server.ErrPacket;
import java.util.Locale;

/**
 * The ERR packets Sluice itself sends, at login and in sessions: {@link Row} is the table (code, SQLSTATE,
 * message pattern, in code order, as docs/ERRORS.md lists them for users), the methods below fill in a row. Codes
 * are the MySQL/MariaDB codes drivers already understand; where a server would answer, code, SQLSTATE and text are
 * the server's (drivers match on them, e.g. SQLSTATE 28000 for an authentication failure), and Sluice's own
 * messages say what failed and where (DESIGN invariants 9 and 11).
 *
 * <p>Every code is in the server's range. MariaDB Connector/C (the mariadb CLI and the clients built on it) reads an
 * ERR carrying a client code (2000-2999, such as CR_CONN_HOST_ERROR 2003, CR_SERVER_LOST 2013, or the 2026/2059/2061
 * a MySQL client reports for a refused TLS link or password exchange) as "Received malformed packet" and drops its
 * message (CONC-648; observed with the mariadb 10.11 CLI).
 */
public final class ProxyErrors {

    /** Sluice's errors: code, SQLSTATE, message pattern ({@link String#format} with {@code %s} only). */
    enum Row {
        /** ER_CON_COUNT_ERROR, the server's text: too many clients, no server connection, the server full. */
        TOO_MANY_CONNECTIONS(1040, "08004", "Too many connections"),
        /** ER_HANDSHAKE_ERROR: a login Sluice cannot read; the argument is {@code ": what failed"} or empty. */
        BAD_HANDSHAKE(1043, "08S01", "Bad handshake%s"),
        /** ER_ACCESS_DENIED_ERROR, the server's text. */
        ACCESS_DENIED(1045, "28000", "Access denied for user '%s'@'%s' (using password: %s)"),
        /** ER_UNKNOWN_COM_ERROR: a command byte no protocol defines. */
        UNKNOWN_COMMAND_BYTE(1047, "08S01", "sluice: unknown command byte 0x%s from the client"),
        /** ER_UNKNOWN_COM_ERROR: a command a proxy cannot relay. */
        UNSUPPORTED_COMMAND(1047, "08S01", "sluice: %s is not supported through the proxy"),
        /**
         * ER_SERVER_SHUTDOWN, the server's text and Sluice's detail: Sluice is draining (stopping); the session is
         * closed after it.
         */
        SHUTDOWN(1053, "08S01", "Server shutdown in progress (sluice: %s)"),
        /** ER_PARSE_ERROR: a statement the admin interface does not know; the arguments: it, and what it knows. */
        ADMIN_UNKNOWN_COMMAND(1064, "42000", "sluice admin: unknown command '%s'; the admin interface knows: %s"),
        /** ER_NO_SUCH_THREAD, the server's text. */
        UNKNOWN_THREAD(1094, "HY000", "Unknown thread id: %s"),
        /** ER_KILL_DENIED_ERROR, the server's text. */
        NOT_OWNER(1095, "HY000", "You are not owner of thread %s"),
        /** ER_UNKNOWN_ERROR: a failure of Sluice's own during the login. */
        HANDSHAKE_INTERNAL(1105, "HY000", "Sluice: internal error during the handshake: %s"),
        /** ER_UNKNOWN_ERROR: a failure of Sluice's own in a session; the session is closed. */
        SESSION_INTERNAL(1105, "HY000", "sluice: internal error in %s (%s); the session is closed"),
        /** ER_UNKNOWN_ERROR: an admin command naming a server that is not configured. */
        ADMIN_UNKNOWN_SERVER(1105, "HY000", "sluice admin: no server named '%s' (servers: %s)"),
        /** ER_UNKNOWN_ERROR: an admin command that could not be done (RELOAD CONFIG refused, a reader failed). */
        ADMIN_FAILED(1105, "HY000", "sluice admin: %s"),
        /** ER_NOT_ALLOWED_COMMAND: LOAD DATA LOCAL INFILE while local-infile is false. */
        LOCAL_INFILE_DISABLED(
                1148, "42000", "sluice: LOAD DATA LOCAL INFILE is disabled (set local-infile: true to relay it)"),
        /** ER_NOT_ALLOWED_COMMAND: a server asked for a file the statement did not name; the argument ends it. */
        LOCAL_INFILE_REFUSED(
                1148,
                "42000",
                "sluice: the server asked for local file '%s', which this statement did not name in a LOAD DATA LOCAL"
                        + " INFILE; refused, no file was sent%s"),
        /** ER_NET_PACKET_TOO_LARGE, the server's text and Sluice's detail. */
        PACKET_TOO_LARGE(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes (sluice: %s)"),
        /** ER_NET_READ_ERROR: the server connection failed while a statement was running (08S01: link lost). */
        SERVER_LOST(
                1158,
                "08S01",
                "sluice: lost the connection to server %s during %s%s (%s); the result is incomplete and the statement"
                        + " may or may not have run"),
        /**
         * ER_WRONG_ARGUMENTS, MariaDB's text: a COM_STMT_EXECUTE too short for what its statement needs (its
         * parameters' NULL bitmap, flag or types), as the server answers it; the argument is the server function.
         */
        WRONG_ARGUMENTS(1210, "HY000", "Incorrect arguments to %s"),
        /** ER_NOT_SUPPORTED_YET: a KILL Sluice cannot map to the right server thread; nothing of the text ran. */
        KILL_NOT_TRANSLATED(
                1235,
                "42000",
                "sluice: %s cannot be translated to the server's thread ids; nothing of this statement text was run."
                        + " Send KILL [QUERY] <id> alone, with an id from CONNECTION_ID() through Sluice"),
        /** ER_NOT_SUPPORTED_YET: what the admin interface does not do (RELOAD CONFIG without a reloader, ...). */
        ADMIN_NOT_AVAILABLE(1235, "42000", "sluice admin: %s"),
        /**
         * ER_UNKNOWN_STMT_HANDLER, MariaDB's text: a statement id the session never got from Sluice (or closed); the
         * arguments are the client's id and the server function MariaDB names (mysqld_stmt_execute, _fetch, _reset).
         */
        UNKNOWN_STATEMENT(1243, "HY000", "Unknown prepared statement handler (%s) given to %s"),
        /** ER_NOT_SUPPORTED_AUTH_MODE: Sluice will not send the password the way the server asked for it. */
        PASSWORD_EXCHANGE_REFUSED(1251, "08004", "sluice: server %s: %s"),
        /** ER_NOT_SUPPORTED_AUTH_MODE: an account loaded from the servers whose plugin Sluice cannot log in with. */
        LOADED_ACCOUNT_PLUGIN(
                1251,
                "08004",
                "sluice: the account '%s'@'%s' uses %s; accounts loaded from the servers (users-from-server) can log"
                        + " in through Sluice with mysql_native_password only (configure this user under users:)"),
        /** ER_STMT_HAS_NO_OPEN_CURSOR, the server's text, with the client's statement id. */
        NO_OPEN_CURSOR(1421, "HY000", "The statement (%s) has no open cursor"),
        /**
         * ER_CONNECT_TO_FOREIGN_DATA_SOURCE (what a server says when it cannot reach another server): no server
         * connection could be opened.
         */
        CANNOT_CONNECT(1429, "HY000", "sluice: cannot open a connection to server %s: %s"),
        /**
         * ER_CONNECT_TO_FOREIGN_DATA_SOURCE: no server takes writes (a failover that took longer than the buffer, two
         * writable servers, the buffer full); nothing was sent.
         */
        NO_WRITER(1429, "HY000", "sluice: no writer to send the statement to (%s); it was not sent"),
        /** ER_CONNECT_TO_FOREIGN_DATA_SOURCE: an operator took the server offline; nothing was sent. */
        SERVER_OFFLINE(
                1429,
                "HY000",
                "sluice: server %s is %s (set on the admin interface): it takes no new connections; the statement"
                        + " was not sent"),
        /** ER_CONNECT_TO_FOREIGN_DATA_SOURCE: the link to a server could not be set up as its tls setting asks. */
        SERVER_TLS_REFUSED(1429, "HY000", "sluice: server %s: %s"),
        /** ER_MAX_PREPARED_STMT_COUNT_REACHED, the server's text: a session holds as many statements as a server allows. */
        TOO_MANY_STATEMENTS(
                1461, "42000", "Can't create more than max_prepared_stmt_count statements (current value: %s)"),
        /** ER_MALFORMED_PACKET, the server's text and Sluice's detail. */
        MALFORMED_PACKET(1835, "08S01", "Malformed communication packet (sluice: %s)"),
        /** ER_CONNECTION_KILLED: the server connection closed while the session held state on it. */
        STATE_LOST(
                1927,
                "70100",
                "sluice: the connection to server %s closed while this session held %s there; the session is closed"),
        /** ER_CONNECTION_KILLED: the writer moved while the session held state on the old one. */
        WRITER_MOVED(
                1927,
                "70100",
                "sluice: the writer moved from server %s to %s while this session held %s there; the session is closed"),
        /** ER_CONNECTION_KILLED: an operator ended the session on the admin interface. */
        ENDED_BY_OPERATOR(1927, "70100", "sluice: an operator ended this session (%s); the session is closed"),
        /** ER_SECURE_TRANSPORT_REQUIRED (MySQL 5.7+; MariaDB sends the same code), the server's text. */
        SECURE_TRANSPORT_REQUIRED(
                3159,
                "HY000",
                "Connections using insecure transport are prohibited while --require_secure_transport=ON."),
        /** ER_ACCOUNT_HAS_BEEN_LOCKED (MariaDB 10.4+), the server's text: a loaded account with ACCOUNT LOCK. */
        ACCOUNT_LOCKED(4151, "HY000", "Access denied, this account is locked");

        final int code;
        final String sqlState;
        final String pattern;

        Row(int code, String sqlState, String pattern) {
            this.code = code;
            this.sqlState = sqlState;
            this.pattern = pattern;
        }

        ErrPacket err(Object... arguments) {
            return new ErrPacket(
                    code, sqlState, arguments.length == 0 ? pattern : String.format(Locale.ROOT, pattern, arguments));
        }
    }

    public static final int TOO_MANY_CONNECTIONS = Row.TOO_MANY_CONNECTIONS.code;
    public static final int BAD_HANDSHAKE = Row.BAD_HANDSHAKE.code;
    public static final int ACCESS_DENIED = Row.ACCESS_DENIED.code;
    public static final int UNKNOWN_COMMAND = Row.UNKNOWN_COMMAND_BYTE.code;
    public static final int SHUTDOWN = Row.SHUTDOWN.code;
    public static final int UNKNOWN_THREAD = Row.UNKNOWN_THREAD.code;
    public static final int NOT_OWNER = Row.NOT_OWNER.code;
    public static final int UNKNOWN_ERROR = Row.HANDSHAKE_INTERNAL.code;
    public static final int NOT_ALLOWED = Row.LOCAL_INFILE_DISABLED.code;
    public static final int PACKET_TOO_LARGE = Row.PACKET_TOO_LARGE.code;
    public static final int SERVER_LOST = Row.SERVER_LOST.code;
    public static final int NOT_SUPPORTED = Row.KILL_NOT_TRANSLATED.code;
    public static final int PASSWORD_EXCHANGE_REFUSED = Row.PASSWORD_EXCHANGE_REFUSED.code;
    public static final int CANNOT_CONNECT = Row.CANNOT_CONNECT.code;
    public static final int SERVER_TLS_REFUSED = Row.SERVER_TLS_REFUSED.code;
    public static final int MALFORMED_PACKET = Row.MALFORMED_PACKET.code;
    public static final int SECURE_TRANSPORT_REQUIRED = Row.SECURE_TRANSPORT_REQUIRED.code;
    public static final int SERVER_OFFLINE = Row.SERVER_OFFLINE.code;
    public static final int ENDED_BY_OPERATOR = Row.ENDED_BY_OPERATOR.code;
    public static final int ADMIN_UNKNOWN_COMMAND = Row.ADMIN_UNKNOWN_COMMAND.code;
    public static final int ACCOUNT_LOCKED = Row.ACCOUNT_LOCKED.code;

    private ProxyErrors() {}

    // ---- login (frontend) --------------------------------------------------------------------------

    /**
     * More clients than max-client-connections; no server connection for this client within acquire-timeout, or
     * the server refused Sluice's login as full. Exactly as a server sends it (drivers match on the text); Sluice's
     * detail goes to its log, not to the client.
     */
    public static ErrPacket tooManyConnections() {
        return Row.TOO_MANY_CONNECTIONS.err();
    }

    /** "Bad handshake", followed by what was wrong when known. */
    public static ErrPacket badHandshake(String detail) {
        return Row.BAD_HANDSHAKE.err(detail == null || detail.isEmpty() ? "" : ": " + detail);
    }

    /** Formatted exactly as servers do: {@code Access denied for user 'app'@'10.0.0.5' (using password: YES)}. */
    public static ErrPacket accessDenied(String user, String host, boolean usingPassword) {
        return Row.ACCESS_DENIED.err(user, host, usingPassword ? "YES" : "NO");
    }

    /** A client matched an account loaded from the servers that does not use mysql_native_password. */
    public static ErrPacket loadedAccountPlugin(String user, String host, String plugin) {
        return Row.LOADED_ACCOUNT_PLUGIN.err(user, host, plugin);
    }

    /** A client proved the password of a locked account loaded from the servers; as MariaDB words it. */
    public static ErrPacket accountLocked() {
        return Row.ACCOUNT_LOCKED.err();
    }

    public static ErrPacket internalError(String detail) {
        return Row.HANDSHAKE_INTERNAL.err(detail);
    }

    public static ErrPacket sessionInternal(String where, String detail) {
        return Row.SESSION_INTERNAL.err(where, detail);
    }

    /** tls.required and a client that did not switch to TLS. */
    public static ErrPacket insecureTransport() {
        return Row.SECURE_TRANSPORT_REQUIRED.err();
    }

    // ---- a session's server connection ---------------------------------------------------------------

    public static ErrPacket noWriter(String why) {
        return Row.NO_WRITER.err(why);
    }

    /**
     * ER_CONNECTION_KILLED: the writer moved to another server while this session held state on the old one (a
     * transaction, a pin); the session is closed.
     */
    public static ErrPacket writerMoved(String from, String to, String held) {
        return Row.WRITER_MOVED.err(from, to, held);
    }

    /**
     * ER_CONNECTION_KILLED: the server connection closed between statements while the session held state on it (a
     * transaction, a pin); the session is closed.
     */
    public static ErrPacket stateLost(String server, String held) {
        return Row.STATE_LOST.err(server, held);
    }

    public static ErrPacket cannotConnect(String server, String cause) {
        return Row.CANNOT_CONNECT.err(server, cause);
    }

    /** Sluice did not log in to a server because the link could not be trusted (DESIGN invariant 13). */
    public static ErrPacket serverNotTrusted(String server, ServerTrustException e) {
        return (e.reason() == ServerTrustException.Reason.TLS ? Row.SERVER_TLS_REFUSED : Row.PASSWORD_EXCHANGE_REFUSED)
                .err(server, e.getMessage());
    }

    /** A server's own refusal (its code, SQLSTATE and text), naming the server it came from. */
    public static ErrPacket fromServer(ErrPacket err, String server) {
        return withDetail(err, "server " + server);
    }

    /** The server's refusal of Sluice's own COM_CHANGE_USER to {@code serverUser} (its code, SQLSTATE and text). */
    public static ErrPacket fromServerChangingUser(ErrPacket err, String serverUser) {
        return withDetail(err, "changing the server connection to " + serverUser);
    }

    private static ErrPacket withDetail(ErrPacket err, String where) {
        return new ErrPacket(err.errorCode(), err.sqlState(), err.message() + " (sluice: " + where + ")");
    }

    public static ErrPacket serverLost(String server, String command, long rows, String cause) {
        return Row.SERVER_LOST.err(server, command, rows > 0 ? " after " + rows + " rows" : "", cause);
    }

    // ---- commands --------------------------------------------------------------------------------------

    public static ErrPacket unknownCommand(int code) {
        return Row.UNKNOWN_COMMAND_BYTE.err(Integer.toHexString(code));
    }

    public static ErrPacket unsupportedCommand(String command) {
        return Row.UNSUPPORTED_COMMAND.err(command);
    }

    /** ER_SERVER_SHUTDOWN: Sluice is stopping; {@code detail} says what became of the session's work. */
    public static ErrPacket shutdown(String detail) {
        return Row.SHUTDOWN.err(detail);
    }

    public static ErrPacket unknownThread(long id) {
        return Row.UNKNOWN_THREAD.err(Long.toUnsignedString(id));
    }

    /** What the server answers a KILL of another account's thread (the id is the one the client named). */
    public static ErrPacket notOwner(long id) {
        return Row.NOT_OWNER.err(Long.toUnsignedString(id));
    }

    /** A KILL Sluice cannot map to the right server thread: refused, nothing of the text ran. */
    public static ErrPacket killNotTranslated(String what) {
        return Row.KILL_NOT_TRANSLATED.err(what);
    }

    public static ErrPacket localInfileDisabled() {
        return Row.LOCAL_INFILE_DISABLED.err();
    }

    /**
     * @param moreResults statements followed the refused one in a multi-statement text: the server ran them, and
     *     their results were read and dropped (the ERR ends the response for the client)
     */
    public static ErrPacket localInfileRefused(String fileName, boolean moreResults) {
        return Row.LOCAL_INFILE_REFUSED.err(
                fileName,
                moreResults
                        ? "; the statements after it in this text ran on the server, their results were discarded"
                        : "");
    }

    // ---- prepared statements (transaction mode: Sluice's ids) ------------------------------------------------

    /** {@code where}: the server function MariaDB names (mysqld_stmt_execute, mysqld_stmt_fetch, mysqld_stmt_reset). */
    public static ErrPacket unknownStatement(long id, String where) {
        return Row.UNKNOWN_STATEMENT.err(Long.toUnsignedString(id), where);
    }

    public static ErrPacket noOpenCursor(long id) {
        return Row.NO_OPEN_CURSOR.err(Long.toUnsignedString(id));
    }

    public static ErrPacket tooManyStatements(int limit) {
        return Row.TOO_MANY_STATEMENTS.err(Integer.toString(limit));
    }

    public static ErrPacket packetTooLarge(String detail) {
        return Row.PACKET_TOO_LARGE.err(detail);
    }

    /** As MariaDB answers a statement execution it cannot read: {@code Incorrect arguments to mysqld_stmt_execute}. */
    public static ErrPacket wrongArguments(String function) {
        return Row.WRONG_ARGUMENTS.err(function);
    }

    public static ErrPacket malformed(String detail) {
        return Row.MALFORMED_PACKET.err(detail);
    }

    // ---- admin interface -------------------------------------------------------------------------

    public static ErrPacket serverOffline(String server, String state) {
        return Row.SERVER_OFFLINE.err(server, state);
    }

    /** @param how what the operator did, e.g. "KILL CONNECTION on the admin interface" */
    public static ErrPacket endedByOperator(String how) {
        return Row.ENDED_BY_OPERATOR.err(how);
    }

    public static ErrPacket adminUnknownCommand(String statement, String known) {
        return Row.ADMIN_UNKNOWN_COMMAND.err(statement, known);
    }

    public static ErrPacket adminUnknownServer(String name, String servers) {
        return Row.ADMIN_UNKNOWN_SERVER.err(name, servers);
    }

    public static ErrPacket adminFailed(String what) {
        return Row.ADMIN_FAILED.err(what);
    }

    public static ErrPacket adminNotAvailable(String what) {
        return Row.ADMIN_NOT_AVAILABLE.err(what);
    }
}
