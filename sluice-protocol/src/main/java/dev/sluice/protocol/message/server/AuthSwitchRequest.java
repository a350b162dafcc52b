package dev.sluice.protocol.message.server;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Protocol::AuthSwitchRequest: 0xFE, string&lt;NUL&gt; plugin name, string&lt;EOF&gt; plugin data. The
 * server asks the client to authenticate again with another plugin and a fresh scramble. MySQL and MariaDB
 * append a NUL to a 20-byte scramble (21 bytes of data); {@link #pluginData()} keeps the bytes as sent,
 * {@link #scramble()} drops that one trailing NUL.
 *
 * <p>In the connection phase 0xFE is unambiguous (there is no EOF packet there).
 */
public record AuthSwitchRequest(String pluginName, byte[] pluginData) {
    public static final int HEADER = 0xFE;

    public AuthSwitchRequest {
        pluginData = pluginData.clone();
    }

    public static AuthSwitchRequest decode(ByteBuf buf) {
        int header = Wire.readInt1(buf, "AuthSwitchRequest header");
        if (header != HEADER) {
            throw new ProtocolException(
                    "AuthSwitchRequest header: 0x" + Integer.toHexString(header) + " (expected: 0xfe)");
        }
        String plugin = Wire.readNulString(buf, StandardCharsets.UTF_8, "AuthSwitchRequest plugin_name");
        return new AuthSwitchRequest(plugin, Wire.readRestBytes(buf));
    }

    public void encode(ByteBuf buf) {
        Wire.writeInt1(buf, HEADER);
        Wire.writeNulString(buf, pluginName, StandardCharsets.UTF_8);
        buf.writeBytes(pluginData);
    }

    /** The plugin data without the one trailing NUL servers append. */
    public byte[] scramble() {
        return dropTrailingNul(pluginData);
    }

    static byte[] dropTrailingNul(byte[] data) {
        if (data.length > 0 && data[data.length - 1] == 0) {
            return Arrays.copyOf(data, data.length - 1);
        }
        return data.clone();
    }

    @Override
    public byte[] pluginData() {
        return pluginData.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthSwitchRequest r
                && pluginName.equals(r.pluginName)
                && Arrays.equals(pluginData, r.pluginData);
    }

    @Override
    public int hashCode() {
        return 31 * pluginName.hashCode() + Arrays.hashCode(pluginData);
    }

    @Override
    public String toString() {
        return "AuthSwitchRequest[pluginName=" + pluginName + ", pluginData="
                + HexFormat.of().formatHex(pluginData) + "]";
    }
}
