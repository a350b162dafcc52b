package dev.sluice.proxy.session;

import dev.sluice.protocol.message.server.ErrPacket;

/**
 * The ERR packets Sluice itself sends. Codes are the MySQL/MariaDB codes drivers already understand; the
 * messages say what failed and where (DESIGN invariant 9). Listed for users in docs/ERRORS.md.
 */
public final class ProxyErrors {
    /** CR_CONN_HOST_ERROR: no server connection could be opened. */
    public static final int CANNOT_CONNECT = 2003;
    /** CR_SERVER_LOST: the server connection failed while a statement was running. */
    public static final int SERVER_LOST = 2013;
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
        return new ErrPacket(CANNOT_CONNECT, "HY000", "sluice: cannot open a connection to server " + server + ": " + cause);
    }

    /** ER_CON_COUNT_ERROR: the pool for this server and user stayed at its limit for acquire-timeout. */
    public static ErrPacket poolExhausted(String detail) {
        return new ErrPacket(1040, "08004", "sluice: too many connections: " + detail);
    }

    public static ErrPacket serverLost(String server, String command, long rows, String cause) {
        return new ErrPacket(SERVER_LOST, "08S01", "sluice: lost the connection to server " + server + " during "
                + command + (rows > 0 ? " after " + rows + " rows" : "") + " (" + cause
                + "); the result is incomplete and the statement may or may not have run");
    }

    public static ErrPacket unknownCommand(int code) {
        return new ErrPacket(UNKNOWN_COMMAND, "08S01",
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
        return new ErrPacket(NOT_SUPPORTED, "42000", "sluice: " + what + " cannot be translated to the server's"
                + " thread ids; nothing of this statement text was run. Send KILL [QUERY] <id> alone, with an id from"
                + " CONNECTION_ID() through Sluice");
    }

    public static ErrPacket localInfileDisabled() {
        return new ErrPacket(NOT_ALLOWED, "42000",
                "sluice: LOAD DATA LOCAL INFILE is disabled (set local-infile: true to relay it)");
    }

    /**
     * @param moreResults statements followed the refused one in a multi-statement text: the server ran them, and
     *     their results were read and dropped (the ERR ends the response for the client)
     */
    public static ErrPacket localInfileRefused(String fileName, boolean moreResults) {
        return new ErrPacket(NOT_ALLOWED, "42000", "sluice: the server asked for local file '" + fileName
                + "', which this statement did not name in a LOAD DATA LOCAL INFILE; refused, no file was sent"
                + (moreResults ? "; the statements after it in this text ran on the server, their results were"
                        + " discarded" : ""));
    }

    public static ErrPacket packetTooLarge(String detail) {
        return new ErrPacket(PACKET_TOO_LARGE, "08S01",
                "Got a packet bigger than 'max_allowed_packet' bytes (sluice: " + detail + ")");
    }

    public static ErrPacket malformed(String detail) {
        return new ErrPacket(MALFORMED_PACKET, "08S01", "Malformed communication packet (sluice: " + detail + ")");
    }
}
