package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.SessionTracking.TrackerDefaults;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.SessionStateChange;
import dev.sluice.testkit.MariaDbSandbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A server connection as Sluice's pool opens it (CLIENT_SESSION_TRACK forced, its trackers on, the global list's
 * order learned), and what a session keeps of its client on it: the client's {@link ClientTrackerView} and the
 * session's {@link SessionState}. {@link #run} does for one client statement what the session must do: rewrite its
 * OKs for the client, apply them to the state, and, when the statement changes the client's trackers, run it under
 * the client's trackers and then read back the new view, the new list's order and the variables the statement
 * names, and turn Sluice's trackers on again. (Sequential here; the session pipelines them in one write.)
 */
final class SluiceStyleConnection implements AutoCloseable {
    final RawMariaDb connection;
    final long capabilities;
    ClientTrackerView view;
    final SessionState state;
    /** The client's tracker settings as last read back, or null before the client changed them. */
    List<String> clientTrackers;

    SluiceStyleConnection(MariaDbSandbox db, String user, String password, long clientCapabilities) {
        capabilities = clientCapabilities | Capability.CLIENT_SESSION_TRACK;
        connection = RawMariaDb.login(db.host(), db.port(), user, password, "test", capabilities);
        List<String> order = probeOrder("@@global.session_track_system_variables");
        connection.query(SessionTracking.TRACKERS_ON);
        String[] global = db.execute("SELECT " + SessionTracking.GLOBAL_DEFAULTS_COLUMNS)
                .strip()
                .split("\t");
        view = ClientTrackerView.atLogin(
                clientCapabilities,
                new TrackerDefaults(global[0].equals("1"), global[1].equals("1"), global[2], global[3], order));
        state = SessionState.atLogin(45, "test");
    }

    /** The order of the list in place now (null), or of {@code list} once put in place. */
    List<String> probeOrder(String list) {
        List<ComQuery> probe = list == null ? List.of(SessionTracking.orderProbe()) : SessionTracking.orderProbe(list);
        if (probe.size() > 1) {
            connection.query(probe.get(0).sql());
        }
        try {
            RawMariaDb.Terminal ok =
                    connection.query(probe.get(probe.size() - 1).sql()).get(0);
            return OkPacket.decode(Unpooled.wrappedBuffer(ok.payload()), capabilities).sessionStateChanges().stream()
                    .filter(c -> c.type() == SessionStateChange.SYSTEM_VARIABLES)
                    .map(ClientTrackerView::variableName)
                    .toList();
        } catch (AssertionError e) {
            return List.of(); // '*' or an empty list: no order to learn
        }
    }

    /** Runs one client statement; returns its terminal packets as the client gets them, in hex. */
    List<String> run(String sql) {
        boolean trackers = sql.toLowerCase(Locale.ROOT).contains("session_track_");
        ClientTrackerView rewriteFor = view;
        if (trackers) {
            connection.query(view.applyStatement());
            rewriteFor = view.asReported();
        }
        List<String> out = new ArrayList<>();
        for (RawMariaDb.Terminal t : connection.query(sql)) {
            if (!t.ok()) {
                out.add(ByteBufUtil.hexDump(t.payload()));
                continue;
            }
            ByteBuf in = Unpooled.wrappedBuffer(t.payload());
            out.add(ByteBufUtil.hexDump(OkRewriter.rewrite(in, rewriteFor, UnpooledByteBufAllocator.DEFAULT)));
            SessionState.Applied applied = state.apply(OkPacket.decode(in.resetReaderIndex(), capabilities));
            readBack(applied.readBack());
        }
        if (trackers) {
            clientTrackers = connection.row(SessionTracking.SESSION_VALUES);
            SetTargets.Targets targets = SetTargets.of(sql); // null: not a SET (a SELECT of the trackers)
            List<String> order = targets != null && targets.setsTrackerList()
                    ? probeOrder(null) // the client's own spelling of its list is still in place
                    : view.order();
            view = view.withSessionValues(
                    clientTrackers.get(0).equals("1"),
                    clientTrackers.get(1).equals("1"),
                    clientTrackers.get(2),
                    clientTrackers.get(3),
                    order);
            if (targets != null) {
                assertThat(targets.movable()).as(sql).isTrue();
                readBack(targets.variables());
            }
            connection.query(SessionTracking.TRACKERS_ON);
        }
        return out;
    }

    private void readBack(List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        List<String> values = connection.row(SessionState.readBackQuery(names));
        for (int i = 0; i < names.size(); i++) {
            state.readBack(names.get(i), values.get(i));
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
