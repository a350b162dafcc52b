package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.charset.Collations;
import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Protocol::HandshakeResponse41, the client's login.
 *
 * <p>Layout: int&lt;4&gt; capabilities, int&lt;4&gt; max packet size, int&lt;1&gt; character set, 19 filler
 * bytes + 4 bytes of MariaDB extended capabilities (bits 32-63, only when CLIENT_MYSQL is clear),
 * string&lt;NUL&gt; user name, auth response (length-encoded under CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
 * else a 1-byte length under CLIENT_SECURE_CONNECTION, else NUL-terminated), database (string&lt;NUL&gt;,
 * CLIENT_CONNECT_WITH_DB), plugin name (string&lt;NUL&gt;, CLIENT_PLUGIN_AUTH), connection attributes
 * (CLIENT_CONNECT_ATTRS: a length-encoded total, then length-encoded key/value strings), and under
 * CLIENT_ZSTD_COMPRESSION_ALGORITHM one byte of zstd level.
 *
 * <p>Strings are in the client's announced character set ({@link Collations#clientCharset(int)}). Real
 * clients sometimes set CLIENT_CONNECT_WITH_DB or CLIENT_PLUGIN_AUTH and end the packet before the field; such
 * absent fields decode as null. Bytes after the last known field are ignored.
 *
 * @param database null when absent
 * @param authPluginName null when absent
 * @param attributes connection attributes in the order sent (duplicates kept)
 * @param zstdCompressionLevel 0 when absent
 */
public record HandshakeResponse41(
        long capabilities,
        long maxPacketSize,
        int characterSet,
        String username,
        byte[] authResponse,
        String database,
        String authPluginName,
        List<Attribute> attributes,
        int zstdCompressionLevel) {

    /** One connection attribute, such as {@code _client_name=libmariadb}. */
    public record Attribute(String key, String value) {
        public Attribute {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    private static final int FILLER = 19;

    public HandshakeResponse41 {
        Objects.requireNonNull(username, "username");
        authResponse = authResponse.clone();
        attributes = List.copyOf(attributes);
    }

    public static HandshakeResponse41 decode(ByteBuf buf) {
        long caps = Wire.readInt4(buf, "HandshakeResponse41 client_flag");
        long maxPacket = Wire.readInt4(buf, "HandshakeResponse41 max_packet_size");
        int charsetId = Wire.readInt1(buf, "HandshakeResponse41 character_set");
        Wire.skip(buf, FILLER, "HandshakeResponse41 filler");
        long extended = Wire.readInt4(buf, "HandshakeResponse41 mariadb_extended_capabilities");
        if (!Capability.has(caps, Capability.CLIENT_MYSQL)) {
            caps |= extended << 32;
        }
        Charset cs = Collations.clientCharset(charsetId);
        String user = Wire.readNulString(buf, cs, "HandshakeResponse41 username");
        byte[] auth;
        if (Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            auth = Wire.readLenencBytes(buf, "HandshakeResponse41 auth_response");
        } else if (Capability.has(caps, Capability.CLIENT_SECURE_CONNECTION)) {
            int length = Wire.readInt1(buf, "HandshakeResponse41 auth_response_length");
            auth = Wire.readFixedBytes(buf, length, "HandshakeResponse41 auth_response");
        } else {
            auth = Wire.readNulBytes(buf, "HandshakeResponse41 auth_response");
        }
        String database = null;
        if (Capability.has(caps, Capability.CLIENT_CONNECT_WITH_DB) && buf.isReadable()) {
            database = Wire.readNulString(buf, cs, "HandshakeResponse41 database");
        }
        String plugin = null;
        if (Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH) && buf.isReadable()) {
            plugin = Wire.readNulString(buf, cs, "HandshakeResponse41 client_plugin_name");
        }
        List<Attribute> attributes = List.of();
        if (Capability.has(caps, Capability.CLIENT_CONNECT_ATTRS) && buf.isReadable()) {
            attributes = decodeAttributes(buf, cs);
        }
        int zstd = 0;
        if (Capability.has(caps, Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM) && buf.isReadable()) {
            zstd = Wire.readInt1(buf, "HandshakeResponse41 zstd_compression_level");
        }
        return new HandshakeResponse41(caps, maxPacket, charsetId, user, auth, database, plugin, attributes, zstd);
    }

    private static List<Attribute> decodeAttributes(ByteBuf buf, Charset cs) {
        // The total is bounded by what the packet holds, and every key/value by what the total holds, so a
        // lying length ends in a ProtocolException, never in an allocation or a read past the attributes.
        int total = Wire.readLenencLength(buf, "HandshakeResponse41 connect_attrs length");
        ByteBuf attrs = buf.readSlice(total);
        List<Attribute> list = new java.util.ArrayList<>();
        while (attrs.isReadable()) {
            String key = Wire.readLenencString(attrs, cs, "HandshakeResponse41 connect_attrs key");
            String value = Wire.readLenencString(attrs, cs, "HandshakeResponse41 connect_attrs value of " + key);
            list.add(new Attribute(key, value));
        }
        return list;
    }

    public void encode(ByteBuf buf) {
        Charset cs = Collations.clientCharset(characterSet);
        Wire.writeInt4(buf, Capability.standard(capabilities));
        Wire.writeInt4(buf, maxPacketSize);
        Wire.writeInt1(buf, characterSet);
        buf.writeZero(FILLER);
        Wire.writeInt4(
                buf,
                Capability.has(capabilities, Capability.CLIENT_MYSQL) ? 0 : Capability.mariadbExtended(capabilities));
        Wire.writeNulString(buf, username, cs);
        if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            Wire.writeLenencBytes(buf, authResponse);
        } else if (Capability.has(capabilities, Capability.CLIENT_SECURE_CONNECTION)) {
            if (authResponse.length > 255) {
                throw new IllegalStateException("authResponse: " + authResponse.length
                        + " bytes (expected: <= 255 without CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)");
            }
            Wire.writeInt1(buf, authResponse.length);
            buf.writeBytes(authResponse);
        } else {
            buf.writeBytes(authResponse);
            buf.writeByte(0);
        }
        if (Capability.has(capabilities, Capability.CLIENT_CONNECT_WITH_DB)) {
            Wire.writeNulString(buf, database == null ? "" : database, cs);
        }
        if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH)) {
            Wire.writeNulString(buf, authPluginName == null ? "" : authPluginName, cs);
        }
        if (Capability.has(capabilities, Capability.CLIENT_CONNECT_ATTRS)) {
            ByteBuf attrs = buf.alloc().buffer();
            try {
                for (Attribute a : attributes) {
                    Wire.writeLenencString(attrs, a.key(), cs);
                    Wire.writeLenencString(attrs, a.value(), cs);
                }
                Wire.writeLenencInt(buf, attrs.readableBytes());
                buf.writeBytes(attrs);
            } finally {
                attrs.release();
            }
        }
        if (Capability.has(capabilities, Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM)) {
            Wire.writeInt1(buf, zstdCompressionLevel);
        }
    }

    /** The attributes as a map in the order sent; for a key sent twice, the last value wins. */
    public Map<String, String> attributeMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Attribute a : attributes) {
            map.put(a.key(), a.value());
        }
        return map;
    }

    /** Throws unless the packet announced CLIENT_PROTOCOL_41, without which this layout does not apply. */
    public HandshakeResponse41 requireProtocol41() {
        if (!Capability.has(capabilities, Capability.CLIENT_PROTOCOL_41)) {
            throw new ProtocolException("HandshakeResponse41 client_flag: 0x" + Long.toHexString(capabilities)
                    + " lacks CLIENT_PROTOCOL_41 (pre-4.1 clients are not supported)");
        }
        return this;
    }

    @Override
    public byte[] authResponse() {
        return authResponse.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeResponse41 r
                && capabilities == r.capabilities
                && maxPacketSize == r.maxPacketSize
                && characterSet == r.characterSet
                && username.equals(r.username)
                && Arrays.equals(authResponse, r.authResponse)
                && Objects.equals(database, r.database)
                && Objects.equals(authPluginName, r.authPluginName)
                && attributes.equals(r.attributes)
                && zstdCompressionLevel == r.zstdCompressionLevel;
    }

    @Override
    public int hashCode() {
        return Objects.hash(capabilities, username, Arrays.hashCode(authResponse), database, authPluginName);
    }

    @Override
    public String toString() {
        return "HandshakeResponse41[capabilities=0x" + Long.toHexString(capabilities) + ", maxPacketSize="
                + maxPacketSize + ", characterSet=" + characterSet + ", username=" + username + ", authResponse="
                + HexFormat.of().formatHex(authResponse) + ", database=" + database + ", authPluginName="
                + authPluginName + ", attributes=" + attributes + ", zstdCompressionLevel=" + zstdCompressionLevel
                + "]";
    }
}
