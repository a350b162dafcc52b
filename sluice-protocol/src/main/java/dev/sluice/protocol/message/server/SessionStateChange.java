package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One entry of an OK packet's session_state_info (CLIENT_SESSION_TRACK): a type and its raw data, which is
 * itself a sequence of length-encoded strings for the types defined so far.
 */
public record SessionStateChange(int type, byte[] data) {
    public static final int SYSTEM_VARIABLES = 0;
    public static final int SCHEMA = 1;
    public static final int STATE_CHANGE = 2;
    public static final int GTIDS = 3;
    public static final int TRANSACTION_CHARACTERISTICS = 4;
    public static final int TRANSACTION_STATE = 5;

    public static SessionStateChange decode(ByteBuf buf) {
        int type = Wire.readInt1(buf, "session state type");
        byte[] data = Wire.readLenencBytes(buf, "session state data");
        return new SessionStateChange(type, data);
    }

    public static List<SessionStateChange> decodeAll(ByteBuf buf) {
        List<SessionStateChange> out = new ArrayList<>();
        while (buf.isReadable()) {
            out.add(decode(buf));
        }
        return out;
    }

    public void encode(ByteBuf buf) {
        Wire.writeInt1(buf, type);
        Wire.writeLenencBytes(buf, data);
    }

    /** A system-variable change: data is lenenc name followed by lenenc value. */
    public static SessionStateChange systemVariable(String name, String value) {
        ByteBuf b = Unpooled.buffer();
        Wire.writeLenencString(b, name);
        Wire.writeLenencString(b, value);
        return new SessionStateChange(SYSTEM_VARIABLES, Wire.readRestBytes(b));
    }

    /** A schema change: data is the lenenc schema name. */
    public static SessionStateChange schema(String name) {
        ByteBuf b = Unpooled.buffer();
        Wire.writeLenencString(b, name);
        return new SessionStateChange(SCHEMA, Wire.readRestBytes(b));
    }

    /** The length-encoded strings the data holds (name/value for variables, one name for a schema, …). */
    public List<String> strings() {
        ByteBuf b = Unpooled.wrappedBuffer(data);
        List<String> out = new ArrayList<>();
        while (b.isReadable()) {
            out.add(Wire.readLenencString(b, StandardCharsets.UTF_8, "session state data string"));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionStateChange other && other.type == type && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SessionStateChange[type=" + type + ", strings=" + strings() + "]";
    }
}
