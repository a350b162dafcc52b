package dev.sluice.protocol.message.server;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Protocol::AuthMoreData: 0x01 then string&lt;EOF&gt; of plugin-specific data. For caching_sha2_password the
 * data is one byte, {@link #FAST_AUTH_OK} or {@link #PERFORM_FULL_AUTH}, or (after the client sent
 * {@link #REQUEST_PUBLIC_KEY}) the server's RSA public key in PEM form.
 */
public record AuthMoreData(byte[] data) {
    public static final int HEADER = 0x01;
    /** caching_sha2_password: sent BY THE CLIENT as a bare 1-byte packet, asking for the server's RSA key. */
    public static final int REQUEST_PUBLIC_KEY = 0x02;
    /** caching_sha2_password: the scramble matched the server's cache; an OK packet follows. */
    public static final int FAST_AUTH_OK = 0x03;
    /** caching_sha2_password: not in the cache; send the password (cleartext over TLS, else RSA). */
    public static final int PERFORM_FULL_AUTH = 0x04;

    public AuthMoreData {
        data = data.clone();
    }

    public static AuthMoreData of(int singleByte) {
        return new AuthMoreData(new byte[] {(byte) singleByte});
    }

    public static AuthMoreData decode(ByteBuf buf) {
        int header = Wire.readInt1(buf, "AuthMoreData header");
        if (header != HEADER) {
            throw new ProtocolException("AuthMoreData header: 0x" + Integer.toHexString(header) + " (expected: 0x01)");
        }
        return new AuthMoreData(Wire.readRestBytes(buf));
    }

    public void encode(ByteBuf buf) {
        Wire.writeInt1(buf, HEADER);
        buf.writeBytes(data);
    }

    public boolean isFastAuthOk() {
        return data.length == 1 && data[0] == FAST_AUTH_OK;
    }

    public boolean isPerformFullAuth() {
        return data.length == 1 && data[0] == PERFORM_FULL_AUTH;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthMoreData m && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AuthMoreData[" + HexFormat.of().formatHex(data) + "]";
    }
}
