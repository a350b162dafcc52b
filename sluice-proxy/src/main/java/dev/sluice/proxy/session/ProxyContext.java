package dev.sluice.proxy.session;

import dev.sluice.backend.GreetingProbe;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.pool.Pools;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.accounts.ServerAccounts;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.config.UsersFromServerConfig;
import dev.sluice.proxy.routing.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every session shares: the configuration, the id registry, the connector for server connections,
 * and what was learned about the servers (their greeting: version and capabilities).
 */
public final class ProxyContext {
    /** The configuration now: a reload replaces it ({@link #reconfigure}); read at each use, never kept. */
    private volatile ProxyConfig config;

    private final SessionRegistry registry;
    private final ServerConnector connector;
    private final CapabilityPolicy capabilityPolicy;
    private final Pools pools;
    private final Router router;
    private final dev.sluice.proxy.stats.StatementStats stats;
    private final dev.sluice.proxy.validate.ViolationCounts violations =
            new dev.sluice.proxy.validate.ViolationCounts();
    /** Accounts loaded from the servers (users-from-server); null when off. */
    private final ServerAccounts accounts;
    /** Session captures (capture); null when off. */
    private final dev.sluice.proxy.capture.Captures captures;

    private volatile HandshakeV10 serverGreeting;
    /** KILL QUERYs under way (QueryKiller): a shutdown waits for them before the event loops stop. */
    private final java.util.concurrent.atomic.AtomicInteger killsInFlight =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The greeting probe running or run last while no greeting is known; guarded by this. */
    private CompletableFuture<HandshakeV10> probe;

    /**
     * @param serverCapabilityMask capabilities never asked of servers (tests use it to make a server look
     *     older, e.g. without CLIENT_DEPRECATE_EOF, so translation is exercised); 0 in production
     */
    public ProxyContext(
            ProxyConfig config, SessionRegistry registry, ServerConnector connector, long serverCapabilityMask) {
        this.config = config;
        this.registry = registry;
        this.connector = connector;
        this.capabilityPolicy = new CapabilityPolicy(serverCapabilityMask);
        this.pools = new Pools(connector, config.pool());
        this.stats = statementStats(config.stats());
        for (ServerConfig server : config.servers()) {
            pools.monitor(
                    server.name(),
                    server.host(),
                    server.port(),
                    config.timeouts().connect());
        }
        MonitorConfig monitor = config.monitor();
        this.router = new Router(
                config,
                connector,
                server -> ServerLogin.options(server, UserConfig.of(monitor.user(), monitor.password()))
                        .connectTimeout(monitor.timeout())
                        .connectAttribute("_client_name", "sluice-monitor")
                        .build());
        router.start();
        router.onWriterMoved(writer -> registry.all().forEach(s -> s.writerMoved(writer)));
        this.accounts = accounts(config.usersFromServer());
        this.captures = config.capture() == null ? null : new dev.sluice.proxy.capture.Captures(config.capture());
    }

    /** Session captures; null when capture is not configured. */
    public dev.sluice.proxy.capture.Captures captures() {
        return captures;
    }

    private ServerAccounts accounts(UsersFromServerConfig users) {
        if (users == null) {
            return null;
        }
        ServerAccounts loaded = new ServerAccounts(
                users,
                connector,
                this::writerFirst,
                server -> ServerLogin.options(server, UserConfig.of(users.user(), users.password()))
                        .connectAttribute("_client_name", "sluice-accounts")
                        .build(),
                config.timeouts().connect(),
                Clock.systemUTC());
        loaded.start();
        return loaded;
    }

    /** The servers, the writer now first: where accounts are read (the writer has every account first). */
    private List<ServerConfig> writerFirst() {
        List<ServerConfig> order = new ArrayList<>(config.servers());
        ServerConfig primary = primaryServer();
        order.remove(primary);
        order.add(0, primary);
        return order;
    }

    /** Accounts loaded from the servers for users not configured; null when users-from-server is off. */
    public ServerAccounts accounts() {
        return accounts;
    }

    private static dev.sluice.proxy.stats.StatementStats statementStats(dev.sluice.proxy.config.StatsConfig settings) {
        return new dev.sluice.proxy.stats.StatementStats(
                settings.digests() ? new dev.sluice.proxy.digest.DigestTable(settings.digestsMax()) : null,
                settings.slowQueryThreshold() == null
                        ? null
                        : new dev.sluice.proxy.stats.SlowQueryLog(
                                settings.slowQueryThreshold(), settings.slowQueriesPerSecond()));
    }

    /** What the sessions did: commands, latencies, errors, bytes, digests. */
    public dev.sluice.proxy.stats.StatementStats stats() {
        return stats;
    }

    /** Protocol violations the strict validator reported (docs/VALIDATION.md). */
    public dev.sluice.proxy.validate.ViolationCounts violations() {
        return violations;
    }

    /** Where statements go: the writer now, readers of a group now, the failover buffer. */
    public Router router() {
        return router;
    }

    /** Stops the topology monitor (the proxy is shutting down). */
    public void close() {
        router.close();
        if (accounts != null) {
            accounts.close();
        }
        if (captures != null) {
            captures.close();
        }
    }

    /** KILL QUERYs Sluice started that have not ended yet. */
    public int killsInFlight() {
        return killsInFlight.get();
    }

    void killStarted() {
        killsInFlight.incrementAndGet();
    }

    void killEnded() {
        killsInFlight.decrementAndGet();
    }

    /**
     * A configuration reload (see {@code ConfigReload}, which checks first that nothing restart-only changed): the
     * pools' settings and health checks, the router's servers, groups and settings, then the configuration everything
     * else reads at each use.
     */
    public void reconfigure(ProxyConfig next) {
        pools.reconfigure(next.pool());
        for (ServerConfig server : next.servers()) { // a server added: checked from now on
            pools.monitor(
                    server.name(), server.host(), server.port(), next.timeouts().connect());
        }
        for (ServerConfig server : config.servers()) { // a server removed: its pools go as its sessions leave them
            if (next.server(server.name()) == null) {
                pools.stopMonitoring(server.name());
            }
        }
        router.reconfigure(next);
        config = next;
    }

    public Pools pools() {
        return pools;
    }

    public ProxyConfig config() {
        return config;
    }

    public SessionRegistry registry() {
        return registry;
    }

    public ServerConnector connector() {
        return connector;
    }

    /** What sessions ask of servers (see {@link CapabilityPolicy}). */
    public CapabilityPolicy capabilityPolicy() {
        return capabilityPolicy;
    }

    /**
     * The writer now as routing sees it, or, while there is none (no monitor's poll yet, a failover), the writer
     * group's first server: where the greeting probe goes and a session in pool.mode session starts.
     */
    public ServerConfig primaryServer() {
        ServerConfig writer = router == null ? null : router.writer();
        return writer != null ? writer : config.writerServer();
    }

    /** The primary server's greeting seen last (by a probe or a new server connection), or null for none yet. */
    public HandshakeV10 serverGreeting() {
        return serverGreeting;
    }

    public void learnGreeting(HandshakeV10 greeting) {
        this.serverGreeting = greeting;
    }

    /**
     * The primary server's greeting: at once when one was seen, else from a probe (TCP connect and greeting, no
     * login) that fails after connect-timeout at most. One probe runs at a time, whoever asks; after a failed one,
     * the next caller starts another. Completes on an event loop of the connector's group.
     */
    public CompletableFuture<HandshakeV10> serverGreetingWhenKnown() {
        HandshakeV10 known = serverGreeting;
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        synchronized (this) {
            if (probe == null || probe.isCompletedExceptionally()) {
                ServerConfig server = primaryServer();
                long millis = config.timeouts().connect().toMillis();
                CompletableFuture<HandshakeV10> started = GreetingProbe.probe(
                                connector.group(),
                                connector.transport(),
                                server.host(),
                                server.port(),
                                config.timeouts().connect())
                        .orTimeout(millis, TimeUnit.MILLISECONDS); // connect and greeting together, not each
                started.thenAccept(this::learnGreeting);
                probe = started;
            }
            return probe;
        }
    }
}
