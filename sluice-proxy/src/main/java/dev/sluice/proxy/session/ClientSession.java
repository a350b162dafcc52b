package dev.sluice.proxy.session;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.frontend.AuthenticatedClient;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after its login: its commands go to a server one at a time, in order (pipelined commands
 * queue here, bounded by {@link CommandQueue}), and each response is relayed back by an {@link Exchange}. The parts
 * with one job each: {@link ClientOutput} (what goes to the client), {@link ServerSide} (the leased server
 * connection), {@link StatementRecognition} (what the statements are), {@link SessionStatus} (the server's state
 * flags), {@link TransactionMode} (in pool.mode transaction: what makes the session's state follow it, and when the
 * connection goes back), {@link CommandStarter} (what each command is and who answers it). This class runs the queue
 * (one command at a time, started once a connection is held), passes the server's and the client's events to the
 * exchange in flight, and ends the session.
 *
 * <p>Both channels live on the same event loop (server connections are leased on the client's loop), so nothing
 * here needs a lock. Backpressure both ways: a client that reads slowly stops the server channel's reads, a
 * server that reads slowly (any command, LOCAL INFILE data) stops the client's.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private enum State {
        OPEN,
        /** No server connection could be had; the next command is answered with why, then close. */
        FAILED,
        CLOSED
    }

    private final ProxyContext context;
    private final AuthenticatedClient login;
    private final Channel client;
    private final ClientOutput output;
    private final ServerSide server;
    private final StatementRecognition statements;
    private final SessionStatus status = new SessionStatus();
    private final CommandQueue queue = new CommandQueue();
    /** pool.mode transaction: the server connection is held only while the session needs it (see LeaseKeeper). */
    private final boolean multiplexed;

    private final LeaseKeeper keeper;
    /** A command is being started (see {@link #dispatch}): a drain called back meanwhile returns at once. */
    private boolean dispatching;
    /** Transaction mode: the session's state, following it from connection to connection; null in session mode. */
    private final SessionTracker tracker;
    /**
     * Statements prepared with COM_STMT_PREPARE are re-prepared on whichever connection runs them (PreparedDispatch);
     * false makes a prepare pin the session (reason prepared-statement) instead. It was off for a while after two
     * full suite runs stalled with it on; neither stall was reproduced since (a full integration run, 28 runs of
     * DriverLargeBlobTest's prepared cases, 22 sysbench oltp_read_write runs through a pool of 4 and of 64), and a
     * failure in a lease task now ends the session with an ERR instead of leaving it waiting ({@link #guarded}).
     */
    static final boolean PREPARED_ACROSS_CONNECTIONS = true;

    /** Transaction mode's glue (re-apply, read-back, trackers, reset, give-back); null in session mode. */
    private final TransactionMode transaction;

    /** Transaction mode with {@link #PREPARED_ACROSS_CONNECTIONS}; null otherwise. */
    private final PreparedDispatch prepared;

    /** What each command is and who answers it. */
    private final CommandStarter starter;

    /** Where each lease goes, the wait for a writer, and state lost with a connection. */
    private final RoutedLeases leases;
    /** The client commands' counts, latencies, errors and digests, for the process-wide statistics. */
    private final StatementObserver observer;

    private State state = State.OPEN;
    private Exchange current;
    /** System.nanoTime() when the last command was started (for the admin interface). */
    private long commandStarted;

    private ErrPacket leaseFailure;
    /** Sluice is stopping: the session ends once between statements outside a transaction (see SessionDrain). */
    private boolean draining;

    public ClientSession(
            ProxyContext context, AuthenticatedClient login, Channel client, PacketSequence clientSequence) {
        this.context = context;
        this.login = login;
        this.client = client;
        this.output = new ClientOutput(client, login.capabilities(), clientSequence);
        this.observer = new StatementObserver(context.stats(), login.sessionId());
        output.observe(observer, context.stats());
        this.server = new ServerSide(
                this,
                context,
                client.eventLoop(),
                login.capabilities(),
                login.user(),
                login.database(),
                login.collationId());
        this.statements =
                new StatementRecognition(Capability.has(login.capabilities(), Capability.CLIENT_MULTI_STATEMENTS));
        this.multiplexed = context.config().pool().mode() == PoolMode.TRANSACTION;
        this.keeper = new LeaseKeeper(login.sessionId());
        this.tracker =
                multiplexed ? new SessionTracker(login.capabilities(), login.collationId(), login.database()) : null;
        SessionRouting routing = new SessionRouting(context, multiplexed);
        this.transaction = multiplexed
                ? new TransactionMode(
                        id(),
                        server,
                        output,
                        keeper,
                        tracker,
                        status,
                        queue,
                        routing,
                        context.config().routing().causalReadTimeout())
                : null;
        this.prepared = multiplexed && PREPARED_ACROSS_CONNECTIONS ? new PreparedDispatch(this, server, tracker) : null;
        this.leases =
                new RoutedLeases(this, context, server, keeper, status, tracker, prepared, routing, client.eventLoop());
        this.starter = new CommandStarter(
                this,
                client,
                login.capabilities(),
                output,
                server,
                statements,
                status,
                queue,
                keeper,
                transaction,
                prepared);
    }

    public long id() {
        return login.sessionId();
    }

    public String user() {
        return server.user().name();
    }

    StatementObserver observer() {
        return observer;
    }

    /** The server thread behind this session as KILLs of other sessions take it. */
    ServerThread thread() {
        return server.thread();
    }

    ClientOutput output() {
        return output;
    }

    ServerSide serverSide() {
        return server;
    }

    SessionStatus status() {
        return status;
    }

    ProxyContext context() {
        return context;
    }

    String remoteHost() {
        return login.remoteAddress();
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    boolean localInfileEnabled() {
        return context.config().localInfile();
    }

    PreparedLoads preparedLoads() {
        return statements.preparedLoads();
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return client.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- what the admin interface reads (on the session's loop, see SessionViews) ----

    Exchange running() {
        return current;
    }

    long commandStarted() {
        return commandStarted;
    }

    String lastStatement() {
        return statements.last();
    }

    LeaseKeeper keeper() {
        return keeper;
    }

    RoutedLeases leases() {
        return leases;
    }

    Channel channel() {
        return client;
    }

    /** The session's current database (in session mode: as it logged in or last changed user); null for none. */
    public String database() {
        return tracker != null ? tracker.database() : server.database();
    }

    // ---- start -------------------------------------------------------------------------------------

    /**
     * Installed in place of the handshake handler, right after the client's login OK: from here on client
     * packets are commands (which may arrive pipelined, before the server connection is ready: they queue).
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Timeouts timeouts = context.config().timeouts();
        if (timeouts.clientIdle() != null) {
            ctx.pipeline()
                    .addBefore(
                            ctx.name(),
                            "client-idle",
                            new IdleStateHandler(timeouts.clientIdle().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        }
        output.start(ctx.pipeline().get(PacketEncoder.class), timeouts.clientWrite(), this::onClientWriteTimeout);
        output.sequence().commandMode();
        context.registry().register(this);
        if (!multiplexed) {
            leases.lease(null); // for the session's life
        }
    }

    /** A server connection was leased; {@code greetingStatus} is its server's state flags at login. */
    void onLeased(int greetingStatus) {
        if (!multiplexed) {
            status.server(greetingStatus);
        } else if (server.isActive()) {
            dispatching = true; // Sluice's re-apply is written before current holds it: see dispatch
            try {
                current = transaction.leased();
            } finally {
                dispatching = false;
            }
        }
        if (server.isActive()) {
            drainQueue();
        }
    }

    /**
     * @param unreachable the server the lease failed on when it could not be reached (null for a refusal: user,
     *     trust, capacity); a writer that cannot be reached makes the command wait for a writer, as in a failover
     */
    void onLeaseFailed(ErrPacket err, Throwable failure, String unreachable) {
        if (state == State.CLOSED) {
            return;
        }
        if (!queue.isEmpty() && leases.unreachable(queue.peek(), unreachable, failure)) {
            return;
        }
        if (multiplexed && !queue.isEmpty()) {
            // the session stays: this command fails as the server would refuse a connection, the next one tries again
            LOG.warn(
                    "session {}: cannot open a connection to server {}: {} ({}); the command gets the ERR, the session goes on",
                    id(),
                    server.server().name(),
                    err,
                    failure.getMessage());
            failHead(err);
            drainQueue();
            return;
        }
        LOG.warn(
                "session {}: cannot open a connection to server {}: {} ({})",
                id(),
                server.server().name(),
                err,
                failure.getMessage());
        state = State.FAILED;
        leaseFailure = err;
        drainQueue();
    }

    // ---- client → server --------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Packet packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == State.CLOSED) {
            packet.release();
            return;
        }
        output.received(packet.payload().readableBytes());
        if (current != null && current.awaitingClientData()) {
            current.onClientData(packet);
            return;
        }
        queue.add(packet);
        drainQueue();
    }

    private void drainQueue() {
        if (dispatching) {
            return; // called back from within a write (the server's writability): the drain under way goes on
        }
        if (state == State.FAILED && !queue.isEmpty()) {
            failHead(leaseFailure);
            close("server connection failed: " + leaseFailure.message(), true);
            return;
        }
        if (draining && drainedOut()) {
            return;
        }
        // a server not taking what was written holds the next command here, whatever its kind (one without a
        // response, such as COM_STMT_SEND_LONG_DATA, would otherwise pile up in the server channel's buffer)
        while (state == State.OPEN && current == null && !queue.isEmpty()) {
            if (!server.isHeld()
                    && multiplexed
                    && (isQuit(queue.peek()) || (prepared != null && !prepared.needsConnection(queue.peek())))) {
                dispatch(queue.poll()); // COM_QUIT, or a statement command Sluice answers itself: no lease for it
                continue;
            }
            if (leases.lost() != null) {
                failHead(leases.lost());
                close("its server connection, and the state the session held there, are gone", true);
                return;
            }
            if (!server.isHeld()) {
                if (leases.mayLease()) {
                    leases.lease(queue.peek());
                }
                break;
            }
            if (current == null && leases.switchSides(queue.peek())) {
                // the next command belongs on the other side (a write after a read on a reader, or the reverse)
                current = transaction.giveBackIfFree();
                if (current != null || server.isHeld()) {
                    break;
                }
                continue;
            }
            if (!server.takesWrites()) {
                LOG.trace("session {}: the server takes no writes now; {} commands wait", id(), queue.size());
                break;
            }
            leases.starting(queue.peek());
            dispatch(queue.poll());
        }
        if (multiplexed && state == State.OPEN && current == null && queue.isEmpty() && server.isHeld()) {
            giveBackIfFree();
        }
        updateClientReads();
        output.flush();
    }

    /** Drains the queue (for {@link RoutedLeases}, whose waits end on their own). */
    void drain() {
        drainQueue();
    }

    /** Answers the command at the head of the queue with {@code err} (it was not sent). */
    void failHead(ErrPacket err) {
        if (state == State.CLOSED) {
            return;
        }
        Packet first = queue.poll();
        if (first == null) {
            return;
        }
        output.sequence().beginResponse(first.lastSequenceId());
        first.release();
        output.write(err);
    }

    /**
     * The writer moved to {@code writer} (called from the monitor's thread): a statement in flight on the old writer
     * ends with an ERR saying it may or may not have run, and a session holding state there (a transaction, a pin) is
     * closed at its next command with an ERR saying why. Sessions on readers, or holding nothing, go on unaffected.
     */
    public void writerMoved(dev.sluice.proxy.config.ServerConfig writer) {
        client.eventLoop()
                .execute(() -> guarded("the writer moved", () -> {
                    if (state != State.OPEN
                            || !server.isHeld()
                            || server.route() == null
                            || !server.route().toWriter()) {
                        return;
                    }
                    String old = server.server().name();
                    if (old.equals(writer.name())) {
                        return;
                    }
                    server.distrust();
                    if (current != null) {
                        answerQueued();
                        output.write(ProxyErrors.serverLost(
                                old,
                                current.commandName(),
                                current.rows(),
                                "the writer moved to server " + writer.name()));
                        server.cancel(current, "the writer moved");
                        close(
                                "the writer moved from " + old + " to " + writer.name() + " during "
                                        + current.commandName(),
                                true);
                        return;
                    }
                    leases.writerMovedBetweenStatements(old, writer);
                }));
    }

    /**
     * Starts a command with {@link #dispatching} set: writing a large command can make the server channel unwritable
     * and writable again within the write, firing its writability event, whose drain must not see the session
     * without its {@link #current} exchange (it would give the connection back with the command in flight).
     */
    private void dispatch(Packet packet) {
        commandStarted = System.nanoTime();
        dispatching = true;
        try {
            starter.start(packet);
        } finally {
            dispatching = false;
        }
        if (current == null) {
            observer.end(0, null, null); // answered by Sluice, or without an answer
        }
    }

    /** The client command's exchange {@code done} is complete: its answer came from the server held now. */
    private void observeEnd(Exchange done) {
        if (observer.active()) {
            SessionRouting.Route route = server.route();
            String group = route != null
                    ? route.group()
                    : context.config().groups().writer().name();
            observer.end(done.rows(), server.server().name(), group);
        }
    }

    private static boolean isQuit(Packet packet) {
        ByteBuf payload = packet.payload();
        return payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == Command.COM_QUIT.code();
    }

    /**
     * Reads the client only while what it sends can go somewhere: the server takes what was written to it and the
     * queue is under its bounds (see {@link CommandQueue}). Backpressure towards the client, for every command and
     * for LOCAL INFILE data; with it a session holds at most the queue's bounds, the server channel's write watermark
     * and one packet (a partial one is read to its end) from its client.
     */
    private void updateClientReads() {
        if (state == State.CLOSED) {
            return;
        }
        boolean reading = client.config().isAutoRead();
        boolean read = server.takesWrites() && (reading ? !queue.full() : queue.hasRoom());
        if (read != reading) {
            client.config().setAutoRead(read);
        }
    }

    boolean noBackslashEscapes() {
        return status.noBackslashEscapes();
    }

    /** The server connection's lease ends (ServerSide calls this before it goes back or is discarded). */
    void leaseEnding(dev.sluice.backend.pool.PooledConnection connection) {
        if (prepared != null) {
            prepared.leaseEnded(connection);
        }
    }

    /** See {@link CommandStarter#forwardOwn}: for KillCommands, which holds the session. */
    void forwardOwn(Packet packet, Command command, Runnable afterResponse) {
        starter.forwardOwn(packet, command, afterResponse);
    }

    /** The relay of a client command's answer. */
    ResponseRelay relay(Command command, boolean cursorRequested, LocalInfileGuard localFiles) {
        return starter.relay(command, cursorRequested, localFiles);
    }

    /** The exchange that now runs (set by {@link CommandStarter} as a command starts). */
    void run(Exchange exchange) {
        current = exchange;
    }

    /** Transaction mode, between commands: the connection goes back unless the session needs it. */
    private void giveBackIfFree() {
        if (prepared != null) {
            prepared.pins(keeper);
        }
        current = transaction.giveBackIfFree();
    }

    // ---- server → client (called by ServerHandler and the exchanges) -------------------------------

    /** A server packet's payload, lent for the call (see {@link dev.sluice.protocol.wire.PacketDecoder.Sink}). */
    void onServerPayload(ByteBuf payload) {
        if (state == State.CLOSED) {
            return;
        }
        if (current == null) {
            server.distrust();
            String described = server.describeUnsolicited(payload);
            var violation = dev.sluice.proxy.validate.LinkValidation.unsolicited(client, described, payload);
            if (violation != null && dev.sluice.proxy.validate.LinkValidation.enforcing(client)) {
                output.write(ProxyErrors.malformed(violation.errorMessage()));
            }
            close("server sent a packet outside any command: " + described, violation != null);
            return;
        }
        try {
            current.onServerPayload(payload);
        } catch (ProtocolException e) {
            onServerFailure(e);
            return;
        }
        if (current == null) {
            return; // the exchange ended the session
        }
        if (current.isComplete()) {
            observeEnd(current);
            boolean clientAnswer = current instanceof ResponseRelay;
            if (multiplexed) {
                if (current instanceof ResponseRelay || current instanceof ReprepareExchange) {
                    keeper.answered(!current.failed(), status);
                }
            }
            current = null;
            if (multiplexed) {
                current = transaction.afterAnswer(clientAnswer);
            }
            drainQueue();
        } else if (!output.isWritable()) {
            server.pauseReads();
        }
    }

    void onServerReadComplete() {
        server.serverRead();
        output.flush();
    }

    void onServerWritabilityChanged() {
        LOG.trace("session {}: the server connection takes writes: {}", id(), server.takesWrites());
        if (state != State.CLOSED && server.takesWrites()) {
            server.serverRead(); // it took what was written
            drainQueue(); // commands held for the server, then the client's reads
        }
    }

    void onServerInactive() {
        if (state == State.CLOSED) {
            return;
        }
        if (current == null && state == State.OPEN && server.isHeld() && server.deadBeforeFirstCommand()) {
            server.reacquire("server connection closed before the session used it");
            return;
        }
        if (current != null) {
            answerQueued();
            output.write(ProxyErrors.serverLost(
                    server.server().name(), current.commandName(), current.rows(), "the server closed the connection"));
            close(
                    "server closed the connection during " + current.commandName() + " after " + current.rows()
                            + " rows",
                    true);
        } else if (state == State.OPEN && leases.closedBetweenStatements()) {
            return; // the session held state there: its next command hears why
        } else {
            close("server closed the connection", true);
        }
    }

    /**
     * Sluice's own commands (a re-apply before the client's queued command) were cut off: the ERR about to be written
     * answers the client's command, so it carries the id after that command's last packet (the validator found it
     * stamped after the previous response instead, in the failover tests).
     */
    private void answerQueued() {
        if (current instanceof OwnExchange && !queue.isEmpty()) {
            output.sequence().beginResponse(queue.peek().lastSequenceId());
        }
    }

    void onServerFailure(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        server.distrust();
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String what = root instanceof ProtocolException ? "protocol error: " + root.getMessage() : String.valueOf(root);
        var violation = dev.sluice.proxy.validate.LinkValidation.serverFailure(client, root);
        if (violation != null) {
            what += "; " + violation.errorMessage();
        }
        if (current != null) {
            answerQueued();
            output.write(ProxyErrors.serverLost(server.server().name(), current.commandName(), current.rows(), what));
        } else if (violation != null && dev.sluice.proxy.validate.LinkValidation.enforcing(client)) {
            output.write(ProxyErrors.malformed(violation.errorMessage()));
        }
        close("server connection failed: " + what, true);
    }

    /**
     * server-read-timeout passed without a byte from the server. Returns true to keep watching: nothing was
     * overdue (waiting for the client's LOCAL INFILE data, or Sluice itself stopped reading for backpressure).
     */
    boolean onServerSilent() {
        boolean stuck = !server.takesWrites(); // what was written has waited the whole limit for the server
        if (state != State.OPEN || !server.isHeld() || (current == null && !stuck)) {
            return false; // nothing awaited; the next command arms the deadline again
        }
        if (current != null && (server.readsPaused() || (current.awaitingClientData() && !stuck))) {
            return true;
        }
        long limit = context.config().timeouts().serverRead().toMillis();
        context.stats().deadline(StatementStats.Deadline.SERVER_READ);
        server.distrust();
        if (current == null) {
            // only commands without an answer (long data) went out: there is nothing to answer, the connection goes
            close("server took nothing of what was written to it for server-read-timeout " + limit + " ms", false);
            return false;
        }
        String why = stuck
                ? "the server took nothing of what was written to it within server-read-timeout " + limit + " ms"
                : "no answer within server-read-timeout " + limit + " ms";
        why = dev.sluice.proxy.validate.LinkValidation.stalled(client, limit, current.rows(), why);
        answerQueued();
        output.write(ProxyErrors.serverLost(server.server().name(), current.commandName(), current.rows(), why));
        server.cancel(current, "server read timeout");
        close("server silent for server-read-timeout " + limit + " ms during " + current.commandName(), true);
        return false;
    }

    /**
     * COM_CHANGE_USER failed: the client hears why, and the session ends. Nothing runs on the server for it, so
     * no KILL: a refusal before the server saw the change (wrong password, no answer) gives the connection back
     * to its pool; after the server saw it, its user is unknown and it is discarded.
     */
    void refuseChangeUser(ErrPacket err, String reason, boolean serverTouched) {
        current = null;
        if (serverTouched) {
            server.userUnknown();
        }
        output.write(err);
        LOG.info("session {}: change user failed: {}", id(), reason);
        close("change user failed", true);
    }

    /** The server connection is now the new user's, with nothing of the session on it, as after a fresh login. */
    void userChanged(UserConfig user, String database, int collation) {
        LOG.info(
                "session {}: changed user from {} to {} (server user {})",
                id(),
                server.user().name(),
                user.name(),
                user.serverUser());
        server.userChanged(user, database.isEmpty() ? null : database, collation);
        if (tracker != null) {
            tracker.reset(collation, database.isEmpty() ? null : database);
        }
        keeper.reset(); // a new session on the server: nothing of the old one is left
    }

    // ---- client channel events --------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (client.isWritable()) {
            server.resumeReads();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent idle)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        // a client Sluice stopped reading (the server takes nothing) is waiting, not idle
        if (state != State.CLOSED
                && idle.state() == IdleState.READER_IDLE
                && current == null
                && queue.isEmpty()
                && client.config().isAutoRead()) {
            context.stats().deadline(StatementStats.Deadline.CLIENT_IDLE);
            close(
                    "idle longer than client-idle-timeout "
                            + context.config().timeouts().clientIdle().toMillis() + " ms",
                    false);
        }
    }

    /** The client took nothing of what was flushed to it for client-write-timeout. */
    private void onClientWriteTimeout() {
        Duration limit = context.config().timeouts().clientWrite();
        if (state == State.CLOSED) {
            // close(reason, true) waits for a last write (an ERR) that a client not reading never takes:
            // that write has the same deadline as every other
            LOG.warn(
                    "session {}: closing without delivering its last {} bytes: not taken by the client within"
                            + " client-write-timeout",
                    id(),
                    output.pending());
            client.close();
            return;
        }
        context.stats().deadline(StatementStats.Deadline.CLIENT_WRITE);
        LOG.warn(
                "session {}: client write timed out: {} bytes not taken by the client in {} ms; {} after {} rows ({})",
                id(),
                output.pending(),
                limit.toMillis(),
                current != null ? current.commandName() : "no statement",
                current != null ? current.rows() : 0,
                statements.last());
        server.cancel(current, "client write timeout");
        close("client-write-timeout " + limit.toMillis() + " ms expired", false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null && state == State.OPEN) {
            server.cancel(current, "client disconnected");
        }
        close(current != null ? "client disconnected during " + current.commandName() : "client disconnected", false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (state == State.CLOSED) {
            return;
        }
        if (root instanceof ProtocolException) {
            String message = root.getMessage();
            dev.sluice.proxy.validate.LinkValidation.clientFailure(client, (ProtocolException) root);
            if (message.startsWith("packet length")) {
                output.sequence().respondToLastInbound();
            }
            output.write(
                    message.startsWith("packet length")
                            ? ProxyErrors.packetTooLarge(message)
                            : ProxyErrors.malformed(message));
            close("bad packet from the client: " + message, true);
        } else {
            close("client connection failed: " + root, false);
        }
    }

    /**
     * Runs a task of this session that no channel handler calls (a lease completed on the loop, a timer): a failure in
     * it would otherwise be logged by the event loop and forgotten, leaving the client waiting for an answer that
     * never comes. Instead the session ends with an ERR saying so (to the command waiting, if one is).
     */
    void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("session {}: internal error in {}; the session is closed", id(), what, e);
            if (state == State.CLOSED) {
                return;
            }
            ErrPacket err = ProxyErrors.sessionInternal(what, String.valueOf(e));
            if (current != null) {
                output.write(err);
            } else {
                failHead(err); // the command waiting for the lease hears why
            }
            close("internal error in " + what + ": " + e, true);
        }
    }

    /**
     * One line for logs: where the session stands (what it waits for). Read from another thread it may be a moment
     * old; for diagnosis only.
     */
    public String describe() {
        Exchange now = current;
        return "session " + id() + ": " + state + ", " + queue.size() + " queued, "
                + (now == null
                        ? "no command running"
                        : "running " + now.commandName() + " (" + now.getClass().getSimpleName() + ")")
                + ", server connection " + (server.isHeld() ? "held" : server.isAcquiring() ? "being leased" : "none")
                + ", " + keeper.describe();
    }

    // ---- graceful drain (SessionDrain runs it) -------------------------------------------------------

    /**
     * Sluice stops (called from another thread): from now on the session ends as soon as it is between statements
     * outside a transaction. Completes with true when it was idle and ended at once, false when it goes on for now.
     */
    CompletableFuture<Boolean> drainFromOutside() {
        CompletableFuture<Boolean> idle = new CompletableFuture<>();
        client.eventLoop()
                .execute(() -> guarded("the shutdown drain", () -> {
                    draining = true;
                    drainQueue();
                    idle.complete(state == State.CLOSED);
                }));
        return idle;
    }

    /**
     * While draining: a session between statements (none running) outside a transaction ends here, with ERR 1053
     * to the command it sent meanwhile (not sent to a server), else with nothing sent.
     */
    private boolean drainedOut() {
        if (state != State.OPEN || current != null || status.inTransaction()) {
            return false;
        }
        // nothing is sent to a session with nothing in flight, as MariaDB closes its idle connections when it stops
        boolean queued = !queue.isEmpty() && !isQuit(queue.peek());
        if (queued) {
            failHead(SessionDrain.refused());
        }
        close(
                queued
                        ? "Sluice is shutting down: a statement after the drain began was refused"
                        : "Sluice is shutting down",
                true);
        return true;
    }

    /**
     * shutdown-timeout passed (called from another thread): the statement running is stopped (KILL QUERY on its server
     * by {@link #close}, which discards the connection; without a statement running the connection is reset on its way
     * back to the pool; either way an open transaction rolls back) and the client gets ERR 1053 saying what was cut.
     */
    void cutFromOutside(java.time.Duration timeout) {
        client.eventLoop()
                .execute(() -> guarded("the shutdown drain", () -> {
                    if (state == State.CLOSED) {
                        return;
                    }
                    String running = current != null ? current.commandName() : null;
                    shutdownErr(SessionDrain.cut(timeout, running, status.inTransaction()));
                    // held over close, which unregisters the session before its KILL QUERY starts
                    context.killStarted();
                    close(
                            "Sluice is shutting down: shutdown-timeout passed"
                                    + (running != null
                                            ? " during " + running
                                            : status.inTransaction() ? " with a transaction open" : ""),
                            true);
                    context.killEnded();
                }));
    }

    /** ERR 1053: answers the statement running, else the command queued, else unsolicited (sequence id 0). */
    private void shutdownErr(ErrPacket err) {
        if (current != null) {
            output.write(err);
        } else if (!queue.isEmpty()) {
            failHead(err);
        } else {
            output.sequence().reset();
            output.write(err);
        }
    }

    /** Closes the session from another thread (shutdown, KILL CONNECTION of this session). */
    public void closeFromOutside(String reason) {
        client.eventLoop().execute(() -> close(reason, false));
    }

    /** Ends the session once: both connections closed, queued packets released, one log line. */
    void close(String reason, boolean flushFirst) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        context.registry().unregister(this);
        queue.clear();
        boolean inFlight = current != null;
        if (observer.active()) {
            observer.end(current == null ? 0 : current.rows(), server.server().name(), null);
        }
        if (current != null) {
            if (server.isActive()) {
                // whatever ended the session mid-statement (client gone, write failed, timeouts, bad packet)
                server.cancel(current, reason);
            }
            current.abandon();
            current = null;
        }
        server.release(inFlight ? PoolStats.DiscardReason.CANCELLED : null);
        keeper.close();
        output.close(flushFirst);
        LOG.info("session {}: closed: {} ({} commands)", id(), reason, starter.commands());
    }
}
