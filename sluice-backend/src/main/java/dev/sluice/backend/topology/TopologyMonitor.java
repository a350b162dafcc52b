package dev.sluice.backend.topology;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnector;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the topology from the servers themselves: polls each server every {@link MonitorSettings#interval()} for
 * {@code @@read_only}, its GTID positions and {@code SHOW SLAVE STATUS}, on one long-lived connection per server
 * ({@link ServerPoller}), and publishes a new {@link Topology} after each poll to {@link #current()} and to the
 * listeners. Each change of a server's {@link ServerCondition}, and the start and end of a writer conflict, is logged
 * once with its reason and counted ({@link #changeCount}).
 *
 * <p>Servers are polled independently, each on its own schedule and deadlines, so a server that hangs (SIGSTOP, a
 * dead network) is marked unreachable after one timeout ("no answer within N ms") while the others go on being
 * polled at their interval. Nothing here blocks a thread.
 *
 * <p>The monitor user needs no privilege for the variables and, for {@code SHOW SLAVE STATUS}, {@code SLAVE MONITOR}
 * on MariaDB 10.5.9 and later ({@code GRANT SLAVE MONITOR ON *.* TO monitor}); before that {@code REPLICATION
 * CLIENT}, which 10.5.9 and later no longer lets read the replication status. Without it the server is reported
 * unreachable with the reason.
 */
public final class TopologyMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopologyMonitor.class);

    private final MonitorSettings settings;
    private final Clock clock;
    /** Replaced by {@link #servers} (a reload): read by the poll loops, which stop when theirs is gone. */
    private final List<ServerPoller> pollers = new CopyOnWriteArrayList<>();

    private final ServerConnector connector;
    private final Map<String, ServerState> states = new LinkedHashMap<>();
    private final List<Consumer<Topology>> listeners = new CopyOnWriteArrayList<>();
    private final TopologyChanges changes;
    private volatile Topology current;
    private volatile boolean closed;
    private boolean started;

    /**
     * @param servers the servers to poll; names must differ
     * @param login how to log in to each server (user, password, TLS); the monitor sets the connect timeout to its
     *     own {@code timeout}
     */
    public TopologyMonitor(
            List<MonitoredServer> servers,
            Function<MonitoredServer, ConnectOptions> login,
            ServerConnector connector,
            MonitorSettings settings) {
        this(servers, login, connector, settings, Clock.systemUTC());
    }

    TopologyMonitor(
            List<MonitoredServer> servers,
            Function<MonitoredServer, ConnectOptions> login,
            ServerConnector connector,
            MonitorSettings settings,
            Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.connector = connector;
        this.changes = new TopologyChanges(settings.maxLag().toSeconds());
        Instant now = clock.instant();
        for (MonitoredServer server : servers) {
            if (states.put(server.name(), ServerState.notPolledYet(server, now)) != null) {
                throw new IllegalArgumentException("two monitored servers are named " + server.name());
            }
            pollers.add(new ServerPoller(
                    server, login.apply(server), connector, connector.group().next(), settings.timeout(), clock));
        }
        current = new Topology(List.copyOf(states.values()), now);
    }

    /** Starts polling every server now, then every interval. */
    public synchronized void start() {
        if (!started && !closed) {
            started = true;
            LOG.info(
                    "topology monitor: polling {} every {} ms (deadline {} ms per step)",
                    pollers.stream().map(ServerPoller::server).toList(),
                    settings.interval().toMillis(),
                    settings.timeout().toMillis());
            pollers.forEach(poller -> poller.loop().execute(() -> pollLoop(poller)));
        }
    }

    /** The latest snapshot; before the first answers every server is unreachable ("not polled yet"). */
    public Topology current() {
        return current;
    }

    /**
     * Gets every new snapshot, on the event loop of the poll that made it, in order. Listeners must be quick and must
     * not block; one that throws is logged and kept.
     */
    public void addListener(Consumer<Topology> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Topology> listener) {
        listeners.remove(listener);
    }

    /** How many changes of this kind were seen since the start (for metrics). */
    public synchronized long changeCount(TopologyChange kind) {
        return changes.count(kind);
    }

    public MonitorSettings settings() {
        return settings;
    }

    /**
     * A configuration reload: polls exactly {@code next} from now on. A server no longer there stops being polled and
     * leaves the snapshots (so routing stops choosing it); a new one is polled at once, "not polled yet" until it
     * answers. Servers in both keep their poller and state.
     */
    public synchronized void servers(List<MonitoredServer> next, Function<MonitoredServer, ConnectOptions> login) {
        if (closed) {
            return;
        }
        List<String> names = next.stream().map(MonitoredServer::name).toList();
        boolean changed = false;
        for (ServerPoller poller : pollers) {
            if (!names.contains(poller.server().name())) {
                changed = true;
                pollers.remove(poller);
                states.remove(poller.server().name());
                try {
                    poller.loop().execute(poller::close);
                } catch (RejectedExecutionException e) {
                    // the event loops were shut down first: their channels are closed with them
                }
            }
        }
        Instant now = clock.instant();
        for (MonitoredServer server : next) {
            if (!states.containsKey(server.name())) {
                changed = true;
                states.put(server.name(), ServerState.notPolledYet(server, now));
                ServerPoller poller = new ServerPoller(
                        server,
                        login.apply(server),
                        connector,
                        connector.group().next(),
                        settings.timeout(),
                        clock);
                pollers.add(poller);
                if (started) {
                    poller.loop().execute(() -> pollLoop(poller));
                }
            }
        }
        current = new Topology(List.copyOf(states.values()), now);
        LOG.info(
                "topology monitor: now polling {}",
                pollers.stream().map(ServerPoller::server).toList());
    }

    private void pollLoop(ServerPoller poller) {
        if (closed || !pollers.contains(poller)) {
            return;
        }
        long begun = System.nanoTime();
        poller.poll().whenComplete((state, failure) -> {
            if (failure != null) { // poll() never fails; should it, the server counts as unreachable
                state = ServerState.unreachable(poller.server(), String.valueOf(failure), clock.instant());
            }
            publish(poller, state);
            if (!closed) {
                long wait = settings.interval().toNanos() - (System.nanoTime() - begun);
                poller.loop().schedule(() -> pollLoop(poller), Math.max(0, wait), TimeUnit.NANOSECONDS);
            }
        });
    }

    private void publish(ServerPoller poller, ServerState state) {
        Topology topology;
        synchronized (this) {
            if (closed || !pollers.contains(poller)) {
                return; // closed, or the server was removed (a reload) while this poll ran
            }
            states.put(state.name(), state);
            topology = new Topology(List.copyOf(states.values()), clock.instant());
            current = topology;
            changes.observe(topology, state);
            for (Consumer<Topology> listener : listeners) {
                try {
                    listener.accept(topology);
                } catch (RuntimeException e) {
                    LOG.warn("topology listener {} failed", listener, e);
                }
            }
        }
    }

    /** Stops polling and closes the monitor's connections (without waiting for a poll in progress). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (ServerPoller poller : pollers) {
            try {
                poller.loop().execute(poller::close);
            } catch (RejectedExecutionException e) {
                // the event loops were shut down first: their channels are closed with them
            }
        }
    }
}
