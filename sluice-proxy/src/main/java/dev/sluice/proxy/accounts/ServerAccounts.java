package dev.sluice.proxy.accounts;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.DeadlineExceededException;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UsersFromServerConfig;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts loaded from the servers ({@code users-from-server}): an immutable {@link AccountSnapshot} replaced
 * by each load, every {@code refresh-interval} and when a client logs in as a user Sluice does not know
 * ({@link #refresh()}). Loads never overlap and start at most once per {@code min-refresh-interval}: a request
 * made sooner joins the load planned next, so a stream of unknown users costs the servers one query per
 * interval, and a user created on a server is found by the first login after its creation that starts a load.
 *
 * <p>A load logs in with the service account to the servers in order (the writer first), within
 * connect-timeout, and runs {@link AccountQuery} within the same limit; the first server that answers wins. A
 * failed load keeps the accounts loaded before.
 */
public final class ServerAccounts {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.accounts");

    private final UsersFromServerConfig config;
    private final ServerConnector connector;
    private final Supplier<List<ServerConfig>> servers;
    private final Function<ServerConfig, ConnectOptions> options;
    private final Duration timeout;
    private final Clock clock;
    private final EventLoop loop;

    private volatile AccountSnapshot snapshot = AccountSnapshot.EMPTY;
    private final AtomicLong loadsOk = new AtomicLong();
    private final AtomicLong loadsFailed = new AtomicLong();
    // guarded by this
    private CompletableFuture<AccountSnapshot> planned;
    private boolean loading;
    private long lastStartNanos;
    private boolean everStarted;
    private boolean closed;
    private String lastFailure;
    private io.netty.util.concurrent.ScheduledFuture<?> periodic;

    /**
     * @param servers the servers to read from, in order of preference (the writer first)
     * @param options the service account's login to a server
     * @param timeout the deadline of the login and, again, of the query
     */
    public ServerAccounts(
            UsersFromServerConfig config,
            ServerConnector connector,
            Supplier<List<ServerConfig>> servers,
            Function<ServerConfig, ConnectOptions> options,
            Duration timeout,
            Clock clock) {
        this.config = config;
        this.connector = connector;
        this.servers = servers;
        this.options = options;
        this.timeout = timeout;
        this.clock = clock;
        this.loop = connector.group().next();
    }

    /** Loads now and then every refresh-interval. */
    public void start() {
        long every = config.refreshInterval().toMillis();
        periodic = loop.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
    }

    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (periodic != null) {
            periodic.cancel(false);
        }
    }

    /** The accounts loaded last ({@link AccountSnapshot#EMPTY} before the first load succeeded). */
    public AccountSnapshot current() {
        return snapshot;
    }

    /** Loads that succeeded so far (for metrics). */
    public long loads() {
        return loadsOk.get();
    }

    /** Loads that failed so far: no server answered (for metrics). */
    public long failedLoads() {
        return loadsFailed.get();
    }

    /**
     * A load that starts after this call (rate-limited), and completes with the accounts then current (the old
     * ones if it failed); never fails. Completes on an event loop of the connector's group.
     */
    public CompletableFuture<AccountSnapshot> refresh() {
        synchronized (this) {
            if (planned != null) {
                return planned;
            }
            if (closed) {
                return CompletableFuture.completedFuture(snapshot);
            }
            planned = new CompletableFuture<>();
            CompletableFuture<AccountSnapshot> result = planned;
            if (!loading) {
                schedulePlanned();
            } // else: started when the running load ends
            return result;
        }
    }

    /** Guarded by this: the planned load starts min-refresh-interval after the last one started, or now. */
    private void schedulePlanned() {
        long wait = everStarted ? lastStartNanos + config.minRefreshInterval().toNanos() - System.nanoTime() : 0;
        if (wait <= 0) {
            loop.execute(this::startPlanned);
        } else {
            loop.schedule(this::startPlanned, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void startPlanned() {
        CompletableFuture<AccountSnapshot> done;
        synchronized (this) {
            if (loading || planned == null) {
                return;
            }
            done = planned;
            planned = null;
            loading = true;
            everStarted = true;
            lastStartNanos = System.nanoTime();
        }
        CompletableFuture<AccountSnapshot> load;
        try {
            load = loadFrom(servers.get(), 0, null);
        } catch (RuntimeException e) {
            load = CompletableFuture.failedFuture(e); // e.g. a server's login options: still ends this load
        }
        load.whenComplete((loaded, failure) -> {
            if (loaded != null) {
                loadsOk.incrementAndGet();
                AccountSnapshot previous = snapshot;
                snapshot = loaded;
                if (previous.size() != loaded.size() || lastFailure != null) {
                    LOG.info("users-from-server: {} accounts loaded from server {}", loaded.size(), loaded.source());
                }
                lastFailure = null;
            } else {
                loadsFailed.incrementAndGet();
                String why = describe(failure);
                if (!why.equals(lastFailure)) {
                    LOG.warn(
                            "users-from-server: loading the accounts failed, keeping the {} loaded before: {}",
                            snapshot.size(),
                            why);
                }
                lastFailure = why;
            }
            synchronized (this) {
                loading = false;
                if (planned != null && !closed) {
                    schedulePlanned();
                }
            }
            done.complete(snapshot);
        });
    }

    private CompletableFuture<AccountSnapshot> loadFrom(List<ServerConfig> order, int index, Throwable last) {
        if (index >= order.size()) {
            return CompletableFuture.failedFuture(last == null ? new IllegalStateException("no servers") : last);
        }
        ServerConfig server = order.get(index);
        return load(server)
                .handle((loaded, failure) -> loaded != null
                        ? CompletableFuture.completedFuture(loaded)
                        : loadFrom(order, index + 1, named(server, failure)))
                .thenCompose(f -> f);
    }

    private CompletableFuture<AccountSnapshot> load(ServerConfig server) {
        ConnectOptions login =
                options.apply(server).toBuilder().connectTimeout(timeout).build();
        return connector
                .connect(login, loop)
                .thenCompose(connection -> query(connection, AccountQuery.GLOBAL_PRIV)
                        .handle((result, failure) -> {
                            if (failure == null) {
                                return CompletableFuture.completedFuture(result);
                            }
                            Throwable cause = unwrap(failure);
                            if (cause instanceof ServerException se && se.errorCode() == AccountQuery.NO_SUCH_TABLE) {
                                return query(connection, AccountQuery.MYSQL_USER); // MySQL, or MariaDB before 10.4
                            }
                            return CompletableFuture.<QueryResult>failedFuture(cause);
                        })
                        .thenCompose(f -> f)
                        .whenComplete((r, e) -> connection.close())
                        .thenApply(result ->
                                AccountSnapshot.of(AccountQuery.read(result), clock.instant(), server.name())));
    }

    private CompletableFuture<QueryResult> query(ServerConnection connection, String sql) {
        return connection.within(
                connection.query(sql), timeout, "the accounts query within " + timeout.toMillis() + " ms");
    }

    private static Throwable named(ServerConfig server, Throwable failure) {
        return new IllegalStateException("server " + server.name() + ": " + describe(failure), unwrap(failure));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof DeadlineExceededException) {
            return "no answer within the deadline: " + cause.getMessage();
        }
        if (cause instanceof ServerException se && se.errorCode() == 1142) {
            return "the service account may not read mysql.global_priv / mysql.user (GRANT SELECT ON mysql.* or"
                    + " on the table): " + se.getMessage();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
