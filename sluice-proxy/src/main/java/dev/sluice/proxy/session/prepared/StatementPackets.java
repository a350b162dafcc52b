package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level edits of prepared-statement packets that let a client statement run on whichever server connection
 * serves it: statement ids rewritten (client id ⇄ server id), and parameter types put back into executions that
 * leave them out. Payloads are whole logical packets (framing joined continuations), reader index at the command
 * byte. Nothing is decoded beyond the fixed header: values stay as the client wrote them.
 *
 * <p>Layouts (CLIENT_QUERY_ATTRIBUTES is masked by Sluice, so COM_STMT_EXECUTE carries no parameter_count or
 * names):
 *
 * <ul>
 *   <li>COM_STMT_EXECUTE 0x17: stmt_id int&lt;4&gt;, flags int&lt;1&gt;, iteration_count int&lt;4&gt;; when the
 *       statement has n &gt; 0 parameters: null bitmap ((n + 7) / 8 bytes), new_params_bound_flag int&lt;1&gt;,
 *       2n type bytes when the flag is 1, then the values.
 *   <li>MariaDB COM_STMT_BULK_EXECUTE 0xFA: stmt_id int&lt;4&gt;, bulk flags int&lt;2&gt; (128 =
 *       SEND_TYPES_TO_SERVER: 2n type bytes follow), then rows of indicator + value.
 *   <li>COM_STMT_FETCH 0x1C, COM_STMT_CLOSE 0x19, COM_STMT_RESET 0x1A, COM_STMT_SEND_LONG_DATA 0x18: stmt_id
 *       int&lt;4&gt; right after the command byte, like the two above.
 *   <li>COM_STMT_PREPARE_OK: 0x00, stmt_id int&lt;4&gt;, ...: the id is at the same offset.
 * </ul>
 *
 * MariaDB's stmt_id 0xFFFFFFFF means "the statement prepared last on this connection" ({@link #LAST_PREPARED}).
 */
public final class StatementPackets {
    /** MariaDB (10.2+): the statement prepared last on the connection, if no prepare failed since. */
    public static final long LAST_PREPARED = 0xFFFF_FFFFL;
    /** COM_STMT_BULK_EXECUTE flag: parameter types follow the flags. */
    public static final int BULK_SEND_TYPES = 128;

    private static final int ID_OFFSET = 1;
    private static final int EXECUTE_FLAGS = 5;
    private static final int EXECUTE_HEADER = 10; // command, id, flags, iteration count
    private static final int BULK_FLAGS = 5;
    private static final int BULK_HEADER = 7; // command, id, flags

    private StatementPackets() {}

    /**
     * The statement id of any statement command, or of a COM_STMT_PREPARE_OK (both have it right after the first
     * byte).
     */
    public static long statementId(ByteBuf payload) {
        need(payload, ID_OFFSET + 4, "statement_id");
        return payload.getUnsignedIntLE(payload.readerIndex() + ID_OFFSET);
    }

    /**
     * Writes {@code id} over the statement id, in place: the packet's length does not change, so the client's
     * buffer (or the server's payload on its way to the client) goes on without a copy.
     */
    public static void setStatementId(ByteBuf payload, long id) {
        need(payload, ID_OFFSET + 4, "statement_id");
        payload.setIntLE(payload.readerIndex() + ID_OFFSET, (int) id);
    }

    /** {@link #setStatementId}, returning {@code payload}. */
    public static ByteBuf withStatementId(ByteBuf payload, long id) {
        setStatementId(payload, id);
        return payload;
    }

    /** The command byte. */
    public static Command command(ByteBuf payload) {
        need(payload, 1, "command");
        return Command.of(payload.getUnsignedByte(payload.readerIndex()));
    }

    /** COM_STMT_EXECUTE's cursor bits (flags & 7): non-zero asks for a cursor. */
    public static int cursorType(ByteBuf execute) {
        need(execute, EXECUTE_FLAGS + 1, "COM_STMT_EXECUTE flags");
        return execute.getUnsignedByte(execute.readerIndex() + EXECUTE_FLAGS) & 0x07;
    }

    /**
     * The 2n type bytes an execution carries (new_params_bound_flag 1), or null when it carries none (flag 0, or a
     * statement without parameters).
     *
     * @throws ProtocolException when the packet is too short for what its header says
     */
    public static byte[] executeTypes(ByteBuf execute, int params) {
        if (params == 0) {
            return null;
        }
        int flagAt = EXECUTE_HEADER + (params + 7) / 8;
        need(execute, flagAt + 1, "COM_STMT_EXECUTE new_params_bound_flag");
        int flag = execute.getUnsignedByte(execute.readerIndex() + flagAt);
        if (flag == 0) {
            return null;
        }
        if (flag != 1) {
            throw new ProtocolException("COM_STMT_EXECUTE new_params_bound_flag: " + flag + " (expected: 0 or 1)");
        }
        need(execute, flagAt + 1 + 2 * params, "COM_STMT_EXECUTE parameter types");
        byte[] types = new byte[2 * params];
        execute.getBytes(execute.readerIndex() + flagAt + 1, types);
        return types;
    }

    /**
     * A copy of an execution with new_params_bound_flag 0 that carries {@code types} (flag 1): the server statement
     * it goes to holds the types another client statement bound last, or none (freshly prepared), while this client
     * relies on the ones it sent itself. The values are copied unchanged; {@code execute} is not released.
     */
    public static ByteBuf executeWithTypes(ByteBufAllocator alloc, ByteBuf execute, int params, byte[] types) {
        if (params == 0 || types.length != 2 * params) {
            throw new IllegalArgumentException("types: " + types.length + " bytes for " + params + " parameters");
        }
        int flagAt = EXECUTE_HEADER + (params + 7) / 8;
        need(execute, flagAt + 1, "COM_STMT_EXECUTE new_params_bound_flag");
        int from = execute.readerIndex();
        if (execute.getUnsignedByte(from + flagAt) != 0) {
            throw new IllegalArgumentException("the execution carries its types already");
        }
        int length = execute.readableBytes();
        ByteBuf out = alloc.buffer(length + types.length);
        out.writeBytes(execute, from, flagAt);
        out.writeByte(1);
        out.writeBytes(types);
        out.writeBytes(execute, from + flagAt + 1, length - flagAt - 1);
        return out;
    }

    /** The bulk flags of a COM_STMT_BULK_EXECUTE. */
    public static int bulkFlags(ByteBuf bulk) {
        need(bulk, BULK_HEADER, "COM_STMT_BULK_EXECUTE flags");
        return bulk.getUnsignedShortLE(bulk.readerIndex() + BULK_FLAGS);
    }

    /** The 2n type bytes of a COM_STMT_BULK_EXECUTE with SEND_TYPES_TO_SERVER, or null without. */
    public static byte[] bulkTypes(ByteBuf bulk, int params) {
        if (params == 0 || (bulkFlags(bulk) & BULK_SEND_TYPES) == 0) {
            return null;
        }
        need(bulk, BULK_HEADER + 2 * params, "COM_STMT_BULK_EXECUTE parameter types");
        byte[] types = new byte[2 * params];
        bulk.getBytes(bulk.readerIndex() + BULK_HEADER, types);
        return types;
    }

    /** A copy of a COM_STMT_BULK_EXECUTE without SEND_TYPES_TO_SERVER that carries {@code types} (flag set). */
    public static ByteBuf bulkWithTypes(ByteBufAllocator alloc, ByteBuf bulk, int params, byte[] types) {
        if (params == 0 || types.length != 2 * params) {
            throw new IllegalArgumentException("types: " + types.length + " bytes for " + params + " parameters");
        }
        int flags = bulkFlags(bulk);
        if ((flags & BULK_SEND_TYPES) != 0) {
            throw new IllegalArgumentException("the bulk execution carries its types already");
        }
        int from = bulk.readerIndex();
        int length = bulk.readableBytes();
        ByteBuf out = alloc.buffer(length + types.length);
        out.writeBytes(bulk, from, BULK_FLAGS);
        out.writeShortLE(flags | BULK_SEND_TYPES);
        out.writeBytes(types);
        out.writeBytes(bulk, from + BULK_HEADER, length - BULK_HEADER);
        return out;
    }

    /** COM_STMT_PREPARE of {@code sql} (the text as the server got it from the client, bytes unchanged). */
    public static ByteBuf prepare(ByteBufAllocator alloc, byte[] sql) {
        return text(alloc, Command.COM_STMT_PREPARE, sql);
    }

    /** COM_STMT_CLOSE of server statement {@code id} (the server sends no answer). */
    public static ByteBuf close(ByteBufAllocator alloc, long id) {
        ByteBuf out = alloc.buffer(5);
        out.writeByte(Command.COM_STMT_CLOSE.code());
        out.writeIntLE((int) id);
        return out;
    }

    /** COM_INIT_DB of {@code database} (UTF-8, as Sluice's connections speak to the server). */
    public static ByteBuf initDb(ByteBufAllocator alloc, String database) {
        return text(alloc, Command.COM_INIT_DB, database.getBytes(StandardCharsets.UTF_8));
    }

    /** COM_QUERY of {@code sql} (UTF-8: Sluice's own statements are ASCII). */
    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        return text(alloc, Command.COM_QUERY, sql.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf text(ByteBufAllocator alloc, Command command, byte[] text) {
        ByteBuf out = alloc.buffer(1 + text.length);
        out.writeByte(command.code());
        out.writeBytes(text);
        return out;
    }

    /** The text of a COM_STMT_PREPARE: the bytes after the command byte. */
    public static byte[] prepareText(ByteBuf prepare) {
        need(prepare, 1, "COM_STMT_PREPARE");
        byte[] sql = new byte[prepare.readableBytes() - 1];
        prepare.getBytes(prepare.readerIndex() + 1, sql);
        return sql;
    }

    private static void need(ByteBuf payload, int bytes, String field) {
        if (payload.readableBytes() < bytes) {
            throw new ProtocolException("statement command " + field + ": packet of " + payload.readableBytes()
                    + " bytes (expected: at least " + bytes + ")");
        }
    }
}
