package dev.sluice.protocol.binary;

/** Column definition flags (int&lt;2&gt;); only the low 16 bits travel on the wire. */
public final class ColumnFlags {
    public static final int NOT_NULL = 0x0001;
    public static final int PRIMARY_KEY = 0x0002;
    public static final int UNIQUE_KEY = 0x0004;
    public static final int MULTIPLE_KEY = 0x0008;
    public static final int BLOB = 0x0010;
    public static final int UNSIGNED = 0x0020;
    public static final int ZEROFILL = 0x0040;
    public static final int BINARY = 0x0080;
    public static final int ENUM = 0x0100;
    public static final int AUTO_INCREMENT = 0x0200;
    public static final int TIMESTAMP = 0x0400;
    public static final int SET = 0x0800;
    public static final int NO_DEFAULT_VALUE = 0x1000;
    public static final int ON_UPDATE_NOW = 0x2000;
    public static final int NUM = 0x8000;

    /** In a COM_STMT_EXECUTE parameter type, the flag byte's unsigned bit. */
    public static final int PARAM_UNSIGNED = 0x80;

    private ColumnFlags() {}

    public static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
