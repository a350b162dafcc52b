package dev.sluice.proxy.session;

import dev.sluice.backend.ServerTrustException;
import dev.sluice.protocol.message.server.ErrPacket;

/**
 * The ERR packets Sluice itself sends. Codes are the MySQL/MariaDB codes drivers already understand; the
 * messages say what failed and where (DESIGN invariant 9). Listed for users in docs/ERRORS.md.
 */
public final class ProxyErrors {
    /**
     * ER_CONNECT_TO_FOREIGN_DATA_SOURCE (what a server says when it cannot reach another server): no server
     * connection could be opened. Sluice's codes are all in the server's range: MariaDB Connector/C (the mariadb
     * CLI and the clients built on it) reads an ERR carrying a client code (2000-2999, such as CR_CONN_HOST_ERROR
     * 2003 or CR_SERVER_LOST 2013) as "Received malformed packet" and drops its message (CONC-648).
     */
    public static final int CANNOT_CONNECT = 1429;
    /** ER_NET_READ_ERROR: the server connection failed while a statement was running (SQLSTATE 08S01: link lost). */
    public static final int SERVER_LOST = 1158;
    /** ER_UNKNOWN_COM_ERROR. */
    public static final int UNKNOWN_COMMAND = 1047;
    /** ER_NO_SUCH_THREAD. */
    public static final int UNKNOWN_THREAD = 1094;
    /** ER_KILL_DENIED_ERROR. */
    public static final int NOT_OWNER = 1095;
    /** ER_NOT_SUPPORTED_YET. */
    public static final int NOT_SUPPORTED = 1235;
    /** ER_NOT_ALLOWED_COMMAND. */
    public static final int NOT_ALLOWED = 1148;
    /** ER_NET_PACKET_TOO_LARGE. */
    public static final int PACKET_TOO_LARGE = 1153;
    /** ER_MALFORMED_PACKET. */
    public static final int MALFORMED_PACKET = 1835;

    private ProxyErrors() {}

    public static ErrPacket cannotConnect(String server, String cause) {
        return new ErrPacket(
                CANNOT_CONNECT, "HY000", "sluice: cannot open a connection to server " + server + ": " + cause);
    }

    /** ER_CONNECT_TO_FOREIGN_DATA_SOURCE: the link to a server could not be set up as its tls setting asks. */
    public static final int SERVER_TLS_REFUSED = 1429;
    /** ER_NOT_SUPPORTED_AUTH_MODE: Sluice will not send the password the way the server asked for it. */
    public static final int PASSWORD_EXCHANGE_REFUSED = 1251;

    /**
     * Sluice did not log in to a server because the link could not be trusted (DESIGN invariant 13). Server-range
     * codes, not the 2026/2059/2061 a MySQL client would report for itself: clients built on MariaDB Connector/C
     * (the mariadb CLI among them) read an ERR packet with a code in the client range 2000-2999 as "Received
     * malformed packet" (2027) and lose the message (observed with the mariadb 10.11 CLI).
     */
    public static ErrPacket serverNotTrusted(String server, ServerTrustException e) {
        return e.reason() == ServerTrustException.Reason.TLS
                ? new ErrPacket(SERVER_TLS_REFUSED, "HY000", "sluice: server " + server + ": " + e.getMessage())
                : new ErrPacket(PASSWORD_EXCHANGE_REFUSED, "08004", "sluice: server " + server + ": " + e.getMessage());
    }

    /** A server's own refusal (its code, SQLSTATE and text), naming the server it came from. */
    public static ErrPacket fromServer(ErrPacket err, String server) {
        return new ErrPacket(err.errorCode(), err.sqlState(), err.message() + " (sluice: server " + server + ")");
    }

    /**
     * ER_CON_COUNT_ERROR, exactly as a server sends it (drivers match on the text): no server connection for
     * this client within acquire-timeout, or the server refused Sluice's login as full. Sluice's detail goes
     * to its log, not to the client.
     */
    public static ErrPacket tooManyConnections() {
        return new ErrPacket(1040, "08004", "Too many connections");
    }

    public static ErrPacket serverLost(String server, String command, long rows, String cause) {
        return new ErrPacket(
                SERVER_LOST,
                "08S01",
                "sluice: lost the connection to server " + server + " during "
                        + command + (rows > 0 ? " after " + rows + " rows" : "") + " (" + cause
                        + "); the result is incomplete and the statement may or may not have run");
    }

    public static ErrPacket unknownCommand(int code) {
        return new ErrPacket(
                UNKNOWN_COMMAND,
                "08S01",
                "sluice: unknown command byte 0x" + Integer.toHexString(code) + " from the client");
    }

    public static ErrPacket unsupportedCommand(String command) {
        return new ErrPacket(UNKNOWN_COMMAND, "08S01", "sluice: " + command + " is not supported through the proxy");
    }

    public static ErrPacket unknownThread(long id) {
        return new ErrPacket(UNKNOWN_THREAD, "HY000", "Unknown thread id: " + Long.toUnsignedString(id));
    }

    /** What the server answers a KILL of another account's thread (the id is the one the client named). */
    public static ErrPacket notOwner(long id) {
        return new ErrPacket(NOT_OWNER, "HY000", "You are not owner of thread " + Long.toUnsignedString(id));
    }

    /** A KILL Sluice cannot map to the right server thread: refused, nothing of the text ran. */
    public static ErrPacket killNotTranslated(String what) {
        return new ErrPacket(
                NOT_SUPPORTED,
                "42000",
                "sluice: " + what + " cannot be translated to the server's"
                        + " thread ids; nothing of this statement text was run. Send KILL [QUERY] <id> alone, with an id from"
                        + " CONNECTION_ID() through Sluice");
    }

    public static ErrPacket localInfileDisabled() {
        return new ErrPacket(
                NOT_ALLOWED,
                "42000",
                "sluice: LOAD DATA LOCAL INFILE is disabled (set local-infile: true to relay it)");
    }

    /**
     * @param moreResults statements followed the refused one in a multi-statement text: the server ran them, and
     *     their results were read and dropped (the ERR ends the response for the client)
     */
    public static ErrPacket localInfileRefused(String fileName, boolean moreResults) {
        return new ErrPacket(
                NOT_ALLOWED,
                "42000",
                "sluice: the server asked for local file '" + fileName
                        + "', which this statement did not name in a LOAD DATA LOCAL INFILE; refused, no file was sent"
                        + (moreResults
                                ? "; the statements after it in this text ran on the server, their results were"
                                        + " discarded"
                                : ""));
    }

    public static ErrPacket packetTooLarge(String detail) {
        return new ErrPacket(
                PACKET_TOO_LARGE,
                "08S01",
                "Got a packet bigger than 'max_allowed_packet' bytes (sluice: " + detail + ")");
    }

    public static ErrPacket malformed(String detail) {
        return new ErrPacket(MALFORMED_PACKET, "08S01", "Malformed communication packet (sluice: " + detail + ")");
    }
}
