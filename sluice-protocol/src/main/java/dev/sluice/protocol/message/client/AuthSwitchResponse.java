package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Protocol::AuthSwitchResponse: string&lt;EOF&gt;, the auth data computed by the plugin the server switched
 * to. No header byte, so it can only be recognised by its position in the exchange.
 */
public record AuthSwitchResponse(byte[] data) {
    public AuthSwitchResponse {
        data = data.clone();
    }

    public static AuthSwitchResponse decode(ByteBuf buf) {
        return new AuthSwitchResponse(Wire.readRestBytes(buf));
    }

    public void encode(ByteBuf buf) {
        buf.writeBytes(data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthSwitchResponse r && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AuthSwitchResponse[" + HexFormat.of().formatHex(data) + "]";
    }
}
