package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * COM_CHANGE_USER: user string&lt;NUL&gt;; the auth response with a 1-byte length under
 * CLIENT_SECURE_CONNECTION, else NUL-terminated; database string&lt;NUL&gt;; then, only when bytes remain,
 * character set int&lt;2&gt;, the auth plugin name string&lt;NUL&gt; (CLIENT_PLUGIN_AUTH) and connection
 * attributes (CLIENT_CONNECT_ATTRS: a length-encoded total, then length-encoded key/value pairs inside it).
 *
 * <p>The optional tail is absent when {@code characterSet} is null; {@code authPluginName} and {@code
 * connectAttributes} are null when not sent.
 */
public record ComChangeUser(
        String user,
        byte[] authResponse,
        String database,
        Integer characterSet,
        String authPluginName,
        Map<String, String> connectAttributes)
        implements ClientCommand {

    public ComChangeUser {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(authResponse, "authResponse");
        Objects.requireNonNull(database, "database");
        if (connectAttributes != null) {
            connectAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(connectAttributes));
        }
    }

    public static ComChangeUser decode(ByteBuf buf, long capabilities) {
        Commands.header(buf, Command.COM_CHANGE_USER);
        String user = Wire.readNulString(buf, "COM_CHANGE_USER user");
        byte[] auth;
        if (Capability.has(capabilities, Capability.CLIENT_SECURE_CONNECTION)) {
            int length = Wire.readInt1(buf, "COM_CHANGE_USER auth_plugin_data_len");
            auth = Wire.readFixedBytes(buf, length, "COM_CHANGE_USER auth_plugin_data");
        } else {
            auth = Wire.readNulBytes(buf, "COM_CHANGE_USER auth_plugin_data");
        }
        String database = Wire.readNulString(buf, "COM_CHANGE_USER database");
        Integer charset = null;
        String plugin = null;
        Map<String, String> attrs = null;
        if (buf.isReadable()) {
            charset = Wire.readInt2(buf, "COM_CHANGE_USER character_set");
            if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH) && buf.isReadable()) {
                plugin = Wire.readNulString(buf, "COM_CHANGE_USER auth_plugin_name");
            }
            if (Capability.has(capabilities, Capability.CLIENT_CONNECT_ATTRS) && buf.isReadable()) {
                int total = Wire.readLenencLength(buf, "COM_CHANGE_USER connection_attributes length");
                ByteBuf block = buf.readSlice(total);
                attrs = new LinkedHashMap<>();
                while (block.isReadable()) {
                    String key = Wire.readLenencString(block, "COM_CHANGE_USER connection attribute key");
                    String value = Wire.readLenencString(block, "COM_CHANGE_USER connection attribute value");
                    if (attrs.put(key, value) != null) {
                        throw new ProtocolException(
                                "COM_CHANGE_USER connection attribute key: '" + key + "' sent twice");
                    }
                }
            }
        }
        Wire.expectEnd(buf, "COM_CHANGE_USER");
        return new ComChangeUser(user, auth, database, charset, plugin, attrs);
    }

    @Override
    public Command command() {
        return Command.COM_CHANGE_USER;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_CHANGE_USER.code());
        Wire.writeNulString(out, user);
        if (Capability.has(capabilities, Capability.CLIENT_SECURE_CONNECTION)) {
            if (authResponse.length > 255) {
                throw new IllegalStateException("auth response of " + authResponse.length + " bytes (max 255)");
            }
            out.writeByte(authResponse.length);
            out.writeBytes(authResponse);
        } else {
            out.writeBytes(authResponse);
            out.writeByte(0);
        }
        Wire.writeNulString(out, database);
        if (characterSet == null) {
            return;
        }
        Wire.writeInt2(out, characterSet);
        if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH) && authPluginName != null) {
            Wire.writeNulString(out, authPluginName);
        }
        if (Capability.has(capabilities, Capability.CLIENT_CONNECT_ATTRS) && connectAttributes != null) {
            ByteBuf block = out.alloc().buffer();
            try {
                for (Map.Entry<String, String> e : connectAttributes.entrySet()) {
                    Wire.writeLenencString(block, e.getKey());
                    Wire.writeLenencString(block, e.getValue());
                }
                Wire.writeLenencInt(out, block.readableBytes());
                out.writeBytes(block);
            } finally {
                block.release();
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComChangeUser c
                && c.user.equals(user)
                && Arrays.equals(c.authResponse, authResponse)
                && c.database.equals(database)
                && Objects.equals(c.characterSet, characterSet)
                && Objects.equals(c.authPluginName, authPluginName)
                && Objects.equals(c.connectAttributes, connectAttributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, database, characterSet, authPluginName) * 31 + Arrays.hashCode(authResponse);
    }

    @Override
    public String toString() {
        // The auth response is a credential: never print it.
        return "ComChangeUser[user=" + user + ", database=" + database + ", characterSet=" + characterSet + ", plugin="
                + authPluginName + ", attributes=" + connectAttributes + "]";
    }
}
