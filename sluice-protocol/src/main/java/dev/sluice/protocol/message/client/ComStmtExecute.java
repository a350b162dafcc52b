package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.BinaryType;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * COM_STMT_EXECUTE: statement id int&lt;4&gt;, flags int&lt;1&gt; (cursor type in the low bits), iteration
 * count int&lt;4&gt; (always 1), then, when the statement has parameters, a {@link ParameterBlock}. The
 * packet does not carry the parameter count; the caller passes it from the statement's COM_STMT_PREPARE_OK
 * (see {@link StatementParams}).
 *
 * <p>MySQL's CLIENT_QUERY_ATTRIBUTES adds an explicit parameter_count int&lt;lenenc&gt; (when the statement
 * has parameters or flags carry PARAMETER_COUNT_AVAILABLE) and a name per parameter; the explicit count wins
 * (the extra ones are query attributes). MariaDB accepts statement id 0xFFFFFFFF for "the last prepared".
 */
public record ComStmtExecute(
        long statementId, int flags, long iterationCount, boolean newParamsBound, List<BoundParameter> parameters)
        implements ClientCommand {

    public static final int CURSOR_TYPE_NO_CURSOR = 0;
    public static final int CURSOR_TYPE_READ_ONLY = 1;
    public static final int CURSOR_TYPE_FOR_UPDATE = 2;
    public static final int CURSOR_TYPE_SCROLLABLE = 4;
    /** MySQL, with CLIENT_QUERY_ATTRIBUTES: parameter_count is sent even for a statement without '?'. */
    public static final int PARAMETER_COUNT_AVAILABLE = 8;
    /** MariaDB: the statement prepared last on this connection. */
    public static final long LAST_PREPARED = 0xFFFF_FFFFL;

    public ComStmtExecute {
        parameters = List.copyOf(parameters);
    }

    public static ComStmtExecute of(long statementId, List<BoundParameter> parameters) {
        return new ComStmtExecute(statementId, CURSOR_TYPE_NO_CURSOR, 1, true, parameters);
    }

    /** True when the client asked for a cursor: rows then come by COM_STMT_FETCH. */
    public boolean opensCursor() {
        return (flags & (CURSOR_TYPE_READ_ONLY | CURSOR_TYPE_FOR_UPDATE | CURSOR_TYPE_SCROLLABLE)) != 0;
    }

    public static ComStmtExecute decode(ByteBuf buf, long capabilities, StatementParams statements) {
        Commands.header(buf, Command.COM_STMT_EXECUTE);
        long id = Wire.readInt4(buf, "COM_STMT_EXECUTE statement_id");
        int flags = Wire.readInt1(buf, "COM_STMT_EXECUTE flags");
        long iterations = Wire.readInt4(buf, "COM_STMT_EXECUTE iteration_count");
        int declared = statements.paramCount(id);
        if (declared < 0) {
            throw new ProtocolException("COM_STMT_EXECUTE statement_id: " + id + " is not a prepared statement");
        }
        boolean attributes = Capability.has(capabilities, Capability.CLIENT_QUERY_ATTRIBUTES);
        int count = declared;
        if (declared > 0 || (attributes && (flags & PARAMETER_COUNT_AVAILABLE) != 0)) {
            if (attributes) {
                long sent = Wire.readLenencInt(buf, "COM_STMT_EXECUTE parameter_count");
                if (sent < declared || sent > declared + buf.readableBytes()) {
                    throw new ProtocolException("COM_STMT_EXECUTE parameter_count: " + Long.toUnsignedString(sent)
                            + " (expected: >= " + declared + " and not beyond the packet)");
                }
                count = (int) sent;
            }
        }
        List<BoundParameter> params = List.of();
        boolean bound = false;
        if (count > 0) {
            List<BinaryType> previous = statements.boundTypes(id);
            ParameterBlock.Decoded d = ParameterBlock.decode(buf, count, attributes, previous, "COM_STMT_EXECUTE");
            params = d.parameters();
            bound = d.newParamsBound();
        }
        Wire.expectEnd(buf, "COM_STMT_EXECUTE");
        return new ComStmtExecute(id, flags, iterations, bound, params);
    }

    @Override
    public Command command() {
        return Command.COM_STMT_EXECUTE;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_STMT_EXECUTE.code());
        Wire.writeInt4(out, statementId);
        out.writeByte(flags);
        Wire.writeInt4(out, iterationCount);
        boolean attributes = Capability.has(capabilities, Capability.CLIENT_QUERY_ATTRIBUTES);
        if (attributes && (!parameters.isEmpty() || (flags & PARAMETER_COUNT_AVAILABLE) != 0)) {
            Wire.writeLenencInt(out, parameters.size());
        }
        if (!parameters.isEmpty()) {
            ParameterBlock.encode(out, parameters, newParamsBound, attributes);
        }
    }

    /** The types this execution binds, for {@link StatementParams#boundTypes} of later executions. */
    public List<BinaryType> parameterTypes() {
        return parameters.stream().map(BoundParameter::type).toList();
    }
}
