package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * Protocol::SSLRequest: the first 32 bytes of a HandshakeResponse41 sent alone, with CLIENT_SSL set, before
 * the TLS handshake starts; the full response follows inside TLS. int&lt;4&gt; capabilities, int&lt;4&gt; max
 * packet size, int&lt;1&gt; character set, 19 filler bytes, then 4 bytes of MariaDB extended capabilities
 * (bits 32-63, only when CLIENT_MYSQL is clear; zeros otherwise).
 */
public record SslRequest(long capabilities, long maxPacketSize, int characterSet) {
    public static final int LENGTH = 32;

    /**
     * True when this client payload is an SSLRequest rather than a HandshakeResponse41: exactly 32 bytes with
     * CLIENT_SSL. A HandshakeResponse41 is never that short (it adds at least a user name NUL and an auth
     * response length), so the length alone is decisive; the flag is checked too. Consumes nothing.
     */
    public static boolean isSslRequest(ByteBuf payload) {
        return payload.readableBytes() == LENGTH
                && Capability.has(payload.getUnsignedIntLE(payload.readerIndex()), Capability.CLIENT_SSL);
    }

    public static SslRequest decode(ByteBuf buf) {
        long capabilities = Wire.readInt4(buf, "SSLRequest capability_flags");
        long maxPacket = Wire.readInt4(buf, "SSLRequest max_packet_size");
        int charset = Wire.readInt1(buf, "SSLRequest character_set");
        Wire.skip(buf, 19, "SSLRequest filler");
        long extended = Wire.readInt4(buf, "SSLRequest mariadb_extended_capabilities");
        if (!Capability.has(capabilities, Capability.CLIENT_MYSQL)) {
            capabilities |= extended << 32;
        }
        return new SslRequest(capabilities, maxPacket, charset);
    }

    public void encode(ByteBuf buf) {
        Wire.writeInt4(buf, Capability.standard(capabilities));
        Wire.writeInt4(buf, maxPacketSize);
        Wire.writeInt1(buf, characterSet);
        buf.writeZero(19);
        Wire.writeInt4(
                buf,
                Capability.has(capabilities, Capability.CLIENT_MYSQL) ? 0 : Capability.mariadbExtended(capabilities));
    }
}
