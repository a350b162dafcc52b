package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * What a client's command is and who answers it: Sluice itself (malformed and unsupported commands, KILL, locally
 * answered statements, COM_QUIT, COM_RESET_CONNECTION in transaction mode, prepared-statement commands Sluice
 * answers), or the server, through the exchange that relays its answer ({@link ResponseRelay}, {@link
 * ChangeUserExchange}, the prepared path's exchanges), which it hands to the session with {@link
 * ClientSession#run}. {@link ClientSession} decides when a command starts (one at a time, once a connection is
 * held); this class only starts it. Runs on the session's event loop.
 */
final class CommandStarter {
    private final ClientSession session;
    private final Channel client;
    private final long clientCapabilities;
    private final ClientOutput output;
    private final ServerSide server;
    private final StatementRecognition statements;
    private final SessionStatus status;
    private final CommandQueue queue;
    private final LeaseKeeper keeper;
    private final boolean multiplexed;
    /** Transaction mode's glue; null in session mode. */
    private final TransactionMode transaction;
    /** The prepared path across connections; null when statements go to the server as they are. */
    private final PreparedDispatch prepared;

    private long commands;

    CommandStarter(
            ClientSession session,
            Channel client,
            long clientCapabilities,
            ClientOutput output,
            ServerSide server,
            StatementRecognition statements,
            SessionStatus status,
            CommandQueue queue,
            LeaseKeeper keeper,
            TransactionMode transaction,
            PreparedDispatch prepared) {
        this.session = session;
        this.client = client;
        this.clientCapabilities = clientCapabilities;
        this.output = output;
        this.server = server;
        this.statements = statements;
        this.status = status;
        this.queue = queue;
        this.keeper = keeper;
        this.multiplexed = transaction != null;
        this.transaction = transaction;
        this.prepared = prepared;
    }

    /** The commands started so far (for the session's last log line). */
    long commands() {
        return commands;
    }

    /** Starts the command at the head of the session's queue: answers it, or sends it with the exchange that relays its answer. */
    void start(Packet packet) {
        output.sequence().beginResponse(packet.lastSequenceId());
        ByteBuf payload = packet.payload();
        if (!payload.isReadable()) {
            packet.release();
            output.write(ProxyErrors.malformed("empty command packet"));
            return;
        }
        int code = payload.getUnsignedByte(payload.readerIndex());
        Command command = Command.of(code);
        if (command == null) {
            packet.release();
            output.write(ProxyErrors.unknownCommand(code));
            return;
        }
        commands++;
        session.observer()
                .begin(
                        command,
                        payload,
                        session.user(),
                        session.database(),
                        command == Command.COM_STMT_EXECUTE && prepared != null ? prepared.textOf(payload) : null,
                        status.noBackslashEscapes());
        switch (command) {
            case COM_QUIT -> {
                packet.release();
                session.close("client quit", false);
            }
            case COM_QUERY -> {
                Exchange handOver = multiplexed ? transaction.handOverTrackers(packet) : null;
                if (handOver != null) {
                    session.run(handOver);
                } else {
                    startQuery(packet);
                }
            }
            case COM_PROCESS_KILL -> KillCommands.processKill(session, packet);
            case COM_STMT_PREPARE -> startPrepare(packet);
            case COM_STMT_EXECUTE, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_SET_OPTION, COM_RESET_CONNECTION -> {
                if (statements.preparedLoads().refusedLast(command, packet.payload())) {
                    packet.release(); // "the statement prepared last" is one Sluice refused: never the server's
                    if (command.hasResponse()) {
                        output.write(ProxyErrors.killNotTranslated("KILL as a prepared statement"));
                    }
                } else if (multiplexed && command == Command.COM_RESET_CONNECTION) {
                    resetConnection(packet);
                } else if (prepared != null && command != Command.COM_SET_OPTION) {
                    statementCommand(packet, command);
                } else {
                    forward(packet, command, statements.track(command, packet.payload()));
                }
            }
            case COM_STMT_BULK_EXECUTE, COM_STMT_FETCH, COM_STMT_RESET -> {
                if (prepared != null) {
                    statementCommand(packet, command);
                } else {
                    forward(packet, command, null);
                }
            }
            case COM_CHANGE_USER -> startChangeUser(packet);
            case COM_BINLOG_DUMP,
                    COM_BINLOG_DUMP_GTID,
                    COM_REGISTER_SLAVE,
                    COM_CONNECT_OUT,
                    COM_DAEMON,
                    COM_CONNECT,
                    COM_TABLE_DUMP,
                    COM_DELAYED_INSERT,
                    COM_SHUTDOWN -> {
                packet.release();
                output.write(ProxyErrors.unsupportedCommand(command.name()));
            }
            default -> forward(packet, command, null);
        }
    }

    /**
     * COM_QUERY: most statements go to the server without being looked at beyond a few bytes and one pass for
     * {@code (} and {@code ;} ({@link StatementScanner#isPlain}); the others are scanned, for the KILL id mapping,
     * the LOCAL INFILE policy, {@code CONNECTION_ID()} and the locally answered {@code SHOW STATUS LIKE 'Ssl%'}.
     */
    private void startQuery(Packet packet) {
        ByteBuf payload = packet.payload();
        statements.remember(payload);
        int from = payload.readerIndex() + 1;
        if (StatementScanner.isPlain(payload, from, payload.writerIndex(), statements.multiStatements())) {
            forward(packet, Command.COM_QUERY, null);
            return;
        }
        QueryPlan plan = QueryPlan.of(session, packet);
        if (plan.answer() != null) {
            packet.release();
            output.write(plan.answer());
        } else if (plan.kill() != null) {
            packet.release();
            KillCommands.kill(session, plan.kill());
        } else if (plan.sslPattern() != null) {
            packet.release();
            LocalAnswers.writeVariables(session, LocalAnswers.sslStatus(client, plan.sslPattern()));
        } else {
            forwardPlanned(packet, plan, Command.COM_QUERY);
        }
    }

    /** Forwards the client's text, or the rewritten one in its place, with the files it may be asked for. */
    private void forwardPlanned(Packet packet, QueryPlan plan, Command command) {
        Packet out = plan.rewritten() != null ? new Packet(packet.lastSequenceId(), plan.rewritten()) : packet;
        if (out != packet) {
            packet.release();
        }
        forward(out, command, plan.localFiles());
    }

    /** COM_STMT_PREPARE: as a COM_QUERY text, but KILL cannot be prepared through Sluice (its id is a parameter). */
    private void startPrepare(Packet packet) {
        ByteBuf payload = packet.payload();
        ErrPacket refused = prepared != null ? prepared.refusePrepare() : null;
        if (refused != null) {
            packet.release();
            output.write(refused);
            return;
        }
        if (StatementScanner.isPlain(payload, payload.readerIndex() + 1, payload.writerIndex(), false)) {
            forward(packet, Command.COM_STMT_PREPARE, null);
            return;
        }
        QueryPlan plan = QueryPlan.ofPrepare(session, packet);
        if (plan.answer() != null) {
            packet.release();
            statements.preparedLoads().refused();
            if (prepared != null) {
                prepared.prepareFailed();
            }
            output.write(plan.answer());
            return;
        }
        forwardPlanned(packet, plan, Command.COM_STMT_PREPARE);
    }

    private void startChangeUser(Packet packet) {
        ComChangeUser request;
        try {
            request = ComChangeUser.decode(packet.payload().duplicate(), clientCapabilities);
        } catch (ProtocolException e) {
            output.write(ProxyErrors.malformed(e.getMessage()));
            session.close("malformed COM_CHANGE_USER: " + e.getMessage(), true);
            return;
        } finally {
            packet.release();
        }
        statements.preparedLoads().clear();
        if (prepared != null) {
            prepared.clear();
        }
        session.run(ChangeUserExchange.start(session, request));
    }

    private void forward(Packet packet, Command command, LocalInfileGuard localFiles) {
        forward(packet, command, localFiles, true);
    }

    /**
     * Sends a command Sluice made (a client's KILL mapped to a server thread) as it is; {@code afterResponse} runs
     * once its response is complete or abandoned (a KILL's target stays held until then).
     */
    void forwardOwn(Packet packet, Command command, Runnable afterResponse) {
        ResponseRelay relay = forward(packet, command, null, false);
        if (relay != null) {
            relay.afterResponse(afterResponse);
        }
    }

    /**
     * @param fromClient the packet is the client's own (it can wait in the queue for another connection);
     *     false for one Sluice made (a KILL mapped to a server thread), which is sent as it is
     */
    private ResponseRelay forward(Packet packet, Command command, LocalInfileGuard localFiles, boolean fromClient) {
        if (fromClient && deadBeforeFirstCommand(packet)) {
            return null;
        }
        if (multiplexed && fromClient) {
            keeper.command(command, packet, status.noBackslashEscapes());
            if (command == Command.COM_STMT_PREPARE && prepared != null) {
                prepared.prepareSent(packet.payload());
            }
        }
        boolean hasResponse = command.hasResponse();
        ResponseRelay relay = null;
        if (hasResponse) {
            relay = relay(command, StatementRecognition.cursorRequested(command, packet.payload()), localFiles);
            session.run(relay);
        }
        server.sendCommand(packet, hasResponse);
        return relay;
    }

    /**
     * Transaction mode: a command naming a prepared statement (Sluice's id), answered by Sluice or sent with the
     * held connection's id.
     */
    private void statementCommand(Packet packet, Command command) {
        boolean connected = prepared.needsConnection(packet);
        if (connected && deadBeforeFirstCommand(packet)) {
            return;
        }
        LocalInfileGuard files = statements.track(command, packet.payload());
        if (connected) {
            keeper.command(command, packet, status.noBackslashEscapes());
        }
        Exchange started = prepared.start(packet, command, files, connected);
        session.run(started != null && started.isComplete() ? null : started);
    }

    /** The relay of a client command's answer. */
    ResponseRelay relay(Command command, boolean cursorRequested, LocalInfileGuard localFiles) {
        ResponseRelay relay = new ResponseRelay(
                output,
                server,
                status,
                statements.preparedLoads(),
                session.localInfileEnabled(),
                command,
                cursorRequested,
                localFiles,
                multiplexed ? payload -> transaction.filterOk(payload, client.alloc()) : null);
        if (prepared != null && command == Command.COM_STMT_PREPARE) {
            relay.prepareIds(prepared);
        }
        return relay;
    }

    /** True (and the command queued again) when a first command must wait for another connection. */
    private boolean deadBeforeFirstCommand(Packet packet) {
        if (server.deadBeforeFirstCommand()) {
            // Provably nothing of it left: the connection died (or is about to be closed for idleness by the
            // server) before this first write. Another one takes it.
            queue.addFirst(packet);
            session.observer().requeued();
            server.reacquire(
                    server.isActive()
                            ? "server connection idle too long for a first command"
                            : "server connection closed before the first command");
            return true;
        }
        return false;
    }

    /** Transaction mode: COM_RESET_CONNECTION, answered by Sluice (see {@link TransactionMode#resetConnection}). */
    private void resetConnection(Packet packet) {
        statements.track(Command.COM_RESET_CONNECTION, io.netty.buffer.Unpooled.EMPTY_BUFFER);
        if (prepared != null) {
            prepared.clear();
        }
        transaction.resetConnection(packet);
    }
}
