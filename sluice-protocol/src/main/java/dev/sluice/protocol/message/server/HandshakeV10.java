package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Protocol::HandshakeV10, the server's greeting.
 *
 * <p>Layout: int&lt;1&gt; 10, string&lt;NUL&gt; server version, int&lt;4&gt; connection id, 8 bytes of
 * auth-plugin-data, 0x00, capability bits 0-15, character set, status flags, capability bits 16-31,
 * int&lt;1&gt; auth-plugin-data length (0 without CLIENT_PLUGIN_AUTH), 6 reserved bytes, 4 bytes that
 * MariaDB uses for its extended capabilities (bits 32-63, only when CLIENT_MYSQL is clear; MySQL sends zeros),
 * auth-plugin-data part 2 of MAX(13, length - 8) bytes, then the plugin name.
 *
 * <p>Servers send a 20-byte scramble followed by a NUL (so part 2 is 12 bytes + NUL = 13 and the declared
 * length 21); {@link #authPluginData()} keeps what was sent, {@link #scramble()} drops the trailing NUL.
 * Some servers omit the plugin name's terminating NUL at the end of the packet; that is accepted.
 *
 * <p>A server that refuses a connection outright (too many connections, host blocked) sends an ERR packet
 * (0xFF) instead of a greeting, before any capabilities are agreed; check for it first with
 * {@link ErrPacket}.
 *
 * @param capabilities full 64-bit set, see {@link Capability}
 * @param authPluginData part 1 and part 2 as sent, usually 21 bytes ending in NUL
 * @param authPluginName empty when the server does not support CLIENT_PLUGIN_AUTH
 */
public record HandshakeV10(
        String serverVersion,
        long connectionId,
        byte[] authPluginData,
        long capabilities,
        int characterSet,
        int statusFlags,
        String authPluginName) {

    public static final int PROTOCOL_VERSION = 10;
    private static final int PART1_LENGTH = 8;
    private static final int MIN_PART2_LENGTH = 13;

    public HandshakeV10 {
        if (authPluginData.length < PART1_LENGTH) {
            throw new IllegalArgumentException(
                    "authPluginData: " + authPluginData.length + " bytes (expected: >= " + PART1_LENGTH + ")");
        }
        authPluginData = authPluginData.clone();
    }

    public static HandshakeV10 decode(ByteBuf buf) {
        int version = Wire.readInt1(buf, "HandshakeV10 protocol_version");
        if (version != PROTOCOL_VERSION) {
            throw new ProtocolException("HandshakeV10 protocol_version: " + version + " (expected: 10"
                    + (version == ErrPacket.HEADER ? "; 0xff is an ERR packet" : "") + ")");
        }
        String serverVersion = Wire.readNulString(buf, StandardCharsets.UTF_8, "HandshakeV10 server_version");
        long connectionId = Wire.readInt4(buf, "HandshakeV10 connection_id");
        byte[] part1 = Wire.readFixedBytes(buf, PART1_LENGTH, "HandshakeV10 auth_plugin_data_part_1");
        Wire.skip(buf, 1, "HandshakeV10 filler");
        long capabilities = Wire.readInt2(buf, "HandshakeV10 capability_flags_1");
        if (!buf.isReadable()) {
            // Pre-4.1 servers may end the greeting here.
            return new HandshakeV10(serverVersion, connectionId, part1, capabilities, 0, 0, "");
        }
        int characterSet = Wire.readInt1(buf, "HandshakeV10 character_set");
        int statusFlags = Wire.readInt2(buf, "HandshakeV10 status_flags");
        capabilities |= ((long) Wire.readInt2(buf, "HandshakeV10 capability_flags_2")) << 16;
        int dataLength = Wire.readInt1(buf, "HandshakeV10 auth_plugin_data_len");
        Wire.skip(buf, 6, "HandshakeV10 reserved");
        long extended = Wire.readInt4(buf, "HandshakeV10 mariadb_extended_capabilities");
        if (!Capability.has(capabilities, Capability.CLIENT_MYSQL)) {
            capabilities |= extended << 32;
        }
        byte[] data = part1;
        if (Capability.has(capabilities, Capability.CLIENT_SECURE_CONNECTION) || buf.isReadable()) {
            int part2Length = Math.max(MIN_PART2_LENGTH, dataLength - PART1_LENGTH);
            byte[] part2 = Wire.readFixedBytes(buf, part2Length, "HandshakeV10 auth_plugin_data_part_2");
            data = Arrays.copyOf(part1, PART1_LENGTH + part2Length);
            System.arraycopy(part2, 0, data, PART1_LENGTH, part2Length);
        }
        String pluginName = "";
        if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH)) {
            pluginName = readNulOrRest(buf);
        }
        return new HandshakeV10(serverVersion, connectionId, data, capabilities, characterSet, statusFlags, pluginName);
    }

    /** string&lt;NUL&gt;, or the rest of the packet when the NUL is missing (seen from some servers). */
    static String readNulOrRest(ByteBuf buf) {
        if (buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0) < 0) {
            return Wire.readRestString(buf, StandardCharsets.UTF_8);
        }
        return Wire.readNulString(buf, StandardCharsets.UTF_8, "HandshakeV10 auth_plugin_name");
    }

    public void encode(ByteBuf buf) {
        Wire.writeInt1(buf, PROTOCOL_VERSION);
        Wire.writeNulString(buf, serverVersion, StandardCharsets.UTF_8);
        Wire.writeInt4(buf, connectionId);
        buf.writeBytes(authPluginData, 0, PART1_LENGTH);
        Wire.writeInt1(buf, 0);
        Wire.writeInt2(buf, (int) capabilities & 0xFFFF);
        Wire.writeInt1(buf, characterSet);
        Wire.writeInt2(buf, statusFlags);
        Wire.writeInt2(buf, (int) (capabilities >>> 16) & 0xFFFF);
        boolean pluginAuth = Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH);
        Wire.writeInt1(buf, pluginAuth ? authPluginData.length : 0);
        buf.writeZero(6);
        Wire.writeInt4(
                buf,
                Capability.has(capabilities, Capability.CLIENT_MYSQL) ? 0 : Capability.mariadbExtended(capabilities));
        int part2Length = authPluginData.length - PART1_LENGTH;
        buf.writeBytes(authPluginData, PART1_LENGTH, part2Length);
        // Part 2 is at least 13 bytes on the wire; pad a short scramble with NULs.
        buf.writeZero(Math.max(0, MIN_PART2_LENGTH - part2Length));
        if (pluginAuth) {
            Wire.writeNulString(buf, authPluginName, StandardCharsets.UTF_8);
        }
    }

    /** The auth-plugin-data without its trailing NUL: the 20-byte scramble a client hashes with. */
    public byte[] scramble() {
        return AuthSwitchRequest.dropTrailingNul(authPluginData);
    }

    @Override
    public byte[] authPluginData() {
        return authPluginData.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeV10 h
                && serverVersion.equals(h.serverVersion)
                && connectionId == h.connectionId
                && Arrays.equals(authPluginData, h.authPluginData)
                && capabilities == h.capabilities
                && characterSet == h.characterSet
                && statusFlags == h.statusFlags
                && authPluginName.equals(h.authPluginName);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(connectionId) + Arrays.hashCode(authPluginData);
    }

    @Override
    public String toString() {
        return "HandshakeV10[serverVersion=" + serverVersion + ", connectionId=" + connectionId + ", authPluginData="
                + HexFormat.of().formatHex(authPluginData) + ", capabilities=0x" + Long.toHexString(capabilities)
                + ", characterSet=" + characterSet + ", statusFlags=0x" + Integer.toHexString(statusFlags)
                + ", authPluginName=" + authPluginName + "]";
    }
}
