package dev.sluice.proxy.routing;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.topology.MonitorSettings;
import dev.sluice.backend.topology.MonitoredServer;
import dev.sluice.backend.topology.ServerState;
import dev.sluice.backend.topology.Topology;
import dev.sluice.backend.topology.TopologyMonitor;
import dev.sluice.proxy.config.Balance;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where statements go, process-wide: the writer now, and a reader of a group now. Without a {@linkplain
 * ProxyConfig#monitor() monitor} the writer is the writer group's first server and there are no readers; with one,
 * both come from the {@link TopologyMonitor}'s latest {@link Topology}: the writer is the one writable server of the
 * writer group (none while there is none, or while two servers are writable: no split brain through Sluice), the
 * readers are the group's servers replicating within the group's lag limit (and the writer, when the group lists it).
 *
 * <p>Also what sessions need around failover: waiting for a writer ({@link WriterWait}, bounded by the configured
 * failover buffer), and a call-back when the writer moves to another server, so that what was in flight on the old
 * one ends with an ERR instead of waiting on a server that is gone. Thread-safe: sessions of every event loop call it.
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.routing");

    /** Replaced by a reload ({@link #reconfigure}); the monitor's account and pace never change. */
    private volatile ProxyConfig config;

    private final TopologyMonitor monitor;
    /** The latest topology: the monitor's, or a test's; null without a monitor. */
    private final Supplier<Topology> current;

    /** The configured servers by name (a reload adds and removes them). */
    private final Map<String, ServerConfig> servers = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Per server: the session leases of it now (least-connections balance). Adders, not one atomic: every lease and
     * give-back of every event loop touches them; only a reader's choice reads them. Kept only with a monitor.
     */
    private final Map<String, java.util.concurrent.atomic.LongAdder> inUse =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** How the monitor logs in to a server, for servers a reload adds; null without a monitor. */
    private final Function<ServerConfig, ConnectOptions> login;

    private final AtomicInteger rotation = new AtomicInteger();
    private final RoutingCounters counters = new RoutingCounters();
    private final AdminStates adminStates = new AdminStates();
    private final WriterWait writerWait;
    private final java.util.concurrent.atomic.LongAdder writerMoves = new java.util.concurrent.atomic.LongAdder();
    private final List<Consumer<ServerConfig>> writerMoved = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The writer of the last topology that had one (null before the first): a change is a move. */
    private volatile String lastWriter;
    /** The newest GTID a write through this instance reported (causal reads "global"); null for none yet. */
    private volatile String lastGlobalGtid;

    /**
     * @param login how the monitor logs in to a server (the monitor account, the server's TLS settings)
     */
    public Router(ProxyConfig config, ServerConnector connector, Function<ServerConfig, ConnectOptions> login) {
        this(config, newMonitor(config, connector, login), null, login);
    }

    /**
     * A router without a monitor of its own that reads each topology from {@code topologies}, for tests of the
     * decisions without servers; {@link #topologyChanged} is then what a monitor's listener would be told.
     */
    Router(ProxyConfig config, Supplier<Topology> topologies) {
        this(config, null, Objects.requireNonNull(topologies, "topologies"), null);
    }

    private Router(
            ProxyConfig config,
            TopologyMonitor monitor,
            Supplier<Topology> topologies,
            Function<ServerConfig, ConnectOptions> login) {
        this.config = config;
        this.login = login;
        for (ServerConfig s : config.servers()) {
            servers.put(s.name(), s);
            inUse.put(s.name(), new java.util.concurrent.atomic.LongAdder());
        }
        this.writerWait = new WriterWait(this);
        this.monitor = monitor;
        this.current = monitor != null ? monitor::current : topologies;
        if (current == null) {
            lastWriter = config.writerServer().name();
        }
        if (monitor != null) {
            monitor.addListener(this::topologyChanged);
        }
    }

    /**
     * A configuration reload: servers, groups and routing settings from now on. A server no longer configured is no
     * longer chosen (nor polled), while sessions holding its connections finish on them; a new one is polled and
     * chosen once its poll says it may be (at once without a monitor, where the writer group's first server is the
     * writer). The monitor itself (account, pace) changes only on restart; so does a server's address or TLS.
     */
    public synchronized void reconfigure(ProxyConfig next) {
        for (ServerConfig s : next.servers()) {
            servers.put(s.name(), s);
            inUse.computeIfAbsent(s.name(), n -> new java.util.concurrent.atomic.LongAdder()); // kept for returns
        }
        servers.keySet()
                .retainAll(next.servers().stream().map(ServerConfig::name).toList());
        config = next;
        if (monitor != null) {
            monitor.servers(watched(next), ms -> login.apply(next.server(ms.name())));
        } else if (current == null) {
            lastWriter = next.writerServer().name();
        }
    }

    /** The monitor of {@code config}'s groups; null when {@code config} has no monitor. */
    private static TopologyMonitor newMonitor(
            ProxyConfig config, ServerConnector connector, Function<ServerConfig, ConnectOptions> login) {
        MonitorConfig m = config.monitor();
        if (m == null) {
            return null;
        }
        return new TopologyMonitor(
                watched(config),
                ms -> login.apply(config.server(ms.name())),
                connector,
                new MonitorSettings(m.interval(), m.timeout(), smallestLag(config)));
    }

    /** Starts the monitor (when there is one). */
    public void start() {
        if (monitor != null) {
            monitor.start();
        }
    }

    public boolean monitored() {
        return current != null;
    }

    public RoutingCounters counters() {
        return counters;
    }

    /** Servers operators took offline (the admin interface): readers skip them, their leases are refused. */
    public AdminStates adminStates() {
        return adminStates;
    }

    /** The latest topology; null without a monitor. */
    public Topology topology() {
        return current == null ? null : current.get();
    }

    /** Calls {@code listener} with the new writer each time the writer moves to another server (on a monitor thread). */
    public void onWriterMoved(Consumer<ServerConfig> listener) {
        writerMoved.add(listener);
    }

    WriterWait writerWait() {
        return writerWait;
    }

    /** The writer now; null while there is none (a failover, two writable servers, the monitor's first poll). */
    public ServerConfig writer() {
        if (current == null) {
            return config.writerServer();
        }
        return writerOf(current.get());
    }

    private ServerConfig writerOf(Topology topology) {
        Optional<ServerState> w = topology.writer();
        if (w.isEmpty() || !config.groups().writer().servers().contains(w.get().name())) {
            return null;
        }
        return servers.get(w.get().name());
    }

    /**
     * A reader of {@code group} for one statement now, by the group's balance; null when none may take reads (the
     * statement then goes to the writer).
     */
    public ServerConfig reader(ServerGroup group) {
        if (current == null || group.isWriter()) {
            return null;
        }
        Topology topology = current.get();
        Duration lag = group.maxReplicationLag();
        long maxSeconds = lag == null ? Long.MAX_VALUE : lag.toSeconds();
        ServerConfig writer = writerOf(topology);
        List<String> names = group.servers();
        int n = names.size();
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        ServerConfig best = null;
        int bestLoad = Integer.MAX_VALUE;
        long totalWeight = 0;
        List<ServerConfig> eligible = group.balance() == Balance.WEIGHTED ? new ArrayList<>(n) : null;
        for (int i = 0; i < n; i++) {
            String name = names.get((start + i) % n);
            ServerState state = topology.server(name).orElse(null);
            boolean ok = state != null
                    && (state.withinLag(maxSeconds)
                            || (writer != null && writer.name().equals(name)));
            if (!ok || !adminStates.takesLeases(name)) {
                continue;
            }
            ServerConfig s = servers.get(name);
            if (s == null) {
                continue; // removed by a reload under way
            }
            if (eligible != null) {
                eligible.add(s);
                totalWeight += s.weight();
            } else {
                int load = inUse.get(name).intValue();
                if (load < bestLoad) {
                    best = s;
                    bestLoad = load;
                }
            }
        }
        if (eligible == null || eligible.isEmpty()) {
            return best;
        }
        long pick = ThreadLocalRandom.current().nextLong(totalWeight);
        for (ServerConfig s : eligible) {
            pick -= s.weight();
            if (pick < 0) {
                return s;
            }
        }
        return eligible.get(eligible.size() - 1);
    }

    /**
     * True when the monitor's last poll of {@code server} found {@code gtid} applied there (positions only grow, so a
     * read need not wait for it).
     */
    public boolean hasReached(String server, String gtid) {
        if (current == null) {
            return false;
        }
        ServerState state = current.get().server(server).orElse(null);
        if (state == null || !state.reachable()) {
            return false;
        }
        try {
            return state.currentPos().reached(dev.sluice.backend.topology.GtidPosition.parse(gtid));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Waits for a writer (the failover buffer, see {@link WriterWait}): {@code found} runs on {@code loop} once there is
     * one (another than {@code unreachable}, or it again after a poll reached it), {@code timedOut} after
     * routing.failover-buffer-timeout. False, running neither, when the buffer is off or full.
     */
    public boolean awaitWriter(io.netty.channel.EventLoop loop, String unreachable, Runnable found, Runnable timedOut) {
        return awaitWriter(loop, config.routing().failoverBufferTimeout().toNanos(), unreachable, found, timedOut);
    }

    /** As {@link #awaitWriter(io.netty.channel.EventLoop, String, Runnable, Runnable)}, waiting at most {@code timeoutNanos}. */
    public boolean awaitWriter(
            io.netty.channel.EventLoop loop, long timeoutNanos, String unreachable, Runnable found, Runnable timedOut) {
        if (current == null) {
            return false;
        }
        return writerWait.await(
                loop, timeoutNanos, config.routing().failoverBufferStatements(), unreachable, found, timedOut);
    }

    /** Statements waiting for a writer now. */
    public int waitingForWriter() {
        return writerWait.waiting();
    }

    /** Statements that entered the failover buffer so far; refused it (full or off); left it without a writer. */
    public long writerWaitsBuffered() {
        return writerWait.buffered();
    }

    public long writerWaitsRefused() {
        return writerWait.refused();
    }

    public long writerWaitsTimedOut() {
        return writerWait.timedOut();
    }

    /** How many times the writer moved to another server (failovers and switchovers seen). */
    public long writerMoves() {
        return writerMoves.sum();
    }

    /** How many times the monitor saw a server change in this way; 0 without a monitor. */
    public long topologyChanges(dev.sluice.backend.topology.TopologyChange kind) {
        return monitor == null ? 0 : monitor.changeCount(kind);
    }

    /** A session leased a connection of {@code server} (for least-connections). */
    public void leased(String server) {
        java.util.concurrent.atomic.LongAdder n = current != null ? inUse.get(server) : null;
        if (n != null) {
            n.increment();
        }
    }

    /** A session's lease of {@code server} ended. */
    public void returned(String server) {
        java.util.concurrent.atomic.LongAdder n = current != null ? inUse.get(server) : null;
        if (n != null) {
            n.decrement();
        }
    }

    /** The counter of one label set, for a caller that counts the same decision often (see {@link #count}). */
    public java.util.concurrent.atomic.LongAdder counter(String group, String server, RouteReason reason) {
        return counters.adder(group, server, reason);
    }

    /** Counts a decision. */
    public void count(String group, String server, RouteReason reason) {
        counters.count(group, server, reason);
    }

    /** A write through this instance reported its GTID (causal reads "global" wait for the newest). */
    public void wrote(String gtid) {
        lastGlobalGtid = gtid;
    }

    public String lastGlobalGtid() {
        return lastGlobalGtid;
    }

    /** A new topology was published (the monitor's listener). */
    void topologyChanged(Topology topology) {
        ServerConfig writer = writerOf(topology);
        if (writer == null) {
            return;
        }
        String before = lastWriter;
        lastWriter = writer.name();
        if (before != null && !before.equals(writer.name())) {
            writerMoves.increment();
            LOG.warn(
                    "routing: the writer moved from {} to {}: new transactions go to {}",
                    before,
                    writer.name(),
                    writer.name());
            for (Consumer<ServerConfig> l : writerMoved) {
                try {
                    l.accept(writer);
                } catch (RuntimeException e) {
                    LOG.warn("routing: a writer-moved listener failed", e);
                }
            }
        }
        writerWait.writerKnown(topology);
    }

    /** The servers the monitor polls: those in some group. */
    private static List<MonitoredServer> watched(ProxyConfig config) {
        List<MonitoredServer> watched = new ArrayList<>();
        for (ServerConfig s : config.servers()) {
            if (inSomeGroup(config, s.name())) {
                watched.add(new MonitoredServer(s.name(), s.host(), s.port()));
            }
        }
        return watched;
    }

    private static boolean inSomeGroup(ProxyConfig config, String server) {
        return config.groups().groups().stream().anyMatch(g -> g.servers().contains(server));
    }

    private static Duration smallestLag(ProxyConfig config) {
        return config.groups().readers().stream()
                .map(ServerGroup::maxReplicationLag)
                .filter(d -> d != null)
                .min(Duration::compareTo)
                .orElse(ServerGroup.DEFAULT_MAX_REPLICATION_LAG);
    }

    @Override
    public void close() {
        writerWait.close();
        if (monitor != null) {
            monitor.close();
        }
    }
}
