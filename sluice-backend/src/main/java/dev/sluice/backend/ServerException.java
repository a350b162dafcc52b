package dev.sluice.backend;

import dev.sluice.protocol.message.server.ErrPacket;

/** The server answered with an ERR packet; code, SQLSTATE and message are the server's. */
public final class ServerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrPacket err;

    public ServerException(ErrPacket err, String context) {
        super(context + ": " + err);
        this.err = err;
    }

    public ErrPacket err() {
        return err;
    }

    public int errorCode() {
        return err.errorCode();
    }

    public String sqlState() {
        return err.sqlState();
    }
}
