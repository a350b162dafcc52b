package dev.sluice.proxy.session;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.ServerTrustException;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.backend.pool.PoolUnavailableException;
import dev.sluice.backend.pool.PooledConnection;
import dev.sluice.backend.pool.Pools;
import dev.sluice.backend.pool.ServerPool;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.frontend.AuthenticatedClient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after its login, and the server connection it uses for its whole life (pooling
 * comes later and slots in at {@link #openServer()}): client commands go to the server one at a time, in
 * order (pipelined commands queue here), and each response is relayed back by a {@link ResponseRelay}.
 *
 * <p>Both channels live on the same event loop (the server connection is opened on the client's loop), so
 * nothing here needs a lock. Backpressure both ways: a client that reads slowly stops the server channel's
 * reads, a server that reads slowly (any command, LOCAL INFILE data) stops the client's.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private enum State {
        CONNECTING,
        READY,
        /** The server connection could not be opened; the next command is answered with why, then close. */
        FAILED,
        CLOSED
    }

    private final ProxyContext context;
    private final AuthenticatedClient login;
    private final Channel client;
    private final PacketSequence clientSequence;
    /** The client channel's encoder: relayed packets go straight into it (see PacketEncoder#writeRelayed). */
    private PacketEncoder clientEncoder;
    /** server-read-timeout of the leased connection; null when none is configured. */
    private ReadDeadline readDeadline;

    private final ServerConfig server;
    private final CommandQueue queue = new CommandQueue();

    private State state = State.CONNECTING;
    private static final String SERVER_HANDLER = "session";

    private ServerPool pool;
    private PooledConnection pooled;
    /** Commands sent on the current lease: none means nothing of this session's state is on that connection. */
    private long commandsOnLease;

    private Channel serverChannel;
    private PacketSequence serverSequence;
    private long serverCapabilities;
    private long serverThreadId = -1;
    /** The server thread as KILLs of other sessions take it (held while their KILL is on its way). */
    private final ServerThread thread = new ServerThread();
    /** The client may send several statements in one COM_QUERY (capability, or COM_SET_OPTION seen). */
    private boolean multiStatements;

    private final PreparedLoads preparedLoads = new PreparedLoads();
    private Exchange current;
    private long statements;
    /** The first bytes of the last COM_QUERY, for log lines about it. */
    private final byte[] lastStatement = new byte[100];

    private int lastStatementLength = -1;
    private boolean lastStatementTruncated;
    /** The last write to the client, so a close can wait for it to reach the socket. */
    private ChannelFuture lastClientWrite;

    private WriteDeadline writeDeadline;
    /** The exchange a KILL QUERY was already sent for (one per statement, whichever path ends it first). */
    private Exchange cancelled;

    private ErrPacket connectFailure;
    /** The server user changed (COM_CHANGE_USER): the connection no longer belongs to its pool's key. */
    private boolean userChanged;
    /** False once the server side failed (protocol error, lost, timeout): the connection is never reused. */
    private boolean serverTrusted = true;

    private UserConfig currentUser;
    private String currentDatabase;
    private int currentCollation;
    private byte[] serverScramble;
    private boolean serverTls;
    /** The session-state bits of the server's latest status flags: what packets Sluice writes itself carry. */
    private int sessionStatus = ServerStatus.AUTOCOMMIT;

    public ClientSession(
            ProxyContext context, AuthenticatedClient login, Channel client, PacketSequence clientSequence) {
        this.context = context;
        this.login = login;
        this.client = client;
        this.clientSequence = clientSequence;
        this.server = context.primaryServer();
        this.currentUser = login.user();
        this.currentDatabase = login.database();
        this.currentCollation = login.collationId();
        this.multiStatements = Capability.has(login.capabilities(), Capability.CLIENT_MULTI_STATEMENTS);
    }

    public long id() {
        return login.sessionId();
    }

    public String user() {
        return currentUser.name();
    }

    /** The server thread behind this session as KILLs of other sessions take it. */
    ServerThread thread() {
        return thread;
    }

    ServerConfig server() {
        return server;
    }

    // ---- start: the server connection ------------------------------------------------------------

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
        writeDeadline = new WriteDeadline(client, timeouts.clientWrite().toNanos(), this::onClientWriteTimeout);
        clientEncoder = ctx.pipeline().get(PacketEncoder.class);
        clientSequence.commandMode();
        context.registry().register(this);
        openServer();
    }

    /**
     * Leases a server connection from the pool for this session's user, capabilities, charset and database (user,
     * charset and database: the login's, or those of the last COM_CHANGE_USER). A re-acquire happens only while
     * nothing was sent on the lease, so a database or charset chosen by a statement never has to be carried over.
     */
    private void openServer() {
        long capabilities = context.capabilityPolicy().forServer(login.capabilities());
        Pools.Key key =
                new Pools.Key(server.name(), currentUser.serverUser(), capabilities, currentCollation, currentDatabase);
        pool = context.pools()
                .pool(
                        key,
                        () -> ServerLogin.options(server, currentUser)
                                .database(currentDatabase)
                                .connectTimeout(context.config().timeouts().connect())
                                .maxPacketSize(context.config().limits().maxPacketSize())
                                .collationId(currentCollation)
                                .capabilities(capabilities)
                                .connectAttribute("_client_name", "sluice")
                                .build());
        pool.acquire(client.eventLoop()).whenComplete((connection, failure) -> {
            if (failure != null) {
                onServerConnectFailed(
                        failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure);
            } else {
                client.eventLoop().execute(() -> onServerLeased(connection));
            }
        });
    }

    private void onServerLeased(PooledConnection connection) {
        if (state == State.CLOSED) {
            connection.pool().release(connection, true);
            return;
        }
        pooled = connection;
        commandsOnLease = 0;
        if (!connection.isOpen()) {
            // closed by the server after the pool handed it out, before this hop to the session's loop
            reacquire("server connection closed before the session used it");
            return;
        }
        ServerConnection.Detached detached = connection.lease();
        context.learnGreeting(detached.greeting());
        serverChannel = detached.channel();
        serverSequence = detached.sequence();
        serverCapabilities = detached.capabilities();
        serverThreadId = detached.greeting().connectionId();
        thread.leased(serverThreadId);
        serverScramble = detached.greeting().scramble();
        sessionStatus = detached.greeting().statusFlags() & ServerStatus.SESSION_STATE;
        serverTls = detached.tls();
        long serverRead = millis(context.config().timeouts().serverRead());
        readDeadline = serverRead > 0
                ? new ReadDeadline(
                        serverChannel.eventLoop(), TimeUnit.MILLISECONDS.toNanos(serverRead), this::onServerSilent)
                : null;
        ServerHandler handler = new ServerHandler(this);
        serverChannel.pipeline().addLast(SERVER_HANDLER, handler);
        // payloads come straight from the decoder to this session: no Packet or slice per row
        serverChannel.pipeline().get(PacketDecoder.class).sink(handler);
        state = State.READY;
        LOG.debug(
                "session {}: leased server {} thread {} as {}",
                id(),
                server.name(),
                serverThreadId,
                currentUser.serverUser());
        if (!serverChannel.isActive()) {
            onServerInactive();
            return;
        }
        drainQueue();
    }

    /** Takes this session's handlers off the server channel before the connection goes back to its pool. */
    private void unhookServer() {
        if (serverChannel == null) {
            return;
        }
        ChannelPipeline p = serverChannel.pipeline();
        PacketDecoder decoder = p.get(PacketDecoder.class);
        if (decoder != null) {
            decoder.sink(null);
        }
        if (p.get(SERVER_HANDLER) != null) {
            p.remove(SERVER_HANDLER);
        }
        if (readDeadline != null) {
            readDeadline.cancel();
            readDeadline = null;
        }
        serverChannel.config().setAutoRead(true);
    }

    /** Gives the server connection back (reset, reused) or discards it when its state is not known. */
    private void returnServer(PoolStats.DiscardReason reasonIfDiscarded) {
        PooledConnection connection = pooled;
        if (connection == null) {
            return;
        }
        pooled = null;
        unhookServer();
        serverThreadId = -1;
        if (thread.returned() && reasonIfDiscarded == null) {
            reasonIfDiscarded = PoolStats.DiscardReason.CANCELLED; // a KILL for its thread may still arrive
        }
        if (reasonIfDiscarded == null && serverChannel.isActive()) {
            connection.pool().release(connection, commandsOnLease == 0);
        } else {
            connection
                    .pool()
                    .discard(
                            connection, reasonIfDiscarded == null ? PoolStats.DiscardReason.BROKEN : reasonIfDiscarded);
        }
        serverChannel = null;
    }

    private void onServerConnectFailed(Throwable failure) {
        ErrPacket err;
        if (failure instanceof PoolUnavailableException pu) {
            boolean capacity = pu.reason() == PoolUnavailableException.Reason.EXHAUSTED
                    || pu.reason() == PoolUnavailableException.Reason.SERVER_FULL;
            err = capacity
                    ? ProxyErrors.tooManyConnections() // the server's answer; the detail is logged below
                    : ProxyErrors.cannotConnect(server.name() + " (" + server.address() + ")", pu.getMessage());
        } else if (failure instanceof ServerException se) {
            // The server's own answer (unknown database, access denied for the mapped user, ...)
            err = new ErrPacket(
                    se.errorCode(), se.sqlState(), se.err().message() + " (sluice: server " + server.name() + ")");
        } else if (failure instanceof ServerTrustException st) {
            err = ProxyErrors.serverNotTrusted(server.name(), st); // TLS or password rules refused it (invariant 13)
        } else {
            err = ProxyErrors.cannotConnect(server.name() + " (" + server.address() + ")", failure.getMessage());
        }
        client.eventLoop().execute(() -> {
            if (state == State.CLOSED) {
                return;
            }
            LOG.warn(
                    "session {}: cannot open a connection to server {}: {} ({})",
                    id(),
                    server.name(),
                    err,
                    failure.getMessage());
            state = State.FAILED;
            connectFailure = err;
            drainQueue();
        });
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
        if (current != null && current.awaitingClientData()) {
            current.onClientData(packet);
            return;
        }
        queue.add(packet);
        drainQueue();
    }

    private void drainQueue() {
        if (state == State.FAILED && !queue.isEmpty()) {
            Packet first = queue.poll();
            clientSequence.beginResponse(first.lastSequenceId());
            first.release();
            writeToClient(connectFailure);
            close("server connection failed: " + connectFailure.message(), true);
            return;
        }
        // a server not taking what was written holds the next command here, whatever its kind (one without a
        // response, such as COM_STMT_SEND_LONG_DATA, would otherwise pile up in the server channel's buffer)
        while (state == State.READY && current == null && !queue.isEmpty() && serverTakesWrites()) {
            startCommand(queue.poll());
        }
        updateClientReads();
        flushClient();
    }

    /** The server channel is under its write watermark (or closed: the next write finds that out and says so). */
    private boolean serverTakesWrites() {
        return serverChannel == null || serverChannel.isWritable() || !serverChannel.isActive();
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
        boolean read = serverTakesWrites() && (reading ? !queue.full() : queue.hasRoom());
        if (read != reading) {
            client.config().setAutoRead(read);
        }
    }

    private void startCommand(Packet packet) {
        clientSequence.beginResponse(packet.lastSequenceId());
        ByteBuf payload = packet.payload();
        if (!payload.isReadable()) {
            packet.release();
            writeToClient(ProxyErrors.malformed("empty command packet"));
            return;
        }
        int code = payload.getUnsignedByte(payload.readerIndex());
        Command command = Command.of(code);
        if (command == null) {
            packet.release();
            writeToClient(ProxyErrors.unknownCommand(code));
            return;
        }
        statements++;
        switch (command) {
            case COM_QUIT -> {
                packet.release();
                close("client quit", false);
            }
            case COM_QUERY -> startQuery(packet);
            case COM_PROCESS_KILL -> KillCommands.processKill(this, packet);
            case COM_STMT_PREPARE -> startPrepare(packet);
            case COM_STMT_EXECUTE, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_SET_OPTION, COM_RESET_CONNECTION -> {
                if (preparedLoads.refusedLast(command, packet.payload())) {
                    packet.release(); // "the statement prepared last" is one Sluice refused: never the server's
                    if (command.hasResponse()) {
                        writeToClient(ProxyErrors.killNotTranslated("KILL as a prepared statement"));
                    }
                } else {
                    forward(packet, command, trackStatementCommand(command, packet.payload()));
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
                writeToClient(ProxyErrors.unsupportedCommand(command.name()));
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
        rememberStatement(payload);
        int from = payload.readerIndex() + 1;
        if (StatementScanner.isPlain(payload, from, payload.writerIndex(), multiStatements)) {
            forward(packet, Command.COM_QUERY, null);
            return;
        }
        QueryPlan plan = QueryPlan.of(this, packet);
        if (plan.answer() != null) {
            packet.release();
            writeToClient(plan.answer());
        } else if (plan.kill() != null) {
            packet.release();
            KillCommands.kill(this, plan.kill());
        } else if (plan.sslPattern() != null) {
            packet.release();
            LocalAnswers.writeVariables(this, LocalAnswers.sslStatus(client, plan.sslPattern()));
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
        if (StatementScanner.isPlain(payload, payload.readerIndex() + 1, payload.writerIndex(), false)) {
            forward(packet, Command.COM_STMT_PREPARE, null);
            return;
        }
        QueryPlan plan = QueryPlan.ofPrepare(this, packet);
        if (plan.answer() != null) {
            packet.release();
            preparedLoads.refused();
            writeToClient(plan.answer());
            return;
        }
        forwardPlanned(packet, plan, Command.COM_STMT_PREPARE);
    }

    /** Bookkeeping of the commands that act on prepared statements and options; for COM_STMT_EXECUTE, the files it may ask for. */
    private LocalInfileGuard trackStatementCommand(Command command, ByteBuf payload) {
        int from = payload.readerIndex() + 1;
        switch (command) {
            case COM_STMT_EXECUTE -> {
                return payload.readableBytes() >= 5 ? preparedLoads.forExecute(payload.getUnsignedIntLE(from)) : null;
            }
            case COM_STMT_CLOSE -> {
                if (payload.readableBytes() >= 5) {
                    preparedLoads.closed(payload.getUnsignedIntLE(from));
                }
            }
            case COM_SET_OPTION ->
                multiStatements |= payload.readableBytes() >= 3 && payload.getUnsignedShortLE(from) == 0;
            case COM_RESET_CONNECTION -> preparedLoads.clear();
            default -> {}
        }
        return null;
    }

    boolean noBackslashEscapes() {
        return ServerStatus.has(sessionStatus, ServerStatus.NO_BACKSLASH_ESCAPES);
    }

    PreparedLoads preparedLoads() {
        return preparedLoads;
    }

    /** Keeps the statement's first bytes (in a buffer reused for the session) for log lines about it. */
    private void rememberStatement(ByteBuf payload) {
        lastStatementLength = Math.min(payload.readableBytes() - 1, lastStatement.length);
        payload.getBytes(payload.readerIndex() + 1, lastStatement, 0, lastStatementLength);
        lastStatementTruncated = payload.readableBytes() - 1 > lastStatement.length;
    }

    private void startChangeUser(Packet packet) {
        ComChangeUser request;
        try {
            request = ComChangeUser.decode(packet.payload().duplicate(), login.capabilities());
        } catch (ProtocolException e) {
            writeToClient(ProxyErrors.malformed(e.getMessage()));
            close("malformed COM_CHANGE_USER: " + e.getMessage(), true);
            return;
        } finally {
            packet.release();
        }
        preparedLoads.clear();
        current = ChangeUserExchange.start(this, request);
    }

    private void forward(Packet packet, Command command, LocalInfileGuard localFiles) {
        forward(packet, command, localFiles, true);
    }

    /**
     * Sends a command Sluice made (a client's KILL mapped to a server thread) as it is; {@code afterResponse} runs
     * once its response is complete or abandoned (a KILL's target stays held until then).
     */
    void forwardOwn(Packet packet, Command command, Runnable afterResponse) {
        forward(packet, command, null, false);
        if (current instanceof ResponseRelay relay) {
            relay.afterResponse(afterResponse);
        }
    }

    /**
     * @param fromClient the packet is the client's own (it can wait in the queue for another connection);
     *     false for one Sluice made (a KILL mapped to a server thread), which is sent as it is
     */
    private void forward(Packet packet, Command command, LocalInfileGuard localFiles, boolean fromClient) {
        if (fromClient && commandsOnLease == 0 && (!serverChannel.isActive() || pooled.tooIdleToUse())) {
            // Provably nothing of it left: the connection died (or is about to be closed for idleness by the
            // server) before this first write. Another one takes it.
            queue.addFirst(packet);
            reacquire(
                    serverChannel.isActive()
                            ? "server connection idle too long for a first command"
                            : "server connection closed before the first command");
            return;
        }
        commandsOnLease++;
        serverSequence.reset();
        boolean hasResponse = command.hasResponse();
        if (hasResponse) {
            current = new ResponseRelay(this, command, cursorRequested(command, packet.payload()), localFiles);
        }
        serverChannel.writeAndFlush(
                packet, serverChannel.voidPromise()); // a failed write fires exceptionCaught: the session ends
        if (readDeadline != null && (hasResponse || !serverChannel.isWritable())) {
            readDeadline.commandSent(); // an answer is awaited, or the server has yet to take what was written
        }
    }

    private static boolean cursorRequested(Command command, ByteBuf payload) {
        // COM_STMT_EXECUTE: command byte, statement id int<4>, flags int<1>
        return command == Command.COM_STMT_EXECUTE
                && payload.readableBytes() > 5
                && (payload.getUnsignedByte(payload.readerIndex() + 5) & 0x07) != 0;
    }

    // ---- server → client (called by ServerHandler and ResponseRelay) ------------------------------

    /** A server packet's payload, lent for the call (see {@link PacketDecoder.Sink}). */
    void onServerPayload(ByteBuf payload) {
        if (state == State.CLOSED) {
            return;
        }
        if (current == null) {
            serverTrusted = false;
            String what = describeUnsolicited(payload);
            close("server sent a packet outside any command: " + what, false);
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
            current = null;
            drainQueue();
        } else if (!client.isWritable()) {
            serverChannel.config().setAutoRead(false);
        }
    }

    private String describeUnsolicited(ByteBuf payload) {
        if (payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == ErrPacket.HEADER) {
            try {
                return ErrPacket.decode(payload.duplicate(), serverCapabilities).toString();
            } catch (ProtocolException e) {
                return "a malformed ERR";
            }
        }
        return payload.readableBytes() + " bytes";
    }

    void onServerReadComplete() {
        if (readDeadline != null) {
            readDeadline.serverRead();
        }
        flushClient();
    }

    void onServerWritabilityChanged() {
        if (state != State.CLOSED && serverChannel.isWritable()) {
            if (readDeadline != null) {
                readDeadline.serverRead(); // it took what was written
            }
            drainQueue(); // commands held for the server, then the client's reads
        }
    }

    void onServerInactive() {
        if (state == State.CLOSED) {
            return;
        }
        if (current == null && commandsOnLease == 0 && state == State.READY) {
            reacquire("server connection closed before the session used it");
            return;
        }
        if (current != null) {
            writeToClient(ProxyErrors.serverLost(
                    server.name(), current.commandName(), current.rows(), "the server closed the connection"));
            close(
                    "server closed the connection during " + current.commandName() + " after " + current.rows()
                            + " rows",
                    true);
        } else {
            close("server closed the connection", true);
        }
    }

    void onServerFailure(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        serverTrusted = false;
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String what = root instanceof ProtocolException ? "protocol error: " + root.getMessage() : String.valueOf(root);
        if (current != null) {
            writeToClient(ProxyErrors.serverLost(server.name(), current.commandName(), current.rows(), what));
        }
        close("server connection failed: " + what, true);
    }

    /** Writes a message Sluice composed itself (OK, ERR, EOF) to the client, encoded for its capabilities. */
    void writeToClient(ErrPacket err) {
        ByteBuf buf = client.alloc().buffer();
        err.encode(buf, login.capabilities());
        lastClientWrite = client.write(buf);
    }

    void writeToClient(OkPacket ok) {
        ByteBuf buf = client.alloc().buffer();
        ok.encode(buf, login.capabilities());
        lastClientWrite = client.write(buf);
    }

    void writeToClient(ByteBuf payload) {
        lastClientWrite = client.write(payload);
    }

    /**
     * Relays a server payload (lent, see {@link PacketDecoder.Sink}) straight into the client's encoder: no promise
     * (a failed write fails the channel, which ends the session).
     */
    void relayToClient(ByteBuf payload) {
        clientEncoder.writeRelayed(payload);
    }

    void writeToServer(Packet packet) {
        serverChannel.writeAndFlush(
                packet, serverChannel.voidPromise()); // a failed write fires exceptionCaught: the session ends
        if (readDeadline != null) {
            readDeadline.commandSent(); // LOCAL INFILE data, an authentication step: an answer is awaited again
        }
        updateClientReads();
    }

    /** Sends a packet of an exchange to the server; {@code newCommand} restarts the server's sequence at 0. */
    void sendToServer(Packet packet, boolean newCommand) {
        if (newCommand) {
            serverSequence.reset();
        }
        writeToServer(packet);
    }

    /**
     * COM_CHANGE_USER failed: the client hears why, and the session ends. Nothing runs on the server for it, so
     * no KILL: a refusal before the server saw the change (wrong password, no answer) gives the connection back
     * to its pool; after the server saw it, its user is unknown and it is discarded.
     */
    void refuseChangeUser(ErrPacket err, String reason, boolean serverTouched) {
        current = null;
        userChanged |= serverTouched;
        writeToClient(err);
        LOG.info("session {}: change user failed: {}", id(), reason);
        close("change user failed", true);
    }

    /** The server connection is now the new user's, with nothing of the session on it, as after a fresh login. */
    void userChanged(UserConfig user, String database, int collation) {
        userChanged = true;
        commandsOnLease = 0;
        LOG.info(
                "session {}: changed user from {} to {} (server user {})",
                id(),
                currentUser.name(),
                user.name(),
                user.serverUser());
        currentUser = user;
        currentDatabase = database.isEmpty() ? null : database;
        currentCollation = collation;
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return client.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    ProxyContext context() {
        return context;
    }

    String remoteHost() {
        return login.remoteAddress();
    }

    boolean serverTls() {
        return serverTls;
    }

    /** The status flags of an OK or EOF the server sent on this session: its transaction state from now on. */
    void serverStatus(int flags) {
        sessionStatus = flags & ServerStatus.SESSION_STATE;
    }

    /** The session-state flags (see {@link ServerStatus#SESSION_STATE}) of the server's latest OK or EOF. */
    int sessionStatus() {
        return sessionStatus;
    }

    byte[] serverScramble() {
        return serverScramble;
    }

    /** The character set of the login, or of the last COM_CHANGE_USER. */
    int collationId() {
        return currentCollation;
    }

    ByteBuf allocate() {
        return client.alloc().buffer();
    }

    long clientCapabilities() {
        return login.capabilities();
    }

    long serverCapabilities() {
        return serverCapabilities;
    }

    PacketSequence clientSequence() {
        return clientSequence;
    }

    boolean localInfileEnabled() {
        return context.config().localInfile();
    }

    // ---- client channel events --------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (client.isWritable()
                && serverChannel != null
                && !serverChannel.config().isAutoRead()) {
            serverChannel.config().setAutoRead(true);
            serverChannel.read();
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
                    writeDeadline.pending());
            client.close();
            return;
        }
        LOG.warn(
                "session {}: client write timed out: {} bytes not taken by the client in {} ms; {} after {} rows ({})",
                id(),
                writeDeadline.pending(),
                limit.toMillis(),
                current != null ? current.commandName() : "no statement",
                current != null ? current.rows() : 0,
                digest());
        cancelOnServer("client write timeout");
        close("client-write-timeout " + limit.toMillis() + " ms expired", false);
    }

    /** Flushes what was written to the client and watches that the client takes it. */
    void flushClient() {
        client.flush();
        writeDeadline.afterFlush();
    }

    /** Swaps a lease nothing was sent on for another one; queued commands wait for it. */
    private void reacquire(String why) {
        LOG.info("session {}: {}; taking another connection to server {}", id(), why, server.name());
        if (!queue.isEmpty()) {
            pool.stats().retried();
        }
        returnServer(PoolStats.DiscardReason.STALE);
        userChanged = false; // the next lease comes from the pool of the current user and database
        state = State.CONNECTING;
        openServer();
    }

    /**
     * server-read-timeout passed without a byte from the server. Returns true to keep watching: nothing was
     * overdue (waiting for the client's LOCAL INFILE data, or Sluice itself stopped reading for backpressure).
     */
    private boolean onServerSilent() {
        boolean stuck = !serverTakesWrites(); // what was written has waited the whole limit for the server
        if (state != State.READY || (current == null && !stuck)) {
            return false; // nothing awaited; the next command arms the deadline again
        }
        if (current != null && (!serverChannel.config().isAutoRead() || (current.awaitingClientData() && !stuck))) {
            return true;
        }
        long limit = context.config().timeouts().serverRead().toMillis();
        serverTrusted = false;
        if (current == null) {
            // only commands without an answer (long data) went out: there is nothing to answer, the connection goes
            close("server took nothing of what was written to it for server-read-timeout " + limit + " ms", false);
            return false;
        }
        writeToClient(ProxyErrors.serverLost(
                server.name(),
                current.commandName(),
                current.rows(),
                stuck
                        ? "the server took nothing of what was written to it within server-read-timeout " + limit
                                + " ms"
                        : "no answer within server-read-timeout " + limit + " ms"));
        cancelOnServer("server read timeout");
        close("server silent for server-read-timeout " + limit + " ms during " + current.commandName(), true);
        return false;
    }

    /**
     * Stops what the server is running for this session: KILL QUERY on a separate connection (the session's
     * own is busy streaming), logged in as the same server user. The session's server connection is then
     * discarded by {@link #close}, never reused in an unknown state.
     */
    private void cancelOnServer(String why) {
        long thread = serverThreadId;
        if (thread < 0 || current == null || cancelled == current) {
            return;
        }
        cancelled = current;
        QueryKiller.kill(
                context,
                server,
                currentUser,
                thread,
                pool.stats(),
                client.eventLoop(),
                "session " + id() + ": ",
                current.commandName(),
                why);
    }

    private String digest() {
        return lastStatementLength < 0
                ? "-"
                : new String(lastStatement, 0, lastStatementLength, StandardCharsets.UTF_8)
                        + (lastStatementTruncated ? "…" : "");
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null && state == State.READY) {
            cancelOnServer("client disconnected");
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
            if (message.startsWith("packet length")) {
                clientSequence.respondToLastInbound();
            }
            writeToClient(
                    message.startsWith("packet length")
                            ? ProxyErrors.packetTooLarge(message)
                            : ProxyErrors.malformed(message));
            close("bad packet from the client: " + message, true);
        } else {
            close("client connection failed: " + root, false);
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
        if (current != null) {
            if (serverChannel != null && serverChannel.isActive()) {
                // whatever ended the session mid-statement (client gone, write failed, timeouts, bad packet)
                cancelOnServer(reason);
            }
            current.abandon();
            current = null;
        }
        boolean broken = !serverTrusted || serverChannel == null || !serverChannel.isActive();
        returnServer(
                broken
                        ? PoolStats.DiscardReason.BROKEN
                        : inFlight
                                ? PoolStats.DiscardReason.CANCELLED
                                : userChanged ? PoolStats.DiscardReason.USER_CHANGED : null);
        if (flushFirst && lastClientWrite != null && !lastClientWrite.isDone()) {
            flushClient();
            lastClientWrite.addListener(ChannelFutureListener.CLOSE);
        } else if (flushFirst) {
            client.flush();
            client.close();
        } else {
            client.close();
        }
        LOG.info("session {}: closed: {} ({} commands)", id(), reason, statements);
    }
}
