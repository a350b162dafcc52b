package dev.sluice.protocol.binary;

/**
 * What the binary protocol needs to read or write one value: its type and whether integers are unsigned.
 * Comes from a column definition (type, UNSIGNED flag) or a COM_STMT_EXECUTE parameter type (type, 0x80).
 */
public record BinaryType(ColumnType type, boolean unsigned) {
    public static BinaryType of(ColumnType type) {
        return new BinaryType(type, false);
    }

    public static BinaryType unsignedOf(ColumnType type) {
        return new BinaryType(type, true);
    }
}
