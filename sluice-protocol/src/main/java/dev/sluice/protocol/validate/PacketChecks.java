package dev.sluice.protocol.validate;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.BinaryRow;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;

/**
 * Parses the server packets whose format fixes their length to exactly that length, with every length-encoded
 * integer in a legal form; a {@link Breach} says where one does not. Which packet a payload is (by its place in the
 * response) is {@link dev.sluice.protocol.result.ResponseDecoder}'s business; these only check the one they are
 * given.
 */
final class PacketChecks {
    private PacketChecks() {}

    /** OK_Packet (0x00, or 0xFE ending a result under CLIENT_DEPRECATE_EOF); returns its status flags. */
    static int ok(Fields f, long caps) {
        f.int1("OK header");
        f.lenenc("OK affected_rows", false);
        f.lenenc("OK last_insert_id", false);
        int status = 0;
        if (Capability.has(caps, Capability.CLIENT_PROTOCOL_41)) {
            status = f.int2("OK status_flags");
            f.int2("OK warnings");
        } else if (Capability.has(caps, Capability.CLIENT_TRANSACTIONS)) {
            status = f.int2("OK status_flags");
        }
        if (Capability.has(caps, Capability.CLIENT_SESSION_TRACK)) {
            if (f.remaining() > 0) {
                f.lenencString("OK info", false);
            }
            if (ServerStatus.has(status, ServerStatus.SESSION_STATE_CHANGED) && f.remaining() > 0) {
                f.lenencString("OK session_state_info", false);
            }
            f.end("OK (CLIENT_SESSION_TRACK)");
        } else {
            readableText(f, "OK info");
        }
        return status;
    }

    /**
     * The rest of the packet is human-readable text (an OK's info): a control byte there means the fields before
     * it were misread, as when a length-encoded integer is one byte longer than its prefix says.
     */
    private static void readableText(Fields f, String field) {
        while (f.remaining() > 0) {
            int at = f.offset();
            int b = f.int1(field);
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                throw new Breach(
                        Rule.FIELD,
                        at,
                        field + " as readable text (are the fields before it the lengths they say?)",
                        String.format("control byte 0x%02x", b));
            }
        }
    }

    /** EOF_Packet: exactly 0xFE, warnings and status (5 bytes under CLIENT_PROTOCOL_41); returns the status. */
    static int eof(Fields f, long caps) {
        f.int1("EOF header");
        int status = 0;
        if (Capability.has(caps, Capability.CLIENT_PROTOCOL_41)) {
            f.int2("EOF warnings");
            status = f.int2("EOF status_flags");
        }
        f.end("EOF");
        return status;
    }

    /** A result's column count: a legal non-NULL length-encoded integer (and MariaDB's metadata flag). */
    static long columnCount(Fields f, long caps) {
        int at = f.offset();
        long count = f.lenenc("column_count", false);
        if (count < 1 || count > ColumnCount.MAX_COLUMNS) {
            throw new Breach(
                    Rule.FIELD, at, "a column count 1.." + ColumnCount.MAX_COLUMNS, Long.toUnsignedString(count));
        }
        if (Capability.has(caps, Capability.MARIADB_CLIENT_CACHE_METADATA)) {
            int flagAt = f.offset();
            int flag = f.int1("metadata_follows");
            if (flag > 1) {
                throw new Breach(Rule.FIELD, flagAt, "metadata_follows 0 or 1", Integer.toString(flag));
            }
        }
        f.end("column count");
        return count;
    }

    /** ColumnDefinition41 to its last byte; returns the column's type. */
    static ColumnType columnDefinition(Fields f, long caps, boolean fieldList) {
        f.lenencString("ColumnDefinition41 catalog", false);
        f.lenencString("ColumnDefinition41 schema", false);
        f.lenencString("ColumnDefinition41 table", false);
        f.lenencString("ColumnDefinition41 org_table", false);
        f.lenencString("ColumnDefinition41 name", false);
        f.lenencString("ColumnDefinition41 org_name", false);
        if (Capability.has(caps, Capability.MARIADB_CLIENT_EXTENDED_METADATA)) {
            f.lenencString("ColumnDefinition41 extended_type_info", false);
        }
        int at = f.offset();
        long fixed = f.lenenc("ColumnDefinition41 length_of_fixed_fields", false);
        if (fixed != ColumnDefinition41.FIXED_FIELDS_LENGTH) {
            throw new Breach(Rule.FIELD, at, "length_of_fixed_fields 12", Long.toUnsignedString(fixed));
        }
        f.int2("ColumnDefinition41 character_set");
        f.int4("ColumnDefinition41 column_length");
        int typeAt = f.offset();
        int code = f.int1("ColumnDefinition41 type");
        ColumnType type;
        try {
            type = ColumnType.of(code, "ColumnDefinition41 type");
        } catch (RuntimeException e) {
            throw new Breach(Rule.FIELD, typeAt, "a known column type", String.format("0x%02x", code));
        }
        f.int2("ColumnDefinition41 flags");
        f.int1("ColumnDefinition41 decimals");
        f.skip(2, "ColumnDefinition41 filler");
        if (fieldList) {
            f.lenencString("ColumnDefinition41 default_values", true);
        }
        f.end("ColumnDefinition41");
        return type;
    }

    /** A text row: exactly {@code columns} length-encoded strings, each possibly NULL. */
    static void textRow(Fields f, long columns) {
        for (long i = 0; i < columns; i++) {
            f.column(i).lenencString("text row column", true);
        }
        f.endRow("text row", columns);
    }

    /** A binary row: 0x00, the null bitmap, then each non-NULL value in the size its column's type gives it. */
    static void binaryRow(Fields f, ColumnType.Shape[] shapes) {
        f.int1("binary row header");
        int n = shapes.length;
        int bitmapAt = f.offset();
        f.skip(BinaryRow.bitmapLength(n), "binary row null bitmap");
        for (int i = 0; i < n; i++) {
            int bit = i + 2;
            if ((f.byteAt(bitmapAt + (bit >> 3)) & (1 << (bit & 7))) != 0) {
                continue;
            }
            f.column(i);
            value(f, shapes[i], i);
        }
        f.column(-1);
        if ((f.byteAt(bitmapAt) & 0x03) != 0) {
            throw new Breach(
                    Rule.FIELD,
                    bitmapAt,
                    "the null bitmap's first two bits clear (reserved in rows)",
                    String.format("0x%02x", f.byteAt(bitmapAt)));
        }
        f.endRow("binary row", n);
    }

    private static void value(Fields f, ColumnType.Shape shape, int column) {
        switch (shape) {
            case NONE -> {}
            case INT1 -> f.skip(1, "binary row column");
            case INT2 -> f.skip(2, "binary row column");
            case INT4, FLOAT -> f.skip(4, "binary row column");
            case INT8, DOUBLE -> f.skip(8, "binary row column");
            case DATETIME -> sized(f, column, 0, 4, 7, 11);
            case TIME -> sized(f, column, 0, 8, 12, 8);
            case LENENC -> f.lenencString("binary row column", false);
        }
    }

    /** A temporal value: a length byte that must be one of the legal lengths, then that many bytes. */
    private static void sized(Fields f, int column, int a, int b, int c, int d) {
        int at = f.offset();
        int length = f.int1("length of binary row column");
        if (length != a && length != b && length != c && length != d) {
            throw new Breach(
                    Rule.FIELD,
                    at,
                    "binary row column " + column + " length " + a + ", " + b + ", " + c + (d != b ? " or " + d : ""),
                    Integer.toString(length));
        }
        f.skip(length, "binary row column");
    }

    /** COM_STMT_PREPARE_OK: 0x00, statement id, columns, parameters, a zero filler, warnings: 12 bytes. */
    static void prepareOk(Fields f) {
        f.int1("COM_STMT_PREPARE_OK header");
        f.int4("COM_STMT_PREPARE_OK statement_id");
        f.int2("COM_STMT_PREPARE_OK num_columns");
        f.int2("COM_STMT_PREPARE_OK num_params");
        int at = f.offset();
        int filler = f.int1("COM_STMT_PREPARE_OK filler");
        if (filler != 0) {
            throw new Breach(Rule.FIELD, at, "COM_STMT_PREPARE_OK filler 0x00", String.format("0x%02x", filler));
        }
        f.int2("COM_STMT_PREPARE_OK warning_count");
        f.end("COM_STMT_PREPARE_OK");
    }

    /** ERR_Packet: header, code, the SQL state marker and state under CLIENT_PROTOCOL_41, a message. */
    static void err(Fields f, long caps) {
        f.int1("ERR header");
        f.int2("ERR error_code");
        if (Capability.has(caps, Capability.CLIENT_PROTOCOL_41) && f.remaining() > 0 && f.peek() == '#') {
            f.skip(6, "ERR sql_state");
        }
    }
}
