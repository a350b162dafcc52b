package dev.sluice.proxy;

import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.Transport;
import dev.sluice.backend.pool.HealthMonitor;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.protocol.Capability;
import dev.sluice.proxy.admin.AdminContext;
import dev.sluice.proxy.admin.AdminServer;
import dev.sluice.proxy.admin.AdminTables;
import dev.sluice.proxy.admin.ConfigReloader;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.frontend.ClientTlsContexts;
import dev.sluice.proxy.hostile.HostileListener;
import dev.sluice.proxy.ops.OpsHttpServer;
import dev.sluice.proxy.ops.ProxyMetrics;
import dev.sluice.proxy.session.PinCounters;
import dev.sluice.proxy.session.ProxyContext;
import dev.sluice.proxy.session.SessionDrain;
import dev.sluice.proxy.session.SessionRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: its listeners, event loops and sessions. {@link #start} starts probing the server's
 * greeting (so Sluice's greeting tells drivers the truth; clients that arrive before it is known wait for it, see
 * {@link GreetingGate}), binds every listener (port 0 picks a free port, see {@link #addresses()}) and returns
 * once clients can connect, without waiting for the probe; {@link #close} stops accepting, closes every session
 * and releases the event loops.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ProxyContext context;
    private final List<Channel> listeners = new ArrayList<>();
    private volatile ClientChannelInitializer initializer;
    /** True from the last listener bound until {@link #stopAccepting}: what {@code /health/ready} answers. */
    private volatile boolean accepting;

    private volatile Channel hostile;
    private volatile OpsHttpServer http;
    private volatile AdminServer admin;
    private volatile Supplier<ConfigReload.Result> reloadSource;

    private ProxyServer(EventLoopGroup acceptors, EventLoopGroup workers, ProxyContext context) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.context = context;
    }

    public static ProxyServer start(ProxyConfig config) {
        return start(config, 0);
    }

    /** @param serverCapabilityMask capabilities never asked of servers; tests only (see ProxyContext) */
    public static ProxyServer start(ProxyConfig config, long serverCapabilityMask) {
        // the TLS context and the RSA pair are made on threads of their own while the loops start and the probe runs
        CompletableFuture<SslContext> tls = ClientChannelInitializer.prepare(config);
        Transport transport = Transport.best();
        EventLoopGroup acceptors = transport.newGroup(1);
        EventLoopGroup workers = transport.newGroup(Runtime.getRuntime().availableProcessors());
        ProxyContext context = new ProxyContext(
                config,
                new SessionRegistry(config.instanceId()),
                new ServerConnector(workers, transport),
                serverCapabilityMask);
        ProxyServer server = new ProxyServer(acceptors, workers, context);
        try {
            List<CompletableFuture<?>> serverTls = prepareServerTls(config, context.connector());
            server.probeServer();
            serverTls.forEach(ProxyServer::await); // a CA bundle or client key that cannot be used fails the start
            ClientChannelInitializer initializer = new ClientChannelInitializer(context, await(tls));
            server.initializer = initializer;
            for (ListenerConfig listener : config.listeners()) {
                Channel channel = bind(transport, acceptors, workers, listener, initializer::initialize);
                server.listeners.add(channel);
                LOG.info(
                        "listening on {} (transport {}, pool.mode {})",
                        format((InetSocketAddress) channel.localAddress()),
                        transport,
                        config.pool().mode().key());
            }
            if (config.hostile() != null) {
                HostileListener hostile = new HostileListener(config.hostile());
                server.hostile = bind(
                        transport,
                        acceptors,
                        workers,
                        config.hostile().listen(),
                        ch -> initializer.initialize(ch, hostile));
                hostile.warnAtStart(format(server.hostileAddress()));
            }
            ProxyMetrics metrics = new ProxyMetrics(context, PinCounters.global());
            AdminContext admin = new AdminContext(context, metrics, server::adminReloader);
            if (config.http() != null) {
                server.http = OpsHttpServer.start(
                        config.http(), transport, metrics, () -> server.accepting, new AdminTables(admin).api());
                LOG.info("http on {} (/metrics, /health/live, /health/ready, /api/...)", format(server.http.address()));
            }
            if (config.admin() != null) {
                server.admin = AdminServer.start(
                        config.admin(),
                        transport,
                        admin,
                        config.admin().tls().equals(config.clientTls())
                                ? await(tls) // the main port's context: the same certificate
                                : config.admin().tls().enabled()
                                        ? ClientTlsContexts.create(
                                                config.admin().tls())
                                        : null,
                        config.clientAuthPlugin(),
                        config.timeouts().clientHandshake());
                LOG.info("admin interface on {}", format(server.admin.address()));
            }
            server.accepting = true;
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A listener bound on the workers, each accepted channel set up by {@code setUp}. */
    private static Channel bind(
            Transport transport,
            EventLoopGroup acceptors,
            EventLoopGroup workers,
            ListenerConfig listener,
            Consumer<SocketChannel> setUp) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        setUp.accept(ch);
                    }
                });
        try {
            return bootstrap.bind(listener.host(), listener.port()).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot listen on " + listener.host() + ":" + listener.port() + ": " + e.getMessage(), e);
        }
    }

    /** Starts the probe of the server's greeting and logs its outcome; clients arriving meanwhile wait for it. */
    private void probeServer() {
        ServerConfig primary = context.primaryServer();
        context.serverGreetingWhenKnown().whenComplete((greeting, failure) -> {
            if (failure != null) {
                LOG.warn(
                        "server {} ({}) did not greet at start; until it does, clients are refused with {}",
                        primary.name(),
                        primary.address(),
                        GreetingGate.refusal(context, failure));
                return;
            }
            boolean offersTls = Capability.has(greeting.capabilities(), Capability.CLIENT_SSL);
            LOG.info(
                    "server {} ({}) is {}, {}{}",
                    primary.name(),
                    primary.address(),
                    greeting.serverVersion(),
                    primary.describeSecurity(),
                    offersTls || primary.tls().mode() == TlsMode.DISABLED
                            ? ""
                            : ": its greeting offers no TLS, so "
                                    + (primary.tls().mode().requiresTls()
                                            ? "every login to it will be refused"
                                            : "connections to it go unencrypted"));
            if (!offersTls && primary.tls().mode() == TlsMode.PREFERRED) {
                context.connector()
                        .tlsContexts()
                        .warnUnencrypted(
                                primary.address(), "its greeting (" + greeting.serverVersion() + ") offers no TLS");
            }
        });
    }

    /** Makes the TLS context of each server that uses TLS on a thread of its own; failures name the server. */
    private static List<CompletableFuture<?>> prepareServerTls(ProxyConfig config, ServerConnector connector) {
        List<CompletableFuture<?>> result = new ArrayList<>();
        for (ServerConfig s : config.servers()) {
            if (s.tls().mode() != TlsMode.DISABLED) {
                result.add(connector.tlsContexts().prepare(s.tls()).exceptionally(e -> {
                    throw new IllegalArgumentException("server " + s.name() + ": " + e.getMessage(), e);
                }));
            }
        }
        return result;
    }

    /** The value of a start-up future; its failure rethrown as it was thrown (unchecked), not wrapped. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** Where statements go, and the routing counters (for tests and the admin interface). */
    public dev.sluice.proxy.routing.Router router() {
        return context.router();
    }

    /** What the sessions did: commands, latencies, errors, bytes, the digest table and the slow query log. */
    public dev.sluice.proxy.stats.StatementStats stats() {
        return context.stats();
    }

    /** The bound listener addresses, in configuration order. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /** Where the hostile listener ({@code hostile.listen}, docs/HOSTILE.md) is bound; null when none is configured. */
    public InetSocketAddress hostileAddress() {
        Channel h = hostile;
        return h == null ? null : (InetSocketAddress) h.localAddress();
    }

    /** Sessions currently open. */
    public int sessionCount() {
        return context.registry().size();
    }

    /**
     * Client connections open right now, in the handshake or in a session; unlike {@link #sessionCount()} a
     * connection counts until its channel has really closed.
     */
    public int clientConnections() {
        ClientChannelInitializer i = initializer;
        return i == null ? 0 : i.openConnections();
    }

    ProxyContext context() {
        return context;
    }

    /** Protocol violations the strict validator reported so far (docs/VALIDATION.md), for tests and tools. */
    public dev.sluice.proxy.validate.ViolationCounts violations() {
        return context.violations();
    }

    /** Where the HTTP listener ({@code http.listen}) is bound; null when none is configured. */
    public InetSocketAddress httpAddress() {
        OpsHttpServer h = http;
        return h == null ? null : h.address();
    }

    /** Where the admin interface ({@code admin.listen}) is bound; null when none is configured. */
    public InetSocketAddress adminAddress() {
        AdminServer a = admin;
        return a == null ? null : a.address();
    }

    /** What the admin interface's RELOAD CONFIG runs: {@link #reloadFromSource}; null when no source is set. */
    private ConfigReloader adminReloader() {
        if (reloadSource == null) {
            return null;
        }
        return () -> {
            ConfigReload.Result r = reloadFromSource();
            return new ConfigReloader.ReloadResult(r.applied(), r.describe());
        };
    }

    /** Whether clients are accepted now ({@code /health/ready}). */
    public boolean accepting() {
        return accepting;
    }

    /**
     * Stops accepting clients: {@code /health/ready} answers 503 from now on (a load balancer stops sending) and the
     * listeners close; sessions open go on until {@link #close}. Idempotent.
     */
    public void stopAccepting() {
        accepting = false;
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        Channel h = hostile;
        if (h != null) {
            h.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The graceful drain before {@link #close}: stops accepting at once ({@code /health/ready} answers 503,
     * {@code /health/live} goes on answering), then lets each session finish the statement and the transaction it is
     * in, up to {@code timeout}, and cuts the rest with an ERR (see {@link SessionDrain}). Logs and returns what
     * happened.
     */
    public SessionDrain.Result drain(java.time.Duration timeout) {
        stopAccepting();
        LOG.info(
                "draining {} sessions (shutdown-timeout {} ms)",
                context.registry().size(),
                timeout.toMillis());
        SessionDrain.Result result = SessionDrain.drain(context, timeout);
        LOG.info("drained: {}", result);
        return result;
    }

    /**
     * A configuration reload (SIGHUP, {@code RELOAD CONFIG}): applies {@code next} at once when it changes only keys
     * that reload live, else changes nothing and says which keys need a restart (see {@link ConfigReload}). Sessions
     * open go on; new logins, and the next statements, see the new configuration. Logs the outcome.
     */
    public synchronized ConfigReload.Result reload(ProxyConfig next) {
        ConfigReload.Result result = ConfigReload.check(context.config(), next);
        if (result.applied()) {
            context.reconfigure(next);
            LOG.info(result.describe());
        } else {
            LOG.warn(result.describe());
        }
        return result;
    }

    /**
     * Where {@link #reloadFromSource} gets the configuration again: the application re-reads its file and flags and
     * calls {@link #reload} (sluice-app's ConfigReloads). Set once the proxy runs.
     */
    public void reloadSource(Supplier<ConfigReload.Result> source) {
        this.reloadSource = source;
    }

    /**
     * Re-reads the configuration from where it came from and applies it (an admin's {@code RELOAD CONFIG}, like
     * SIGHUP): refused when nothing was registered ({@link #reloadSource}), e.g. a proxy started by a test.
     */
    public ConfigReload.Result reloadFromSource() {
        Supplier<ConfigReload.Result> source = reloadSource;
        return source != null
                ? source.get()
                : ConfigReload.Result.refused(List.of(), "this Sluice has no configuration source to read again");
    }

    /** Server connections Sluice holds open to this server: leased to sessions or idle in its pools. */
    public int openServerConnections(String server) {
        return context.pools().openCount(server);
    }

    /** Pools of this server in the pools map (one per user, capabilities, character set, database). */
    public int poolCount(String server) {
        return context.pools().poolCount(server);
    }

    /** The pool counters of a configured server (all its pools), for metrics and tests. */
    public PoolStats poolStats(String server) {
        return context.pools().stats(server);
    }

    /** The health check of a configured server, or null for a name that is not configured. */
    public HealthMonitor health(String server) {
        return context.pools().health(server);
    }

    @Override
    public void close() {
        stopAccepting();
        AdminServer a = admin;
        if (a != null) {
            a.close();
        }
        context.registry().all().forEach(s -> {
            LOG.info("closing {}", s.describe());
            s.closeFromOutside("proxy shutting down");
        });
        context.close();
        context.pools().close();
        OpsHttpServer h = http;
        if (h != null) {
            h.close(); // last before the loops: /health/live answers until the end
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("stopped");
    }

    private static String format(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
