package dev.sluice.proxy.session;

import dev.sluice.backend.pool.PooledConnection;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.session.prepared.PreparedStatements;
import dev.sluice.proxy.session.prepared.Routing;
import dev.sluice.proxy.session.prepared.ServerStatements;
import dev.sluice.proxy.session.prepared.StatementContext;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Transaction mode: a session's prepared statements, under Sluice's ids ({@link PreparedStatements}), so that they
 * work on whichever connection serves the session next and a COM_STMT_PREPARE no longer pins it. This class connects
 * the component to the session: the prepare's answer (the id rewritten, in {@link ResponseRelay}), the commands naming
 * a statement (answered here, forwarded with the connection's id, or prepared there first by {@link
 * ReprepareExchange}), the ends of their answers (cursors), and the ends of leases.
 *
 * <p>In session mode none of this is used: ids pass through unchanged. On the session's event loop only.
 */
final class PreparedDispatch implements ResponseRelay.PrepareIds {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.sluice.proxy.connection");
    private final ClientSession session;
    private final ServerSide server;
    private final SessionTracker tracker;
    private final PreparedStatements statements = new PreparedStatements();
    private StatementContext context;

    PreparedDispatch(ClientSession session, ServerSide server, SessionTracker tracker) {
        this.session = session;
        this.server = server;
        this.tracker = tracker;
    }

    /** The commands that name a prepared statement by its id. */
    static boolean names(Command command) {
        return switch (command) {
            case COM_STMT_EXECUTE,
                    COM_STMT_BULK_EXECUTE,
                    COM_STMT_SEND_LONG_DATA,
                    COM_STMT_FETCH,
                    COM_STMT_RESET,
                    COM_STMT_CLOSE -> true;
            default -> false;
        };
    }

    /** Whether the queued command needs a server connection (one naming a statement may be answered here). */
    /** A COM_STMT_EXECUTE of a statement that only reads (the read/write split may send it to a reader). */
    /** The text of the statement a COM_STMT_EXECUTE ({@code payload}) runs; null when unknown. */
    byte[] textOf(io.netty.buffer.ByteBuf payload) {
        return statements.textOf(payload);
    }

    boolean executesRead(Packet packet) {
        return statements.executesRead(packet.payload());
    }

    boolean needsConnection(Packet packet) {
        ByteBuf payload = packet.payload();
        Command command = payload.isReadable() ? commandOf(payload) : null;
        if (command == null || !names(command)) {
            return true;
        }
        return payload.readableBytes() >= 5 && statements.needsConnection(payload);
    }

    private static Command commandOf(ByteBuf payload) {
        return Command.of(payload.getUnsignedByte(payload.readerIndex()));
    }

    /** The session's context now; the same object while the database and settings are (they are kept strings). */
    private StatementContext context() {
        String database = tracker.database();
        String settings = tracker.parseSettings();
        StatementContext c = context;
        if (c == null || c.database() != database || c.settings() != settings) {
            c = new StatementContext(database, settings);
            context = c;
        }
        return c;
    }

    // ---- COM_STMT_PREPARE ----------------------------------------------------------------------------

    /** Before a client's prepare: the ERR to answer instead (the session holds too many statements), or null. */
    ErrPacket refusePrepare() {
        ErrPacket err = statements.refusePrepare();
        if (err != null) {
            statements.prepareFailed();
        }
        return err;
    }

    /** The client's prepare (its text as written to the server) goes out now. */
    void prepareSent(ByteBuf payload) {
        statements.prepareSent(payload, context());
    }

    @Override
    public long prepareOk(ByteBuf payload) {
        return statements.prepareOk(payload, server.statements());
    }

    @Override
    public void prepareFailed() {
        statements.prepareFailed();
    }

    // ---- commands naming a statement -----------------------------------------------------------------

    /**
     * A client's command naming a statement, already counted and tracked by the session: answered here, or sent on
     * the held connection ({@code connected}). Returns the exchange reading its answer, or null when none follows.
     */
    Exchange start(Packet packet, Command command, LocalInfileGuard files, boolean connected) {
        ByteBuf payload = packet.payload();
        if (payload.readableBytes() < 5) {
            packet.release();
            session.output().write(ProxyErrors.malformed(command.name() + " without a statement id"));
            return null;
        }
        boolean cursor = StatementRecognition.cursorRequested(command, payload);
        Routing routing;
        try {
            routing = statements.route(
                    payload, connected ? server.statements() : null, context(), server.capabilities(), server.alloc());
        } catch (ProtocolException e) {
            // an execution too short for its statement's parameters (released by the routing): the server's answer
            LOG.debug("session {}: {}", session.id(), e.getMessage());
            session.output().write(ProxyErrors.wrongArguments("mysqld_stmt_execute"));
            return null;
        }
        if (routing instanceof Routing.Answer answer) {
            session.output().write(answer.err());
            return null;
        } else if (routing instanceof Routing.AnswerOk) {
            session.output().write(OkPacket.of(0, 0, session.status().flags(), 0));
            return null;
        } else if (routing instanceof Routing.Forward f) {
            List<ByteBuf> out = new ArrayList<>(2);
            server.statements().writePendingCloses(server.alloc(), out::add);
            out.add(f.payload());
            ResponseRelay relay = f.hasResponse() ? relay(command, f.clientId(), cursor, files) : null;
            server.sendCommands(out, f.hasResponse());
            return relay;
        } else if (routing instanceof Routing.Prepare p) {
            ReprepareExchange exchange = new ReprepareExchange(
                    this, server, session.output(), p, command, () -> relay(command, p.clientId(), cursor, files));
            exchange.start(server.alloc());
            return exchange;
        }
        return null; // Drop
    }

    /** The relay of the answer to a client's statement command, which tells the statements how it ended. */
    private ResponseRelay relay(Command command, long clientId, boolean cursor, LocalInfileGuard files) {
        ResponseRelay relay = session.relay(command, cursor, files);
        relay.afterResponse(() -> {
            if (command == Command.COM_STMT_EXECUTE || command == Command.COM_STMT_BULK_EXECUTE) {
                statements.executeEnded(clientId, !relay.failed() && relay.cursorOpen());
            } else if (command == Command.COM_STMT_FETCH) {
                statements.fetchEnded(clientId, relay.endStatus());
            }
        });
        return relay;
    }

    /** Sluice's own commands moved the connection out of the session's database: the one to go back to, or null. */
    String sessionDatabase() {
        return tracker.database();
    }

    // ---- pins and leases -----------------------------------------------------------------------------

    /** Tells the keeper what the statements hold on the connection now (long data, a cursor). */
    void pins(LeaseKeeper keeper) {
        keeper.prepared(statements.pinnedByLongData(), statements.pinnedByCursor());
    }

    /** The session's lease of {@code connection} ends (given back, reset, discarded or lost). */
    void leaseEnded(PooledConnection connection) {
        if (connection.attachment() instanceof ServerStatements s) {
            s.released();
        }
        statements.leaseEnded();
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER: the server closes every statement of the session's connection. */
    void clear() {
        statements.clear();
        if (server.isHeld()) {
            server.statements().forgetAll();
        }
    }
}
