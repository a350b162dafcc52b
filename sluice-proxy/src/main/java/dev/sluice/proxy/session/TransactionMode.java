package dev.sluice.proxy.session;

import dev.sluice.backend.pool.PoolStats;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.session.state.Reapply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The glue of {@code pool.mode: transaction} around a session's commands, so that a session's state follows it from
 * connection to connection (DESIGN invariant 12): the re-apply of the session's state on a leased connection, the
 * read-back after a statement of what the trackers did not report, the hand-over of the client's own trackers and
 * their hand-back, the local COM_RESET_CONNECTION, and whether the connection goes back between commands.
 *
 * <p>It works on the session's parts ({@link ServerSide}, {@link ClientOutput}, {@link LeaseKeeper}, {@link
 * SessionTracker}, {@link SessionStatus}, the {@link CommandQueue}); the commands it sends on its own come back as
 * {@link Exchange}s that {@link ClientSession} runs as its current exchange (their answers are read, never relayed).
 * Everything runs on the session's event loop.
 */
final class TransactionMode {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private final long sessionId;
    private final ServerSide server;
    private final ClientOutput output;
    private final LeaseKeeper keeper;
    private final SessionTracker tracker;
    private final SessionStatus status;
    private final CommandQueue queue;
    /** Where the session's commands go; told of causal waits and of the GTIDs of the session's writes. */
    private final SessionRouting routing;

    private final java.time.Duration causalTimeout;

    TransactionMode(
            long sessionId,
            ServerSide server,
            ClientOutput output,
            LeaseKeeper keeper,
            SessionTracker tracker,
            SessionStatus status,
            CommandQueue queue,
            SessionRouting routing,
            java.time.Duration causalTimeout) {
        this.sessionId = sessionId;
        this.server = server;
        this.output = output;
        this.keeper = keeper;
        this.tracker = tracker;
        this.status = status;
        this.queue = queue;
        this.routing = routing;
        this.causalTimeout = causalTimeout;
    }

    /**
     * A connection was leased: unless it holds the session's state already (the common case), Sluice makes it so first
     * (a COM_INIT_DB and one SET, in one write) and the session's command waits for their answers: a statement never
     * runs in a state that failed to apply. A connection that cannot take the state (it has a database, the session
     * none) is discarded for another. Returns the exchange of the re-apply, or null when nothing was sent.
     */
    Exchange leased() {
        if (!server.pooled().tracked()) {
            // the server refused the trackers (an account with an expired password): nothing can follow the session
            keeper.pin(PinReason.UNCLASSIFIED_STATE, "the server refused session tracking on this connection");
            tracker.untracked();
            return null;
        }
        Reapply r =
                tracker.leased(server.pooled(), server.pool().trackerDefaults(), server.collation(), server.database());
        if (r != null && !r.fit()) {
            server.release(PoolStats.DiscardReason.STALE);
            server.acquire();
            return null;
        }
        SessionRouting.Route route = server.route();
        String gtid = route != null ? route.waitGtid() : null;
        if (r == null && gtid == null) {
            return null;
        }
        List<OwnCommands.Own> own = new ArrayList<>(3);
        if (r != null && r.database() != null) {
            own.add(OwnCommands.initDb(output.allocate(), r.database()));
        }
        if (r != null && r.set() != null) {
            own.add(OwnCommands.query(output.allocate(), r.set()));
        }
        int reapplied = own.size();
        if (gtid != null) {
            own.add(OwnCommands.query(output.allocate(), causalWait(gtid)));
        }
        return OwnCommands.sendAll(server, own, answers -> {
            ErrPacket err = null;
            for (int i = 0; i < reapplied; i++) {
                err = err == null ? answers.get(i).err() : err;
            }
            if (err != null) {
                LOG.info("session {}: its state could not be re-applied on a connection: {}", sessionId, err);
                Packet first = queue.poll();
                if (first != null) {
                    output.sequence().beginResponse(first.lastSequenceId());
                    first.release();
                    output.write(err);
                }
                server.release(null); // reset: what was applied of it is not known
                return;
            }
            if (reapplied > 0) {
                tracker.reapplied(server.pooled());
            }
            if (gtid != null) {
                OwnCommands.Answer wait = answers.get(reapplied);
                boolean arrived = wait.err() == null
                        && !wait.row().isEmpty()
                        && "0".equals(wait.row().get(0));
                routing.waited(route, arrived);
                if (!arrived) {
                    LOG.debug(
                            "session {}: GTID {} not on server {} within causal-read-timeout ({}); the read goes to the writer",
                            sessionId,
                            gtid,
                            server.server().name(),
                            wait.err() != null ? wait.err() : wait.row());
                    tracker.givingBack(server.pooled());
                    server.giveBack(); // the session leases again for its command, this time the writer's
                }
            }
        });
    }

    /** MASTER_GTID_WAIT for {@code gtid} within causal-read-timeout: 0 when it arrived, -1 when not in time. */
    private String causalWait(String gtid) {
        double seconds = causalTimeout.toNanos() / 1e9;
        return "SELECT MASTER_GTID_WAIT('" + gtid.replace("'", "") + "', "
                + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ")";
    }

    /**
     * A COM_QUERY about to start: when it names the client's own trackers, it goes back to the head of the queue and
     * the returned exchange first puts the client's trackers on the connection; after the statement they are handed
     * back ({@link #afterAnswer}), or, for a statement a read-back cannot cover, the session pins. Null for any other
     * statement.
     */
    Exchange handOverTrackers(Packet packet) {
        if (!tracker.namesTrackers(packet.payload())) {
            return null;
        }
        queue.addFirst(packet);
        String handOver = tracker.handOver(packet.payload());
        if (!tracker.handingBack()) {
            keeper.pin(PinReason.TRACKER_SETTINGS, "the client set or read its own session trackers");
        }
        return OwnCommands.send(server, List.of(OwnCommands.query(output.allocate(), handOver)), (err, row) -> {
            if (err != null) {
                LOG.warn("session {}: the client's trackers could not be put on its connection: {}", sessionId, err);
                if (tracker.handingBack()) {
                    tracker.handBackFailed();
                    keeper.pin(PinReason.TRACKER_SETTINGS, "the client's trackers could not be put on its connection");
                }
            }
        });
    }

    /**
     * An exchange ended ({@code clientAnswer}: the relay of a client's command): reads back what the trackers did not
     * report (a collation after SET NAMES), or, after the client's statement that ran under its own trackers, hands
     * them back. Returns the exchange of that, or null.
     */
    Exchange afterAnswer(boolean clientAnswer) {
        if (!server.isHeld()) {
            return null;
        }
        if (tracker.handingBack()) {
            return clientAnswer ? TrackerHandBackExchange.start(sessionId, server, output, tracker, keeper) : null;
        }
        String query = tracker.readBackQuery();
        if (query == null) {
            return null;
        }
        return OwnCommands.send(server, List.of(OwnCommands.query(output.allocate(), query)), (err, row) -> {
            if (err == null) {
                tracker.readBack(row);
            } else {
                tracker.readBackFailed(); // read once: a failing read-back is not sent again after every answer
                keeper.pin(PinReason.UNCLASSIFIED_STATE, "read-back failed: " + err);
            }
        });
    }

    /**
     * COM_RESET_CONNECTION, answered by Sluice. The session's state starts over from its login's (as the server's reset
     * does: session variables to the global values, the character set of the login, the database kept); a connection
     * it holds (pinned: temporary tables, locks, ...) goes back through the pool's reset.
     */
    void resetConnection(Packet packet) {
        packet.release();
        keeper.reset();
        tracker.reset(server.collation(), tracker.database());
        if (server.isHeld()) {
            server.release(null);
        }
        status.server(ServerStatus.AUTOCOMMIT);
        output.write(OkPacket.of(0, 0, status.flags(), 0));
    }

    /**
     * Between commands, with a connection held and nothing queued: the connection goes back unless a transaction is
     * open or something of the session lives only on it. Returns the exchange of a tracker hand-back still owed (the
     * client's statement was answered without a relay), or null.
     */
    Exchange giveBackIfFree() {
        if (tracker.handingBack() && server.isActive()) {
            return TrackerHandBackExchange.start(sessionId, server, output, tracker, keeper);
        }
        if (keeper.mayRelease(status) && server.isActive()) {
            tracker.givingBack(server.pooled());
            server.giveBack();
        }
        return null;
    }

    /** What an OK of the server says about the session's state, and what the client gets of it. */
    ByteBuf filterOk(ByteBuf payload, ByteBufAllocator alloc) {
        ByteBuf out = tracker.ok(payload, server.capabilities(), alloc, keeper);
        routing.wrote(tracker.lastGtid());
        return out;
    }
}
