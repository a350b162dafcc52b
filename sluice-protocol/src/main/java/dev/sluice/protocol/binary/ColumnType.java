package dev.sluice.protocol.binary;

import dev.sluice.protocol.ProtocolException;

/**
 * MYSQL_TYPE_* codes as sent in column definitions and COM_STMT_EXECUTE parameter types, with the shape a
 * value of that type takes in the binary protocol. TIMESTAMP2/DATETIME2/TIME2 are storage types a server
 * should never send to a client; they are listed so such a packet decodes (as their plain counterparts)
 * instead of failing on an unknown code.
 */
public enum ColumnType {
    DECIMAL(0x00, Shape.LENENC),
    TINY(0x01, Shape.INT1),
    SHORT(0x02, Shape.INT2),
    LONG(0x03, Shape.INT4),
    FLOAT(0x04, Shape.FLOAT),
    DOUBLE(0x05, Shape.DOUBLE),
    /** Only ever NULL: the value lives in the NULL bitmap and takes no bytes. */
    NULL(0x06, Shape.NONE),
    TIMESTAMP(0x07, Shape.DATETIME),
    LONGLONG(0x08, Shape.INT8),
    /** 3 bytes in storage, 4 on the wire. */
    INT24(0x09, Shape.INT4),
    DATE(0x0A, Shape.DATETIME),
    TIME(0x0B, Shape.TIME),
    DATETIME(0x0C, Shape.DATETIME),
    YEAR(0x0D, Shape.INT2),
    NEWDATE(0x0E, Shape.DATETIME),
    VARCHAR(0x0F, Shape.LENENC),
    BIT(0x10, Shape.LENENC),
    TIMESTAMP2(0x11, Shape.DATETIME),
    DATETIME2(0x12, Shape.DATETIME),
    TIME2(0x13, Shape.TIME),
    /** MySQL 9. */
    VECTOR(0xF2, Shape.LENENC),
    JSON(0xF5, Shape.LENENC),
    NEWDECIMAL(0xF6, Shape.LENENC),
    ENUM(0xF7, Shape.LENENC),
    SET(0xF8, Shape.LENENC),
    TINY_BLOB(0xF9, Shape.LENENC),
    MEDIUM_BLOB(0xFA, Shape.LENENC),
    LONG_BLOB(0xFB, Shape.LENENC),
    BLOB(0xFC, Shape.LENENC),
    VAR_STRING(0xFD, Shape.LENENC),
    STRING(0xFE, Shape.LENENC),
    GEOMETRY(0xFF, Shape.LENENC);

    /** How a value of the type is laid out in a binary row or COM_STMT_EXECUTE. */
    public enum Shape {
        NONE,
        INT1,
        INT2,
        INT4,
        INT8,
        FLOAT,
        DOUBLE,
        /** Length byte 0/4/7/11, then year int2, month, day, hour, minute, second, micros int4. */
        DATETIME,
        /** Length byte 0/8/12, then negative, days int4, hour, minute, second, micros int4. */
        TIME,
        /** Length-encoded bytes. */
        LENENC
    }

    private static final ColumnType[] BY_CODE = new ColumnType[256];

    static {
        for (ColumnType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final Shape shape;

    ColumnType(int code, Shape shape) {
        this.code = code;
        this.shape = shape;
    }

    public int code() {
        return code;
    }

    public Shape shape() {
        return shape;
    }

    /** The type for a code; an unknown code is a protocol error naming {@code field}. */
    public static ColumnType of(int code, String field) {
        ColumnType t = code >= 0 && code < 256 ? BY_CODE[code] : null;
        if (t == null) {
            throw new ProtocolException(field + ": unknown column type 0x" + Integer.toHexString(code));
        }
        return t;
    }
}
