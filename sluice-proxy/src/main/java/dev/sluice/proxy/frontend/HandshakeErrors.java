package dev.sluice.proxy.frontend;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * The ERR packets of the connection phase, with the codes, SQLSTATEs and texts MySQL and MariaDB use, so
 * drivers map them to the same exceptions (e.g. SQLSTATE 28000 to an authentication failure).
 */
public final class HandshakeErrors {
    /** ER_ACCESS_DENIED_ERROR. */
    public static final int ACCESS_DENIED = 1045;
    /** ER_HANDSHAKE_ERROR. */
    public static final int BAD_HANDSHAKE = 1043;
    /** ER_CON_COUNT_ERROR. */
    public static final int TOO_MANY_CONNECTIONS = 1040;
    /** ER_SECURE_TRANSPORT_REQUIRED (MySQL 5.7+; MariaDB sends the same code for require_secure_transport). */
    public static final int SECURE_TRANSPORT_REQUIRED = 3159;
    /** ER_UNKNOWN_ERROR. */
    public static final int UNKNOWN_ERROR = 1105;

    /** Every ERR of the handshake is written for a 4.1 client (Sluice refuses older ones), so with SQLSTATE. */
    static final long ERR_CAPABILITIES = Capability.CLIENT_PROTOCOL_41;

    private HandshakeErrors() {}

    /** Formatted exactly as servers do: {@code Access denied for user 'app'@'10.0.0.5' (using password: YES)}. */
    public static ErrPacket accessDenied(String user, String host, boolean usingPassword) {
        return new ErrPacket(
                ACCESS_DENIED,
                "28000",
                "Access denied for user '" + user + "'@'" + host + "' (using password: "
                        + (usingPassword ? "YES" : "NO") + ")");
    }

    /** "Bad handshake", followed by what was wrong when known. */
    public static ErrPacket badHandshake(String detail) {
        return new ErrPacket(
                BAD_HANDSHAKE,
                "08S01",
                detail == null || detail.isEmpty() ? "Bad handshake" : "Bad handshake: " + detail);
    }

    public static ErrPacket insecureTransport() {
        return new ErrPacket(
                SECURE_TRANSPORT_REQUIRED,
                "HY000",
                "Connections using insecure transport are prohibited while --require_secure_transport=ON.");
    }

    public static ErrPacket tooManyConnections() {
        return new ErrPacket(TOO_MANY_CONNECTIONS, "08004", "Too many connections");
    }

    static ErrPacket internalError(String detail) {
        return new ErrPacket(UNKNOWN_ERROR, "HY000", "Sluice: internal error during the handshake: " + detail);
    }

    /**
     * Refuses a just-accepted client over the connection limit: writes ERR 1040 (sequence id 0, in place of
     * the greeting, as servers do) and closes. Works whether or not the pipeline already holds Sluice's
     * handlers: the packet is framed here and written from the head of the pipeline, past any encoder.
     */
    public static ChannelFuture refuseTooManyConnections(Channel channel) {
        return refuse(channel, tooManyConnections());
    }

    /** Writes {@code err} framed with sequence id 0 straight to the socket, then closes. */
    public static ChannelFuture refuse(Channel channel, ErrPacket err) {
        ByteBuf payload = channel.alloc().buffer();
        ByteBuf framed;
        try {
            err.encode(payload, ERR_CAPABILITIES);
            framed = Framing.encode(payload, 0, channel.alloc());
        } finally {
            payload.release();
        }
        ChannelHandlerContext first = channel.pipeline().firstContext();
        // Writing from the first handler's context reaches only the pipeline's head: no encoder re-frames it.
        ChannelFuture future = first == null ? channel.writeAndFlush(framed) : first.writeAndFlush(framed);
        return future.addListener(ChannelFutureListener.CLOSE);
    }
}
