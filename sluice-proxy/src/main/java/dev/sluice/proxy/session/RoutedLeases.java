package dev.sluice.proxy.session;

import dev.sluice.backend.pool.PoolStats;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.routing.RouteReason;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where and when a session's next lease goes: the command at the head of its queue routed ({@link SessionRouting})
 * and the lease taken there; the wait for a writer while there is none (the failover buffer), or after a lease to it
 * failed for want of the server; a read whose reader cannot be reached sent to the writer instead; a connection held
 * between pipelined commands given back when the next command belongs on the other side; and the state a session
 * loses with its connection (the writer moved, the server closed it) refused at its next command. {@link ClientSession}
 * decides when a lease is needed; this class decides where. Runs on the session's event loop.
 */
final class RoutedLeases {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private final ClientSession session;
    private final ProxyContext context;
    private final ServerSide server;
    private final LeaseKeeper keeper;
    private final SessionStatus status;
    /** Transaction mode's state tracker; null in session mode (where every lease is the writer's). */
    private final SessionTracker tracker;
    /** The prepared path across connections; null when there is none. */
    private final PreparedDispatch prepared;

    private final EventLoop loop;
    private final SessionRouting routing;
    /** The head command waits for a writer: no lease until that ends. */
    private boolean waitingForWriter;
    /** The session's state went with its connection: the next command gets this, then the session closes. */
    private ErrPacket lost;
    /** The command that waits, or waited last, for a writer, and when its wait ends (one limit over its retries). */
    private Packet waitingHead;

    private long waitDeadline;
    /** The route counted last, and its counter. */
    private SessionRouting.Route countedRoute;

    private java.util.concurrent.atomic.LongAdder counted;
    /** The command the current lease was routed for: it runs there, whatever {@link #switchSides} would say. */
    private Packet leasedFor;

    RoutedLeases(
            ClientSession session,
            ProxyContext context,
            ServerSide server,
            LeaseKeeper keeper,
            SessionStatus status,
            SessionTracker tracker,
            PreparedDispatch prepared,
            SessionRouting routing,
            EventLoop loop) {
        this.session = session;
        this.context = context;
        this.server = server;
        this.keeper = keeper;
        this.status = status;
        this.tracker = tracker;
        this.prepared = prepared;
        this.routing = routing;
        this.loop = loop;
    }

    /** A lease may be taken now (none is being waited for). */
    boolean mayLease() {
        return !waitingForWriter && !server.isAcquiring();
    }

    /** The ERR the next command gets because the session's state is gone (then the session closes); null normally. */
    ErrPacket lost() {
        return lost;
    }

    /** Leases a connection for {@code head}, where routing sends it; or waits for a writer when there is none. */
    void lease(Packet head) {
        boolean noEscapes = status.noBackslashEscapes();
        boolean multiplexed = tracker != null;
        boolean reclaim = multiplexed && keeper.wantsPreviousConnection(head, noEscapes);
        SessionRouting.Route to = multiplexed
                ? routing.route(
                        head,
                        status.autocommit(),
                        noEscapes,
                        server.user(),
                        tracker.database(),
                        tracker.lastGtid(),
                        preparedRead(head))
                : routing.writer();
        if (to.server() == null) {
            if (!multiplexed) { // session mode before the monitor's first polls: the configured writer
                to = new SessionRouting.Route(context.primaryServer(), to.group(), to.reason(), null, true);
            } else {
                LOG.debug("session {}: no writer now; the statement waits for one", session.id());
                awaitWriter(head, null);
                return;
            }
        }
        count(to);
        leasedFor = head;
        server.acquire(reclaim, to);
    }

    /** Counts a lease's decision; the writer's route is the same object lease after lease, so its counter is kept. */
    private void count(SessionRouting.Route to) {
        if (to != countedRoute) {
            countedRoute = to;
            counted = context.router().counter(to.group(), to.server().name(), to.reason());
        }
        counted.increment();
    }

    /**
     * Between pipelined commands (or after a tracker hand-back), with a connection held that may go back: true when
     * {@code head} belongs on the other side (a write after a read on a reader, a read after a write on the writer), so
     * the connection should go back and {@code head} be leased for. Never for the command the lease was made for.
     */
    boolean switchSides(Packet head) {
        SessionRouting.Route held = server.route();
        if (!routing.splitting() || held == null || head == leasedFor || !keeper.mayRelease(status)) {
            return false;
        }
        boolean writer =
                !status.autocommit() || routing.needsWriter(head, status.noBackslashEscapes(), preparedRead(head));
        return writer != held.toWriter();
    }

    /**
     * {@code head} starts on the held connection: counted, as a decision already made (pipelined after the command
     * the lease was made for) or as {@code pin} when a transaction or a pin kept the connection.
     */
    void starting(Packet head) {
        SessionRouting.Route held = server.route();
        if (head == leasedFor || held == null) {
            return; // counted when the lease was routed
        }
        boolean kept = tracker == null || !keeper.mayRelease(status);
        context.router().count(held.group(), server.server().name(), kept ? RouteReason.PIN : held.reason());
    }

    private boolean preparedRead(Packet head) {
        return prepared != null && prepared.executesRead(head);
    }

    /**
     * A lease failed because server {@code unreachable} could not be reached (nothing was sent): a command for the
     * writer waits for a writer (a failover may be under way), a read goes to the writer. False when neither applies
     * (the caller answers with the lease's ERR).
     */
    boolean unreachable(Packet head, String unreachable, Throwable failure) {
        SessionRouting.Route route = server.route();
        if (tracker == null || unreachable == null || route == null) {
            return false;
        }
        if (route.toWriter()) {
            if (!context.router().monitored()) {
                return false;
            }
            LOG.info(
                    "session {}: the writer {} cannot be reached ({}); the statement waits for a writer",
                    session.id(),
                    unreachable,
                    failure.getMessage());
            awaitWriter(head, unreachable);
            return true;
        }
        LOG.info(
                "session {}: reader {} cannot be reached ({}); the read goes to the writer",
                session.id(),
                unreachable,
                failure.getMessage());
        routing.writerNext();
        session.drain();
        return true;
    }

    /**
     * The head command waits in the failover buffer; an ERR when the buffer is off or full, or when the command's time
     * there is up: failover-buffer-timeout from its first wait, over every retry (a writer the monitor reaches but
     * Sluice cannot does not make it wait forever).
     */
    private void awaitWriter(Packet head, String unreachable) {
        long limit = context.config().routing().failoverBufferTimeout().toNanos();
        long now = System.nanoTime();
        if (head != waitingHead) {
            waitingHead = head;
            waitDeadline = now + limit;
        }
        long left = waitDeadline - now;
        String why = "none within routing.failover-buffer-timeout " + limit / 1_000_000 + " ms";
        if (left <= 0 && limit > 0) {
            session.failHead(ProxyErrors.noWriter(why));
            session.drain();
            return;
        }
        waitingForWriter = true;
        boolean waiting = context.router()
                .awaitWriter(
                        loop,
                        left,
                        unreachable,
                        () -> session.guarded("a writer found", () -> {
                            waitingForWriter = false;
                            session.drain();
                        }),
                        () -> session.guarded("no writer in time", () -> {
                            waitingForWriter = false;
                            session.failHead(ProxyErrors.noWriter(why));
                            session.drain();
                        }));
        if (!waiting) {
            waitingForWriter = false;
            session.failHead(ProxyErrors.noWriter(
                    context.router().monitored()
                            ? "the failover buffer is off or full"
                            : "server " + server.server().name() + " cannot be reached"));
            session.drain();
        }
    }

    /**
     * The writer moved to {@code writer}; the session holds no statement in flight. A connection to the old writer
     * holding nothing of the session is dropped (the next command goes to the new one); one holding state (a
     * transaction, a pin; every connection in session mode) is dropped too, and the next command is refused.
     */
    void writerMovedBetweenStatements(String old, ServerConfig writer) {
        boolean multiplexed = tracker != null;
        if (multiplexed && keeper.mayRelease(status)) {
            server.release(PoolStats.DiscardReason.BROKEN); // nothing of the session there: the next goes anywhere
            return;
        }
        String held = multiplexed ? keeper.describe() : "its connection (pool.mode session)";
        lost = ProxyErrors.writerMoved(old, writer.name(), held);
        server.release(PoolStats.DiscardReason.BROKEN);
        LOG.info(
                "session {}: the writer moved from {} to {} while it held {}; its next command is refused",
                session.id(),
                old,
                writer.name(),
                held);
    }

    /**
     * The server closed the held connection between statements: true (and the next command refused) when the session
     * held state there in transaction mode; false when it held nothing (the caller decides).
     */
    boolean closedBetweenStatements() {
        if (tracker == null || keeper.mayRelease(status)) {
            return false;
        }
        String held = status.inTransaction() ? "an open transaction" : keeper.describe();
        lost = ProxyErrors.stateLost(server.server().name(), held);
        server.distrust();
        server.release(PoolStats.DiscardReason.BROKEN);
        LOG.info(
                "session {}: server {} closed the connection while the session held {}; its next command is refused",
                session.id(),
                server.server().name(),
                held);
        return true;
    }

    /**
     * An operator ended the session between statements (the admin interface's KILL, a server set OFFLINE HARD): its
     * server connection goes now (an open transaction there is rolled back), and its next command is refused with
     * {@code err}, after which the session closes.
     */
    void endedByOperator(ErrPacket err) {
        lost = err;
        if (server.isHeld()) {
            server.distrust();
            server.release(PoolStats.DiscardReason.BROKEN);
        }
    }
}
