package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnFlags;
import dev.sluice.protocol.binary.ColumnType;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * Column Definition (Protocol::ColumnDefinition41): six length-encoded names, then a block of fixed fields
 * announced by a length-encoded 0x0C. Names are decoded as UTF-8 (the character set Sluice negotiates).
 *
 * <p>Two variants: under MariaDB's MARIADB_CLIENT_EXTENDED_METADATA a length-encoded block of extended type
 * information (pairs of int&lt;1&gt; kind, 0 = type name, 1 = format, and a lenenc value) sits between
 * org_name and the fixed fields; it is kept raw in {@code extendedTypeInfo} (empty when absent). In the
 * response to COM_FIELD_LIST a length-encoded default value follows the fixed fields; {@code defaultValue}
 * holds it and is {@code null} for a NULL default (0xFB) and whenever the packet is not a field-list one.
 */
public record ColumnDefinition41(
        String catalog,
        String schema,
        String table,
        String orgTable,
        String name,
        String orgName,
        byte[] extendedTypeInfo,
        int characterSet,
        long columnLength,
        ColumnType type,
        int flags,
        int decimals,
        byte[] defaultValue) {

    public static final int FIXED_FIELDS_LENGTH = 0x0C;
    private static final byte[] NO_BYTES = new byte[0];

    public ColumnDefinition41 {
        Objects.requireNonNull(extendedTypeInfo, "extendedTypeInfo");
        Objects.requireNonNull(type, "type");
    }

    /** A plain column as in a SELECT result: catalog "def", no extended info, no default. */
    public static ColumnDefinition41 of(
            String schema,
            String table,
            String name,
            int charset,
            long length,
            ColumnType type,
            int flags,
            int decimals) {
        return new ColumnDefinition41(
                "def", schema, table, table, name, name, new byte[0], charset, length, type, flags, decimals, null);
    }

    public BinaryType binaryType() {
        return new BinaryType(type, ColumnFlags.has(flags, ColumnFlags.UNSIGNED));
    }

    /**
     * @param fieldList true when this is a response to COM_FIELD_LIST, whose definitions carry a default value
     */
    public static ColumnDefinition41 decode(ByteBuf buf, long capabilities, boolean fieldList) {
        return read(buf, capabilities, fieldList, true);
    }

    /**
     * Checks the same structure as {@link #decode} and consumes the definition without building its names
     * (a relay forwarding the packet untouched needs to know it is well formed, not what it says).
     */
    public static void check(ByteBuf buf, long capabilities, boolean fieldList) {
        read(buf, capabilities, fieldList, false);
    }

    private static ColumnDefinition41 read(ByteBuf buf, long capabilities, boolean fieldList, boolean build) {
        String catalog = name(buf, "ColumnDefinition41 catalog", build);
        String schema = name(buf, "ColumnDefinition41 schema", build);
        String table = name(buf, "ColumnDefinition41 table", build);
        String orgTable = name(buf, "ColumnDefinition41 org_table", build);
        String name = name(buf, "ColumnDefinition41 name", build);
        String orgName = name(buf, "ColumnDefinition41 org_name", build);
        byte[] extended = NO_BYTES;
        if (Capability.has(capabilities, Capability.MARIADB_CLIENT_EXTENDED_METADATA)) {
            if (build) {
                extended = Wire.readLenencBytes(buf, "ColumnDefinition41 extended_type_info");
            } else {
                Wire.skipLenencString(buf, "ColumnDefinition41 extended_type_info");
            }
        }
        long fixed = Wire.readLenencInt(buf, "ColumnDefinition41 length_of_fixed_fields");
        if (fixed != FIXED_FIELDS_LENGTH) {
            throw new ProtocolException(
                    "ColumnDefinition41 length_of_fixed_fields: " + Long.toUnsignedString(fixed) + " (expected: 12)");
        }
        int charset = Wire.readInt2(buf, "ColumnDefinition41 character_set");
        long length = Wire.readInt4(buf, "ColumnDefinition41 column_length");
        ColumnType type = ColumnType.of(Wire.readInt1(buf, "ColumnDefinition41 type"), "ColumnDefinition41 type");
        int flags = Wire.readInt2(buf, "ColumnDefinition41 flags");
        int decimals = Wire.readInt1(buf, "ColumnDefinition41 decimals");
        Wire.skip(buf, 2, "ColumnDefinition41 filler");
        byte[] defaultValue = null;
        if (fieldList) {
            if (Wire.isNull(buf)) {
                buf.skipBytes(1);
            } else if (build) {
                defaultValue = Wire.readLenencBytes(buf, "ColumnDefinition41 default_values");
            } else {
                Wire.skipLenencString(buf, "ColumnDefinition41 default_values");
            }
        }
        Wire.expectEnd(buf, "ColumnDefinition41");
        if (!build) {
            return null;
        }
        return new ColumnDefinition41(
                catalog,
                schema,
                table,
                orgTable,
                name,
                orgName,
                extended,
                charset,
                length,
                type,
                flags,
                decimals,
                defaultValue);
    }

    private static String name(ByteBuf buf, String field, boolean build) {
        if (build) {
            return Wire.readLenencString(buf, field);
        }
        Wire.skipLenencString(buf, field);
        return null;
    }

    public void encode(ByteBuf buf, long capabilities, boolean fieldList) {
        Wire.writeLenencString(buf, catalog);
        Wire.writeLenencString(buf, schema);
        Wire.writeLenencString(buf, table);
        Wire.writeLenencString(buf, orgTable);
        Wire.writeLenencString(buf, name);
        Wire.writeLenencString(buf, orgName);
        if (Capability.has(capabilities, Capability.MARIADB_CLIENT_EXTENDED_METADATA)) {
            Wire.writeLenencBytes(buf, extendedTypeInfo);
        }
        Wire.writeLenencInt(buf, FIXED_FIELDS_LENGTH);
        Wire.writeInt2(buf, characterSet);
        Wire.writeInt4(buf, columnLength);
        Wire.writeInt1(buf, type.code());
        Wire.writeInt2(buf, flags);
        Wire.writeInt1(buf, decimals);
        Wire.writeInt2(buf, 0);
        if (fieldList) {
            if (defaultValue == null) {
                buf.writeByte(Wire.NULL_MARKER);
            } else {
                Wire.writeLenencBytes(buf, defaultValue);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnDefinition41 c
                && catalog.equals(c.catalog)
                && schema.equals(c.schema)
                && table.equals(c.table)
                && orgTable.equals(c.orgTable)
                && name.equals(c.name)
                && orgName.equals(c.orgName)
                && Arrays.equals(extendedTypeInfo, c.extendedTypeInfo)
                && characterSet == c.characterSet
                && columnLength == c.columnLength
                && type == c.type
                && flags == c.flags
                && decimals == c.decimals
                && Arrays.equals(defaultValue, c.defaultValue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table, name, orgName, type, flags) * 31 + Arrays.hashCode(defaultValue);
    }

    @Override
    public String toString() {
        return "ColumnDefinition41[" + schema + "." + table + "." + name + " (" + orgTable + "." + orgName + ") "
                + type + " charset=" + characterSet + " length=" + columnLength + " flags=0x"
                + Integer.toHexString(flags) + " decimals=" + decimals + "]";
    }
}
