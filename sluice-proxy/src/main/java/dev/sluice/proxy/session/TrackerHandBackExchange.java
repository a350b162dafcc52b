package dev.sluice.proxy.session;

import dev.sluice.backend.SessionTracking;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transaction mode, after a client statement that ran under the client's own trackers ({@link
 * dev.sluice.proxy.session.state.TrackerHandBack}): reads what it changed while they are still in place (one
 * pipelined write of Sluice's own), then puts Sluice's trackers back (the next write). The connection is then like any
 * other and the session is not pinned. When anything of it fails, the client's trackers stay and the session pins
 * ({@link PinReason#TRACKER_SETTINGS}). Its answers are read, never relayed.
 */
final class TrackerHandBackExchange extends OwnExchange {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private final long sessionId;
    private final ServerSide server;
    private final ClientOutput output;
    private final SessionTracker tracker;
    private final LeaseKeeper keeper;
    private OwnCommands step;
    private boolean done;

    private TrackerHandBackExchange(
            long sessionId, ServerSide server, ClientOutput output, SessionTracker tracker, LeaseKeeper keeper) {
        this.sessionId = sessionId;
        this.server = server;
        this.output = output;
        this.tracker = tracker;
        this.keeper = keeper;
    }

    /** Sends the read-back and returns the exchange that reads the answers and puts Sluice's trackers back. */
    static TrackerHandBackExchange start(
            long sessionId, ServerSide server, ClientOutput output, SessionTracker tracker, LeaseKeeper keeper) {
        TrackerHandBackExchange exchange = new TrackerHandBackExchange(sessionId, server, output, tracker, keeper);
        List<OwnCommands.Own> reads = new ArrayList<>(3);
        for (String query : tracker.handBackQueries()) {
            reads.add(OwnCommands.query(output.allocate(), query));
        }
        exchange.step = OwnCommands.sendAll(server, reads, exchange::read);
        return exchange;
    }

    private void read(List<OwnCommands.Answer> answers) {
        if (!tracker.handBackRead(answers)) {
            LOG.info("session {}: its trackers could not be read back: {}", sessionId, answers);
            keeper.pin(PinReason.TRACKER_SETTINGS, "the client's trackers could not be read back");
            done = true;
            return;
        }
        step = OwnCommands.send(
                server, List.of(OwnCommands.query(output.allocate(), SessionTracking.TRACKERS_ON)), (err, row) -> {
                    if (err == null) {
                        tracker.handedBack();
                    } else {
                        tracker.handBackFailed();
                        keeper.pin(PinReason.TRACKER_SETTINGS, "Sluice's trackers could not be put back: " + err);
                    }
                    done = true;
                });
    }

    @Override
    public void onServerPayload(ByteBuf payload) {
        step.onServerPayload(payload);
    }

    @Override
    public boolean isComplete() {
        return done;
    }

    @Override
    public String commandName() {
        return step.commandName();
    }
}
