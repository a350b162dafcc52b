package dev.sluice.backend.pool;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ConnectionFailedException;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import dev.sluice.protocol.charset.Collation;
import dev.sluice.protocol.charset.Collations;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComResetConnection;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server connections of one (server, user, capabilities, character set, database): a client session
 * leases one for its life and gives it back when it ends; the next session gets it without a server
 * handshake.
 *
 * <p>Why it looks like this: a session relays on its server channel without locks only if both channels
 * share an event loop, so a lease prefers an idle connection of the caller's loop and otherwise opens one on
 * it (closing an idle one of another loop when the pool is full). Pool operations happen once per session,
 * not per packet, so one monitor guards the state; connecting and resetting run outside it.
 *
 * <p>Liveness without a round trip: idle connections keep their read registered (the command handler is
 * attached), so a server-side close is seen when it happens and removes the connection; a lease also skips
 * connections that are closed, too old, or idle longer than the server's wait_timeout allows (learned when
 * the connection is opened). A returned connection is reset (COM_RESET_CONNECTION, then its character set
 * and database again) unless the session sent nothing; a connection whose session ended mid-statement is
 * never returned, only discarded.
 */
public final class ServerPool implements AutoCloseable {
    private enum State {
        IDLE,
        LEASED,
        RESETTING,
        CLOSED
    }

    private record Waiter(EventLoop loop, CompletableFuture<PooledConnection> future, ScheduledFuture<?>[] timeout) {}

    private final String name;
    private final ConnectOptions options;
    private final ServerConnector connector;
    private final PoolSettings settings;
    private final PoolStats stats;
    private final HealthMonitor health;
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final java.util.Map<PooledConnection, State> states = new java.util.IdentityHashMap<>();
    private int total;
    private boolean closed;

    /**
     * @param name for messages and logs, e.g. "primary (127.0.0.1:3306) as app"
     * @param options how to open a connection (server, credentials, capabilities, collation, database)
     */
    public ServerPool(String name, ConnectOptions options, ServerConnector connector, PoolSettings settings,
            PoolStats stats, HealthMonitor health) {
        this.name = name;
        this.options = options;
        this.connector = connector;
        this.settings = settings;
        this.stats = stats;
        this.health = health;
    }

    public String name() {
        return name;
    }

    public PoolStats stats() {
        return stats;
    }

    // ---- lease ------------------------------------------------------------------------------------

    /** A connection for a session running on {@code loop}; completes on some thread, the caller hops to its loop. */
    public CompletableFuture<PooledConnection> acquire(EventLoop loop) {
        CompletableFuture<PooledConnection> result = new CompletableFuture<>();
        if (health != null && health.isDown()) {
            stats.failedFast();
            result.completeExceptionally(new PoolUnavailableException(PoolUnavailableException.Reason.SERVER_DOWN,
                    "server " + name + " is down (" + health.lastFailure() + "); checked every "
                            + health.interval().toMillis() + " ms"));
            return result;
        }
        PooledConnection reuse = null;
        PooledConnection rebalance = null;
        boolean open = false;
        List<Evicted> evicted = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                result.completeExceptionally(new PoolUnavailableException(PoolUnavailableException.Reason.CLOSED,
                        "pool " + name + " is closed"));
                return result;
            }
            evictUnusable(System.nanoTime(), evicted);
            for (Iterator<PooledConnection> it = idle.iterator(); it.hasNext(); ) {
                PooledConnection c = it.next();
                if (c.loop() == loop) {
                    it.remove();
                    states.put(c, State.LEASED);
                    reuse = c;
                    break;
                }
            }
            if (reuse == null) {
                if (total < settings.maxSize()) {
                    total++;
                    open = true;
                } else if (!idle.isEmpty()) {
                    rebalance = idle.pollLast();
                    states.put(rebalance, State.CLOSED);
                    open = true; // replaces the one closed: total unchanged
                } else {
                    enqueue(loop, result);
                }
            }
        }
        closeEvicted(evicted);
        if (reuse != null) {
            stats.reused();
            result.complete(reuse);
        } else if (open) {
            if (rebalance != null) {
                stats.discarded(DiscardReason.REBALANCED);
                rebalance.close();
            }
            open(loop, result);
        }
        return result;
    }

    private void enqueue(EventLoop loop, CompletableFuture<PooledConnection> result) {
        stats.waited();
        ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        Waiter waiter = new Waiter(loop, result, timeout);
        waiters.add(waiter);
        timeout[0] = loop.schedule(() -> {
            String state;
            synchronized (this) {
                state = describe(); // before removing this waiter, so "waiting" counts it
                if (!waiters.remove(waiter)) {
                    return;
                }
            }
            stats.timedOut();
            result.completeExceptionally(new PoolUnavailableException(PoolUnavailableException.Reason.EXHAUSTED,
                    "no connection to " + name + " within acquire-timeout " + settings.acquireTimeout().toMillis()
                            + " ms: " + state));
        }, settings.acquireTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private record Evicted(PooledConnection connection, DiscardReason why) {}

    /** Takes every idle connection that must not be handed out any more out of the pool; under the monitor. */
    private void evictUnusable(long now, List<Evicted> out) {
        for (Iterator<PooledConnection> it = idle.iterator(); it.hasNext(); ) {
            PooledConnection c = it.next();
            DiscardReason why = unusable(c, now);
            if (why != null) {
                it.remove();
                forget(c);
                out.add(new Evicted(c, why));
            }
        }
    }

    /** Closes what {@link #evictUnusable} took out; outside the monitor. */
    private void closeEvicted(List<Evicted> evicted) {
        for (Evicted e : evicted) {
            stats.discarded(e.why());
            e.connection().close();
        }
    }

    private DiscardReason unusable(PooledConnection c, long now) {
        if (!c.isActive()) {
            return DiscardReason.STALE;
        }
        if (c.ageNanos(now) > settings.maxLifetime().toNanos()) {
            return DiscardReason.EXPIRED;
        }
        if (c.idleNanos(now) > Math.min(settings.idleTimeout().toNanos(), c.maxIdleNanos())) {
            return DiscardReason.IDLE_TIMEOUT;
        }
        return null;
    }

    private void open(EventLoop loop, CompletableFuture<PooledConnection> result) {
        open(loop, result, 1);
    }

    /**
     * Opens a connection for {@code result}. A connection the server closed or broke while it was being set
     * up (not a refusal: an ERR from the server is final) is tried once more: nothing of any client's
     * statement has been sent on it. Only an unreachable server marks it down.
     */
    private void open(EventLoop loop, CompletableFuture<PooledConnection> result, int attempt) {
        connector.connect(options, loop).thenCompose(this::learnWaitTimeout).whenComplete((pooled, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                stats.createFailed();
                boolean unreachable = cause instanceof ConnectionFailedException cf && cf.unreachable();
                if (health != null && unreachable) {
                    health.reportUnreachable(cause.getMessage());
                }
                if (!unreachable && cause instanceof ConnectionFailedException && attempt < 2 && !result.isDone()) {
                    stats.retried();
                    open(loop, result, attempt + 1);
                    return;
                }
                synchronized (this) {
                    total--;
                }
                result.completeExceptionally(cause);
                serveWaiters();
                return;
            }
            stats.created();
            boolean closedMeanwhile;
            synchronized (this) {
                closedMeanwhile = closed;
                states.put(pooled, closedMeanwhile ? State.CLOSED : State.LEASED);
                if (closedMeanwhile) {
                    total--;
                }
            }
            pooled.connection().channel().closeFuture().addListener(f -> onClosed(pooled));
            if (closedMeanwhile) {
                pooled.close();
                result.completeExceptionally(new PoolUnavailableException(PoolUnavailableException.Reason.CLOSED,
                        "pool " + name + " is closed"));
            } else if (!result.complete(pooled)) {
                release(pooled, true); // nobody waits for it any more
            }
        });
    }

    /** Asks the server's wait_timeout (session set-up): an idle connection is retired before the server closes it. */
    private CompletableFuture<PooledConnection> learnWaitTimeout(ServerConnection connection) {
        return connection.query("SELECT @@wait_timeout").handle((r, e) -> {
            long seconds = 28800; // the servers' default, when the answer is not a number (an odd server, a fake)
            if (e == null && r.resultSets().size() == 1 && !r.resultSet().rows().isEmpty()
                    && r.resultSet().rows().get(0).get(0) instanceof Number n && n.longValue() > 0) {
                seconds = n.longValue();
            }
            // retire at half the server's timeout, and at most a second before it
            long nanos = Math.max(TimeUnit.SECONDS.toNanos(seconds) - TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(seconds) / 2);
            return new PooledConnection(this, connection, nanos);
        });
    }

    // ---- return -----------------------------------------------------------------------------------

    /**
     * The session is done with the connection and it is in a known state (no statement in flight). It is
     * reset unless {@code clean} (the session sent nothing), then idles or goes to a waiting session. Call
     * on the connection's event loop.
     */
    public void release(PooledConnection c, boolean clean) {
        synchronized (this) {
            if (states.get(c) != State.LEASED) {
                return;
            }
            states.put(c, State.RESETTING);
        }
        c.unlease();
        if (!c.isActive()) {
            discard(c, DiscardReason.STALE);
            return;
        }
        if (clean) {
            giveBack(c);
            return;
        }
        reset(c).whenComplete((v, e) -> {
            if (e != null) {
                discard(c, DiscardReason.RESET_FAILED);
            } else {
                stats.reset();
                giveBack(c);
            }
        });
    }

    /**
     * COM_RESET_CONNECTION resets session variables to the global values (MariaDB 10.11 puts the character set
     * back to the login's, verified; not assumed of every server) and keeps whatever database the session last
     * chose: both are set back to what this pool's key promises. The three commands go in one write and their
     * answers are read in order (pipelined: one round trip, not three); each starts at sequence id 0 as
     * always. (Restoring the database unconditionally costs a command after each session, off any client's
     * path, and spares the relay from recognising every way SQL can change it.)
     */
    private CompletableFuture<?> reset(PooledConnection c) {
        ServerConnection conn = c.connection();
        List<ClientCommand> commands = new ArrayList<>(3);
        commands.add(new ComResetConnection());
        Collation collation = Collations.byId(options.collationId()).orElse(null);
        if (collation != null) {
            commands.add(ComQuery.of("SET NAMES " + collation.charsetName() + " COLLATE " + collation.name()));
        }
        // no database to go back to: a connection on which one was chosen cannot serve this pool any more
        commands.add(options.database() != null ? ComInitDb.of(options.database()) : ComQuery.of("SELECT DATABASE()"));
        List<CompletableFuture<QueryResult>> answers = conn.pipeline(commands);
        CompletableFuture<QueryResult> last = answers.get(answers.size() - 1);
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
            QueryResult r = last.join();
            if (options.database() == null && r.resultSet().rows().get(0).get(0) != null) {
                throw new IllegalStateException("a database was chosen on a connection of a pool without one");
            }
            return r;
        });
    }

    private void giveBack(PooledConnection c) {
        Waiter waiter;
        PooledConnection replaced = null;
        synchronized (this) {
            if (closed) {
                states.put(c, State.CLOSED);
                total--;
                waiter = null;
                replaced = c;
            } else {
                waiter = nextWaiter();
                if (waiter == null) {
                    c.markIdle(System.nanoTime());
                    states.put(c, State.IDLE);
                    idle.addFirst(c);
                } else if (waiter.loop() == c.loop()) {
                    states.put(c, State.LEASED);
                } else {
                    states.put(c, State.CLOSED);
                    replaced = c; // a new one for the waiter's loop takes its place in total
                }
            }
        }
        if (replaced != null) {
            stats.discarded(closed ? DiscardReason.SHUTDOWN : DiscardReason.REBALANCED);
            replaced.close();
            if (waiter != null) {
                waiter.timeout()[0].cancel(false);
                open(waiter.loop(), waiter.future());
            }
        } else if (waiter != null) {
            waiter.timeout()[0].cancel(false);
            stats.reused();
            if (!waiter.future().complete(c)) {
                release(c, true);
            }
        }
    }

    /**
     * The connection must not be used again (its session ended mid-statement, it failed, ...): closed, and
     * its place goes to a waiting session.
     */
    public void discard(PooledConnection c, DiscardReason reason) {
        synchronized (this) {
            State s = states.get(c);
            if (s == null || s == State.CLOSED) {
                return;
            }
            idle.remove(c);
            forget(c);
        }
        stats.discarded(reason);
        c.close();
        serveWaiters();
    }

    private void forget(PooledConnection c) {
        states.put(c, State.CLOSED);
        total--;
    }

    private void onClosed(PooledConnection c) {
        boolean wasIdle;
        synchronized (this) {
            wasIdle = states.get(c) == State.IDLE;
            if (wasIdle) {
                idle.remove(c);
                forget(c);
            }
            if (states.get(c) == State.CLOSED) {
                states.remove(c);
            }
        }
        if (wasIdle) {
            stats.discarded(DiscardReason.STALE);
            serveWaiters();
        }
    }

    /** A slot is free: open a connection for the first waiter, if any. */
    private void serveWaiters() {
        Waiter waiter;
        synchronized (this) {
            if (closed || total >= settings.maxSize()) {
                return;
            }
            waiter = nextWaiter();
            if (waiter == null) {
                return;
            }
            total++;
        }
        waiter.timeout()[0].cancel(false);
        open(waiter.loop(), waiter.future());
    }

    private Waiter nextWaiter() {
        for (Waiter w; (w = waiters.poll()) != null; ) {
            if (!w.future().isDone()) {
                return w;
            }
        }
        return null;
    }

    // ---- maintenance ------------------------------------------------------------------------------

    /** Closes idle connections past their time and opens some up to min-idle; run periodically. */
    public void maintain() {
        List<Evicted> evicted = new ArrayList<>();
        int toOpen = 0;
        synchronized (this) {
            if (closed) {
                return;
            }
            evictUnusable(System.nanoTime(), evicted);
            // connections being opened are counted in total but have no state entry yet
            int opening = total - (int) states.values().stream().filter(s -> s != State.CLOSED).count();
            if (health == null || !health.isDown()) {
                while (idle.size() + opening + toOpen < settings.minIdle() && total < settings.maxSize()) {
                    total++;
                    toOpen++;
                }
            }
        }
        closeEvicted(evicted);
        for (int i = 0; i < toOpen; i++) {
            CompletableFuture<PooledConnection> warm = new CompletableFuture<>();
            warm.thenAccept(c -> c.loop().execute(() -> release(c, true)));
            open(connector.group().next(), warm);
        }
    }

    /** total/leased/idle/waiting, for messages. */
    public synchronized String describe() {
        long leased = states.values().stream().filter(s -> s == State.LEASED).count();
        return "max-size " + settings.maxSize() + ", open " + total + ", leased " + leased + ", idle " + idle.size()
                + ", waiting " + waiters.size();
    }

    public synchronized int idleCount() {
        return idle.size();
    }

    public synchronized int openCount() {
        return total;
    }

    @Override
    public void close() {
        List<PooledConnection> toClose;
        List<Waiter> toFail;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(idle);
            idle.clear();
            for (PooledConnection c : toClose) {
                forget(c);
            }
            toFail = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (PooledConnection c : toClose) {
            stats.discarded(DiscardReason.SHUTDOWN);
            c.close();
        }
        for (Waiter w : toFail) {
            w.future().completeExceptionally(new PoolUnavailableException(PoolUnavailableException.Reason.CLOSED,
                    "pool " + name + " is closed"));
        }
    }
}
