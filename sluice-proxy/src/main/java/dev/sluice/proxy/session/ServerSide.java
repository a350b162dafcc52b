package dev.sluice.proxy.session;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.ServerTrustException;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.backend.pool.PoolUnavailableException;
import dev.sluice.backend.pool.PooledConnection;
import dev.sluice.backend.pool.Pools;
import dev.sluice.backend.pool.ServerPool;
import dev.sluice.backend.pool.ServerSlots;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Framing;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.accounts.LoadedLogin;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.session.prepared.PreparedStatements;
import dev.sluice.proxy.session.prepared.ServerStatements;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of a session: which pooled connection it holds, how it gets one (lease, and a re-lease when
 * the one it got turned out dead before anything was sent on it), how it gives it back (reset and reused, kept
 * as it is for the next session when its state is known, or discarded when it is not), the session's handler
 * on it, its read deadline, and stopping a statement on it (KILL QUERY).
 *
 * <p>A session holds a connection for its life in {@code pool.mode: session}; in {@code transaction} mode it
 * holds one from a command that needs it to the first point where nothing of the session lives only there
 * (the session decides when; this class only leases and gives back). Runs on the client's event loop, which
 * every leased connection shares.
 */
final class ServerSide {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private final ClientSession session;
    private final ProxyContext context;
    /** The server of the current (or last) lease: the writer, or a reader for a read routed to one. */
    private ServerConfig server;
    /** How the current (or last) lease was routed. */
    private SessionRouting.Route route;

    private final EventLoop loop;
    private final long clientCapabilities;
    /** The session's handler on whichever connection it holds (one at a time). */
    private final ServerHandler handler;

    /** The server thread as KILLs of other sessions take it (held while their KILL is on its way). */
    private final ServerThread thread = new ServerThread();

    /** Whose connections the session leases: the login's user, database and collation, or those of the last COM_CHANGE_USER. */
    private UserConfig user;

    private String database;
    private int collation;

    private ServerPool pool;
    /** What {@link #pool} was looked up for: another pool is looked up only when one of them changed. */
    private UserConfig poolUser;

    private ServerConfig poolServer;

    private long poolCapabilities;
    private int poolCollation;
    private String poolDatabase;
    private PooledConnection pooled;
    private boolean acquiring;
    private Channel channel;
    /**
     * After {@link #sendCommands}: per command written that has an answer, in order, the id of its last packet (0
     * for a command under 16 MiB); each answer's ids start after it ({@link #nextAnswer}).
     */
    private final java.util.ArrayDeque<Integer> answerStarts = new java.util.ArrayDeque<>(4);
    /** The held connection's packet decoder, whose payloads go straight to this session. */
    private PacketDecoder decoder;

    private PacketSequence sequence;
    private long capabilities;
    private long threadId = -1;
    private byte[] scramble;
    private boolean tls;
    /** The held connection's server takes stmt_id 0xFFFFFFFF for "the statement prepared last" (MariaDB). */
    private boolean lastPreparedId;
    /** The server version {@link #lastPreparedId} was read from. */
    private String lastPreparedIdVersion;
    /** server-read-timeout of the held connection; null when none is configured. */
    private ReadDeadline readDeadline;
    /** Commands sent on the current lease: none means nothing of this session's state is on that connection. */
    private long commandsOnLease;
    /** False once the server side failed (protocol error, lost, timeout): the connection is never reused. */
    private boolean trusted = true;
    /** The server user changed (COM_CHANGE_USER): the connection no longer belongs to its pool's key. */
    private boolean userChanged;
    /** The connection given back last in transaction mode, and its lease count then (see ServerPool#reclaim). */
    private PooledConnection previous;

    private long previousLeases;
    /** The route {@link #previous} was leased by (its server may not be where the next command is routed). */
    private SessionRouting.Route previousRoute;

    /** The exchange a KILL QUERY was already sent for (one per statement, whichever path ends it first). */
    private Exchange cancelled;

    ServerSide(
            ClientSession session,
            ProxyContext context,
            EventLoop loop,
            long clientCapabilities,
            UserConfig user,
            String database,
            int collation) {
        this.session = session;
        this.handler = new ServerHandler(session);
        this.context = context;
        this.server = context.primaryServer(); // until the first lease is routed
        this.loop = loop;
        this.clientCapabilities = clientCapabilities;
        this.user = user;
        this.database = database;
        this.collation = collation;
    }

    // ---- lease -------------------------------------------------------------------------------------

    boolean isHeld() {
        return pooled != null;
    }

    boolean isAcquiring() {
        return acquiring;
    }

    /**
     * Leases a connection from the pool of this session's user, capabilities, charset and database; completes with
     * {@link ClientSession#onLeased} or {@link ClientSession#onLeaseFailed}, on the session's loop.
     */
    void acquire() {
        acquire(false, route);
    }

    /**
     * @param reclaim the command reads values its session's previous statement left on the connection that ran it
     *     (ROW_COUNT(), FOUND_ROWS(), warnings): that connection again if nobody leased it since
     * @param to where the lease goes (its server is not null)
     */
    void acquire(boolean reclaim, SessionRouting.Route to) {
        ServerConfig chosen = to != null ? to.server() : server;
        if (chosen != null && !context.router().adminStates().takesLeases(chosen.name())) {
            refuseOffline(chosen);
            return;
        }
        if (reclaim && previous != null) {
            PooledConnection again = previous.pool().reclaim(previous, previousLeases);
            previous = null;
            if (again != null) {
                if (previousRoute != null) {
                    route = previousRoute;
                    server = previousRoute.server();
                }
                acquiring = true;
                leased(again);
                return;
            }
            LOG.debug("session {}: its previous statement's connection served another session since", session.id());
        }
        if (to != null) {
            route = to;
            server = to.server();
        }
        acquiring = true;
        long caps = context.capabilityPolicy().forServer(clientCapabilities);
        if (pool == null
                || pool.isRetired()
                || server != poolServer
                || user != poolUser
                || caps != poolCapabilities
                || collation != poolCollation
                || !Objects.equals(database, poolDatabase)) {
            pool = pool(caps);
        }
        boolean tracking = context.config().pool().mode() == dev.sluice.backend.pool.PoolMode.TRANSACTION;
        PooledConnection now = tracking ? pool.acquireIdleNow(loop) : null;
        if (now != null) {
            leased(now); // an idle connection of this loop: no future, no hop
            return;
        }
        ServerConfig target = server;
        pool.acquire(loop).whenComplete((connection, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                ErrPacket err = leaseError(target, cause);
                loop.execute(() -> session.guarded("a failed lease", () -> {
                    acquiring = false;
                    session.onLeaseFailed(err, cause, unreachable(cause) ? target.name() : null);
                }));
            } else {
                loop.execute(() -> session.guarded("a lease", () -> leased(connection)));
            }
        });
    }

    /** An operator took the server offline: no new lease of it; the command waiting hears why (nothing was sent). */
    private void refuseOffline(ServerConfig target) {
        acquiring = true;
        String state = context.router().adminStates().state(target.name()).name();
        ErrPacket err = ProxyErrors.serverOffline(target.name(), state);
        loop.execute(() -> session.guarded("a refused lease", () -> {
            acquiring = false;
            session.onLeaseFailed(err, new IllegalStateException("server " + target.name() + " is " + state), null);
        }));
    }

    /** The pool of the session's user, capabilities, collation and database now (remembered for the next lease). */
    private ServerPool pool(long caps) {
        poolServer = server;
        poolUser = user;
        poolCapabilities = caps;
        poolCollation = collation;
        poolDatabase = database;
        Pools.Key key = new Pools.Key(server.name(), LoadedLogin.poolUser(user), caps, collation, database);
        UserConfig leaseUser = user;
        String leaseDatabase = database;
        int leaseCollation = collation;
        boolean tracking = context.config().pool().mode() == dev.sluice.backend.pool.PoolMode.TRANSACTION;
        return context.pools()
                .pool(
                        key,
                        () -> ServerLogin.options(server, leaseUser)
                                .database(leaseDatabase)
                                .connectTimeout(context.config().timeouts().connect())
                                .maxPacketSize(context.config().limits().maxPacketSize())
                                .collationId(leaseCollation)
                                .capabilities(caps)
                                .connectAttribute("_client_name", "sluice")
                                .sessionTracking(tracking)
                                .compression(
                                        context.config().compression().servers(),
                                        context.config().compression().level())
                                .build());
    }

    /** The lease failed because the server could not be reached (nothing about the user or the link's trust). */
    private static boolean unreachable(Throwable failure) {
        if (failure instanceof PoolUnavailableException pu) {
            return pu.reason() == PoolUnavailableException.Reason.SERVER_DOWN;
        }
        return !(failure instanceof ServerException) && !(failure instanceof ServerTrustException);
    }

    private static ErrPacket leaseError(ServerConfig server, Throwable failure) {
        if (failure instanceof PoolUnavailableException pu) {
            boolean capacity = pu.reason() == PoolUnavailableException.Reason.EXHAUSTED
                    || pu.reason() == PoolUnavailableException.Reason.SERVER_FULL;
            return capacity
                    ? ProxyErrors.tooManyConnections() // the server's answer; the detail is logged by the session
                    : ProxyErrors.cannotConnect(server.name() + " (" + server.address() + ")", pu.getMessage());
        } else if (failure instanceof ServerException se) {
            // The server's own answer (unknown database, access denied for the mapped user, ...)
            return new ErrPacket(
                    se.errorCode(), se.sqlState(), se.err().message() + " (sluice: server " + server.name() + ")");
        } else if (failure instanceof ServerTrustException st) {
            return ProxyErrors.serverNotTrusted(server.name(), st); // TLS or password rules refused it (invariant 13)
        }
        return ProxyErrors.cannotConnect(server.name() + " (" + server.address() + ")", failure.getMessage());
    }

    private void leased(PooledConnection connection) {
        acquiring = false;
        if (session.isClosed()) {
            connection.pool().release(connection, true);
            return;
        }
        pooled = connection;
        context.router().leased(server.name());
        commandsOnLease = 0;
        trusted = true;
        if (!connection.isOpen()) {
            // closed by the server after the pool handed it out, before this hop to the session's loop
            reacquire("server connection closed before the session used it");
            return;
        }
        ServerHandler handler = this.handler;
        // the connection's command handler passes its events to this session's handler: no pipeline change
        ServerConnection.Detached detached = connection.lease(handler);
        context.learnGreeting(detached.greeting());
        channel = detached.channel();
        sequence = detached.sequence();
        capabilities = detached.capabilities();
        threadId = detached.greeting().connectionId();
        thread.leased(threadId);
        scramble = detached.greeting().scramble();
        tls = detached.tls();
        String version = detached.greeting().serverVersion();
        if (!version.equals(lastPreparedIdVersion)) { // read once per server version, not per lease
            lastPreparedIdVersion = version;
            lastPreparedId = ServerStatements.acceptsLastPreparedId(version);
        }
        Duration serverRead = context.config().timeouts().serverRead();
        readDeadline = serverRead != null && serverRead.toMillis() > 0
                ? new ReadDeadline(
                        channel.eventLoop(),
                        TimeUnit.MILLISECONDS.toNanos(serverRead.toMillis()),
                        session::onServerSilent)
                : null;
        decoder = detached.decoder();
        // payloads come straight from the decoder to this session: no Packet or slice per row
        decoder.sink(handler);
        if (LOG.isDebugEnabled()) { // no argument array per lease
            LOG.debug(
                    "session {}: leased server {} thread {} as {}",
                    session.id(),
                    server.name(),
                    threadId,
                    user.serverUser());
        }
        session.onLeased(detached.greeting().statusFlags());
        if (pooled != null && !channel.isActive()) {
            session.onServerInactive();
        }
    }

    /** Takes this session off the server channel's events before the connection goes back to its pool. */
    private void unhook(PooledConnection connection) {
        if (channel == null) {
            return;
        }
        if (decoder != null) {
            decoder.sink(null);
            decoder = null;
        }
        connection.vacate();
        if (readDeadline != null) {
            readDeadline.cancel();
            readDeadline = null;
        }
        channel.config().setAutoRead(true);
    }

    /**
     * Gives the connection back: reset and reused ({@code reasonIfDiscarded} null, the connection open and in a
     * known state), or discarded for that reason.
     */
    void release(PoolStats.DiscardReason reasonIfDiscarded) {
        release(reasonIfDiscarded, false);
    }

    /**
     * Transaction mode: gives the connection back without a reset; what of the session's state is on it is known
     * (the session was not pinned), and the next session leasing it brings its own.
     */
    void giveBack() {
        release(null, true);
    }

    private void release(PoolStats.DiscardReason reasonIfDiscarded, boolean keepState) {
        PooledConnection connection = pooled;
        if (connection == null) {
            return;
        }
        pooled = null;
        context.router().returned(server.name());
        session.leaseEnding(connection);
        unhook(connection);
        threadId = -1;
        if (thread.returned() && reasonIfDiscarded == null) {
            reasonIfDiscarded = PoolStats.DiscardReason.CANCELLED; // a KILL for its thread may still arrive
        }
        boolean broken = !trusted || channel == null || !channel.isActive();
        if (broken && reasonIfDiscarded != PoolStats.DiscardReason.STALE) {
            reasonIfDiscarded = PoolStats.DiscardReason.BROKEN;
        }
        if (reasonIfDiscarded == null && userChanged) {
            reasonIfDiscarded = PoolStats.DiscardReason.USER_CHANGED;
        }
        if (reasonIfDiscarded == null && keepState && commandsOnLease > 0) {
            previous = connection;
            previousLeases = connection.leases();
            previousRoute = route;
            connection.pool().giveBackAsIs(connection);
        } else if (reasonIfDiscarded == null) {
            connection.pool().release(connection, commandsOnLease == 0);
        } else {
            connection.pool().discard(connection, reasonIfDiscarded);
        }
        userChanged = false; // the next lease comes from the pool of the current user and database
        channel = null;
    }

    /** Swaps a lease nothing was sent on for another one; the session's queued commands wait for it. */
    void reacquire(String why) {
        LOG.info("session {}: {}; taking another connection to server {}", session.id(), why, server.name());
        if (session.hasQueued()) {
            pool.stats().retried();
        }
        release(PoolStats.DiscardReason.STALE);
        acquire();
    }

    // ---- commands ----------------------------------------------------------------------------------

    /**
     * True when a first command must not go on the held connection: provably nothing of the session is on it,
     * and it died (or is about to be closed by the server for idleness) before this first write.
     */
    boolean deadBeforeFirstCommand() {
        return commandsOnLease == 0 && (!channel.isActive() || pooled.tooIdleToUse());
    }

    boolean isActive() {
        return channel != null && channel.isActive();
    }

    /** Sends a command: the server's sequence restarts at 0; {@code awaitsAnswer} arms the read deadline. */
    void sendCommand(Packet packet, boolean awaitsAnswer) {
        answerStarts.clear();
        commandsOnLease++;
        sequence.reset();
        channel.writeAndFlush(packet, channel.voidPromise()); // a failed write fires exceptionCaught: the session ends
        if (readDeadline != null && (awaitsAnswer || !channel.isWritable())) {
            readDeadline.commandSent(); // an answer is awaited, or the server has yet to take what was written
        }
    }

    /**
     * Sends several commands in one flush (Sluice's own, then a client's), each from sequence id 0; the answers come
     * in order, each from the id after its command's last packet: 1, or more for a command of 16 MiB or more, sent as
     * several packets (see {@link #nextAnswer}).
     */
    void sendCommands(List<ByteBuf> payloads, boolean awaitsAnswer) {
        answerStarts.clear();
        for (ByteBuf payload : payloads) {
            commandsOnLease++;
            // a command of 16 MiB or more goes out as several packets: its answer starts after the last one's id
            int lastId = payload.readableBytes() / Framing.MAX_CHUNK;
            boolean answered = payload.isReadable() && hasAnswer(payload.getUnsignedByte(payload.readerIndex()));
            sequence.reset();
            channel.write(new Packet(0, payload), channel.voidPromise()); // stamped now: we are on its loop
            if (answered) {
                answerStarts.add(lastId);
            }
        }
        nextAnswer(); // the first answer follows the first command that has one
        channel.flush();
        if (readDeadline != null && (awaitsAnswer || !channel.isWritable())) {
            readDeadline.commandSent();
        }
    }

    /**
     * The answer to one of several commands written together ended: the next one's sequence ids start again, after
     * its own command's last packet (id 0, unless that command was 16 MiB or more).
     */
    void nextAnswer() {
        Integer lastId = answerStarts.poll();
        sequence.beginResponse(lastId != null ? lastId : 0);
    }

    private static boolean hasAnswer(int code) {
        Command command = Command.of(code);
        return command == null || command.hasResponse();
    }

    /** The held connection's allocator (the default one when none is held). */
    ByteBufAllocator alloc() {
        return channel != null ? channel.alloc() : ByteBufAllocator.DEFAULT;
    }

    /**
     * The statements Sluice keeps on the held connection (made on the first lease that finds none), bounded so that
     * all the connections Sluice may open to the server stay under a server's default max_prepared_stmt_count.
     */
    ServerStatements statements() {
        if (pooled.attachment() instanceof ServerStatements statements) {
            return statements;
        }
        ServerSlots slots = context.pools().slots(server.name());
        int connections = slots.limit();
        long serverLimit = slots.learnedMaxPreparedStatements();
        int limit = connections == Integer.MAX_VALUE
                ? ServerStatements.DEFAULT_LIMIT
                : ServerStatements.fairLimit(
                        ServerStatements.DEFAULT_LIMIT,
                        serverLimit > 0 ? serverLimit : PreparedStatements.DEFAULT_SESSION_LIMIT,
                        connections);
        return ServerStatements.of(pooled, limit, lastPreparedId);
    }

    /** Sends a packet within the current command (LOCAL INFILE data, an authentication step). */
    void write(Packet packet) {
        channel.writeAndFlush(packet, channel.voidPromise());
        if (readDeadline != null) {
            readDeadline.commandSent(); // an answer is awaited again
        }
    }

    /** Sends a packet of an exchange; {@code newCommand} restarts the server's sequence at 0. */
    void send(Packet packet, boolean newCommand) {
        if (newCommand) {
            sequence.reset();
        }
        write(packet);
    }

    /** The held connection is under its write watermark (or there is none, or it is closed: the next write says so). */
    boolean takesWrites() {
        return channel == null || channel.isWritable() || !channel.isActive();
    }

    void serverRead() {
        if (readDeadline != null) {
            readDeadline.serverRead();
        }
    }

    boolean readsPaused() {
        return channel != null && !channel.config().isAutoRead();
    }

    void pauseReads() {
        channel.config().setAutoRead(false);
    }

    void resumeReads() {
        if (channel != null && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
            channel.read();
        }
    }

    /** The server side failed or stopped answering: its connection is never reused. */
    void distrust() {
        trusted = false;
    }

    /**
     * Stops what the server runs for {@code current}: KILL QUERY on a separate connection (the session's own is
     * busy streaming), logged in as the same server user. The connection is then discarded, never reused in an
     * unknown state.
     */
    void cancel(Exchange current, String why) {
        if (threadId < 0 || current == null || cancelled == current) {
            return;
        }
        cancelled = current;
        QueryKiller.kill(
                context,
                server,
                user,
                threadId,
                pool.stats(),
                loop,
                "session " + session.id() + ": ",
                current.commandName(),
                why);
    }

    /** What a packet the server sent outside any command was, for the log. */
    String describeUnsolicited(ByteBuf payload) {
        if (payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == ErrPacket.HEADER) {
            try {
                return ErrPacket.decode(payload.duplicate(), capabilities).toString();
            } catch (ProtocolException e) {
                return "a malformed ERR";
            }
        }
        return payload.readableBytes() + " bytes";
    }

    // ---- what the exchanges need -------------------------------------------------------------------

    /** The server user changed on the held connection (COM_CHANGE_USER): it is the new user's, and discarded at its end. */
    void userChanged(UserConfig newUser, String newDatabase, int newCollation) {
        userChanged = true;
        commandsOnLease = 0;
        user = newUser;
        database = newDatabase;
        collation = newCollation;
    }

    /** COM_CHANGE_USER was refused after the server saw it: its user is unknown, the connection is discarded. */
    void userUnknown() {
        userChanged = true;
    }

    UserConfig user() {
        return user;
    }

    /** The held connection; null when none. */
    PooledConnection pooled() {
        return pooled;
    }

    /** The pool of the current lease. */
    ServerPool pool() {
        return pool;
    }

    /** The database of the pool's connections as opened (the login's, or the last COM_CHANGE_USER's). */
    String database() {
        return database;
    }

    int collation() {
        return collation;
    }

    ServerConfig server() {
        return server;
    }

    /** How the current (or last) lease was routed; null before the first. */
    SessionRouting.Route route() {
        return route;
    }

    ServerThread thread() {
        return thread;
    }

    long capabilities() {
        return capabilities;
    }

    byte[] scramble() {
        return scramble;
    }

    boolean tls() {
        return tls;
    }

    long threadId() {
        return threadId;
    }

    PoolStats stats() {
        return pool.stats();
    }
}
