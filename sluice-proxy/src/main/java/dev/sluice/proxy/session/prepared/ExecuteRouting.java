package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.Command;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * Routing of the commands that run a client statement on a server statement (COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE)
 * or put data on it (COM_STMT_SEND_LONG_DATA): which server statement, which types it must carry, and what the
 * client statement holds afterwards.
 */
final class ExecuteRouting {
    private ExecuteRouting() {}

    static Routing execute(
            ClientStatement c,
            ByteBuf payload,
            Command command,
            ServerStatements connection,
            StatementContext current,
            long capabilities,
            ByteBufAllocator alloc) {
        boolean bulk = command == Command.COM_STMT_BULK_EXECUTE;
        byte[] sent;
        boolean cursor;
        try {
            sent = bulk
                    ? StatementPackets.bulkTypes(payload, c.params)
                    : StatementPackets.executeTypes(payload, c.params);
            cursor = !bulk && StatementPackets.cursorType(payload) != 0;
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
        if (sent != null) {
            c.lastTypes = sent;
        }
        if (c.longDataFailure != null) {
            // the long data never reached a server statement: the execution fails as the prepare for it did
            Routing answer = new Routing.Answer(c.longDataFailure);
            c.longDataFailure = null;
            payload.release();
            return answer;
        }
        ServerStatements.Entry entry = c.held != null ? c.held : connection.find(c.key);
        ServerStatements held = c.held != null ? c.heldOn : connection;
        if (entry != null) {
            boolean addTypes = sent == null && c.lastTypes != null && !Arrays.equals(entry.boundTypes, c.lastTypes);
            ByteBuf out = addTypes ? withTypes(alloc, payload, bulk, c) : payload;
            StatementPackets.setStatementId(out, entry.serverId);
            if (sent != null || addTypes) {
                entry.boundTypes = c.lastTypes;
            }
            executed(c, held, entry, cursor);
            return new Routing.Forward(c.clientId, out, true);
        }
        // a fresh statement holds no types: an execution without them gets the client's
        boolean addTypes = sent == null && c.lastTypes != null && c.params > 0;
        ByteBuf out = addTypes ? withTypes(alloc, payload, bulk, c) : payload;
        byte[] typesOnServer = sent != null || addTypes ? c.lastTypes : null;
        Reprepare reprepare = new Reprepare(
                c.key,
                connection,
                current,
                capabilities,
                id -> StatementPackets.withStatementId(out, id),
                serverId -> {
                    ServerStatements.Entry fresh = connection.added(c.key, serverId, c.params);
                    fresh.boundTypes = typesOnServer;
                    executed(c, connection, fresh, cursor);
                },
                failure -> {},
                out::release);
        return new Routing.Prepare(c.clientId, reprepare, true);
    }

    /** A copy carrying the client's types (the original released). */
    private static ByteBuf withTypes(ByteBufAllocator alloc, ByteBuf payload, boolean bulk, ClientStatement c) {
        try {
            return bulk
                    ? StatementPackets.bulkWithTypes(alloc, payload, c.params, c.lastTypes)
                    : StatementPackets.executeWithTypes(alloc, payload, c.params, c.lastTypes);
        } finally {
            payload.release();
        }
    }

    /**
     * After an execution is routed to {@code entry}: its long data is consumed; with a cursor asked for, the entry is
     * held until {@link PreparedStatements#executeEnded} says no cursor opened, or the cursor ends; without, an entry
     * held before (an earlier cursor, which this execution closes on the server) is shared again.
     */
    private static void executed(ClientStatement c, ServerStatements on, ServerStatements.Entry entry, boolean cursor) {
        c.longData = false;
        if (cursor) {
            c.hold(on, entry);
            c.cursor = true;
        } else if (c.held != null) {
            c.unhold();
        }
    }

    static Routing longData(
            ClientStatement c,
            ByteBuf payload,
            ServerStatements connection,
            StatementContext current,
            long capabilities,
            ByteBufAllocator alloc) {
        if (c.longDataFailure != null) {
            payload.release(); // the statement could not be prepared for the first part: the next execution says why
            return new Routing.Drop();
        }
        ServerStatements.Entry entry = c.held != null ? c.held : connection.find(c.key);
        if (entry != null) {
            holdForLongData(c, c.held != null ? c.heldOn : connection, entry);
            StatementPackets.setStatementId(payload, entry.serverId);
            return new Routing.Forward(c.clientId, payload, false);
        }
        Reprepare reprepare = new Reprepare(
                c.key,
                connection,
                current,
                capabilities,
                id -> StatementPackets.withStatementId(payload, id),
                serverId -> holdForLongData(c, connection, connection.added(c.key, serverId, c.params)),
                failure -> c.longDataFailure = failure,
                payload::release);
        return new Routing.Prepare(c.clientId, reprepare, false);
    }

    private static void holdForLongData(ClientStatement c, ServerStatements on, ServerStatements.Entry entry) {
        c.hold(on, entry);
        c.longData = true;
    }
}
