package dev.sluice.backend.pool;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.DeadlineExceededException;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The server connections of one (server, user, capabilities, character set, database): a client session
 * leases one for its life and gives it back when it ends; the next session gets it without a server
 * handshake.
 *
 * <p>Why it looks like this: a session relays on its server channel without locks only if both channels
 * share an event loop, so a lease prefers an idle connection of the caller's loop and otherwise opens one on
 * it (closing an idle one of another loop when the pool is full); which connection and which waiting client go
 * together across loops is {@link LoopBalance}'s policy, this class keeps the lifecycle (open, hand out, give back,
 * discard, maintain, retire, close). One monitor guards the state; connecting and resetting run outside it. The
 * connections of all pools of a server share that server's {@link ServerSlots}.
 *
 * <p>Liveness without a round trip: idle connections keep their read registered (the command handler is
 * attached), so a server-side close is seen when it happens and removes the connection; a lease also skips
 * connections that are closed, too old, or idle longer than the server's wait_timeout allows (learned when
 * the connection is opened). A returned connection is reset (COM_RESET_CONNECTION, then its character set
 * and database again) unless the session sent nothing; a connection whose session ended mid-statement is
 * never returned, only discarded. A connection handed out again after idling (or returned unused) is reset
 * once more first, so that the new session starts from the server's global values as they are now (a SET
 * GLOBAL made while it idled shows, as it does on a new connection).
 */
public final class ServerPool implements AutoCloseable {
    /** Where a connection is in its life; kept on the connection ({@link PooledConnection#poolState}). */
    enum State {
        IDLE,
        LEASED,
        RESETTING,
        CLOSED
    }

    private final String name;
    private final ConnectOptions options;
    private final ServerConnector connector;
    private final PoolOpener opener;
    /** The pool settings now (a configuration reload replaces them; read at each use). */
    private final Supplier<PoolSettings> settings;

    private final PoolStats stats;
    private final HealthMonitor health;
    private final ServerSlots slots;
    /** Where sessions go once this pool was retired for being empty (the map's current pool for the key). */
    private final Supplier<ServerPool> successor;

    private final IdleConnections idle = new IdleConnections();
    private final PoolWaiters waiters = new PoolWaiters();
    private final LoopBalance balance;

    private int total;
    /** Connections with a state other than CLOSED: total less those being opened. */
    private int withState;
    /** Connections LEASED. */
    private int leased;

    private boolean closed;
    /** Written under the monitor, read without it ({@link #isRetired}). */
    private volatile boolean retired;

    private long emptySince;
    private volatile SessionTracking.TrackerDefaults trackerDefaults;

    /**
     * @param name for messages and logs, e.g. "primary (127.0.0.1:3306) as app"
     * @param options how to open a connection (server, credentials, capabilities, collation, database)
     * @param slots the server's connections across its pools
     * @param successor the pool that serves this key once this one is retired (see {@link #retireIfEmpty})
     */
    public ServerPool(
            String name,
            ConnectOptions options,
            ServerConnector connector,
            PoolSettings settings,
            PoolStats stats,
            HealthMonitor health,
            ServerSlots slots,
            Supplier<ServerPool> successor) {
        this(name, options, connector, () -> settings, stats, health, slots, successor);
    }

    /** With settings read at each use ({@link Pools#reconfigure}); the mode never changes. */
    public ServerPool(
            String name,
            ConnectOptions options,
            ServerConnector connector,
            Supplier<PoolSettings> settings,
            PoolStats stats,
            HealthMonitor health,
            ServerSlots slots,
            Supplier<ServerPool> successor) {
        this.name = name;
        this.options = options;
        this.connector = connector;
        this.settings = settings;
        this.stats = stats;
        this.health = health;
        this.slots = slots;
        this.successor = successor;
        this.opener = new PoolOpener(
                name, options, connector, stats, health, slots, this::describe, t -> trackerDefaults = t);
        this.balance = new LoopBalance(settings.get().mode(), idle, waiters, this::patienceOver);
        slots.register(this);
    }

    public String name() {
        return name;
    }

    /**
     * The server's global session-tracker settings as the latest connection set-up read them (what a direct client
     * starts with), or null before one did or when the pool's connections do not track ({@link
     * ConnectOptions#sessionTracking()}).
     */
    public SessionTracking.TrackerDefaults trackerDefaults() {
        return trackerDefaults;
    }

    public PoolStats stats() {
        return stats;
    }

    // ---- lease ------------------------------------------------------------------------------------

    /**
     * Transaction mode's fast path, on {@code loop}: an idle connection of that loop, leased at once (no future, no
     * hop), or null when there is none (the caller then uses {@link #acquire}). No reset is due in this mode.
     */
    public PooledConnection acquireIdleNow(EventLoop loop) {
        if (settings.get().mode() != PoolMode.TRANSACTION || (health != null && health.isDown())) {
            return null;
        }
        PooledConnection c;
        synchronized (this) {
            if (closed || !waiters.isEmpty()) {
                return null; // waiting clients come first
            }
            c = balance.idleFor(loop);
            if (c == null) {
                return null;
            }
            long now = System.nanoTime();
            if (!c.isActive()
                    || c.tooIdleToUse(now)
                    || c.ageNanos(now) > settings.get().maxLifetime().toNanos()) {
                idle.add(c); // the slow path retires it
                return null;
            }
            state(c, State.LEASED);
        }
        stats.reused();
        return c;
    }

    /** A connection for a session running on {@code loop}; completes on some thread, the caller hops to its loop. */
    public CompletableFuture<PooledConnection> acquire(EventLoop loop) {
        CompletableFuture<PooledConnection> result = new CompletableFuture<>();
        if (health != null && health.isDown()) {
            stats.failedFast();
            result.completeExceptionally(new PoolUnavailableException(
                    PoolUnavailableException.Reason.SERVER_DOWN,
                    "server " + name + " is down (" + health.lastFailure() + "); checked every "
                            + health.interval().toMillis() + " ms"));
            return result;
        }
        acquire(loop, result, true, true);
        return result;
    }

    /**
     * Transaction mode: {@code previous} again, if it idles untouched since the caller gave it back (no lease since:
     * {@code leases} unchanged), so the values of the caller's last statement on it (ROW_COUNT(), FOUND_ROWS(),
     * warnings) are still there; null otherwise. On the connection's event loop.
     */
    public PooledConnection reclaim(PooledConnection previous, long leases) {
        synchronized (this) {
            if (closed || previous.poolState != State.IDLE || previous.leases() != leases || !idle.remove(previous)) {
                return null;
            }
            state(previous, State.LEASED);
        }
        stats.reused();
        return previous;
    }

    /**
     * @param mayMakeRoom at the server's limit, an idle connection of another pool may be closed for this lease
     * @param mayReuse an idle connection may serve it (false after one failed its reset: the next idle one would
     *     most likely wait out reset-timeout again, so a new connection is opened, within connect-timeout)
     */
    private void acquire(
            EventLoop loop, CompletableFuture<PooledConnection> result, boolean mayMakeRoom, boolean mayReuse) {
        PooledConnection reuse = null;
        PooledConnection rebalance = null;
        boolean open = false;
        boolean needRoom = false;
        boolean goOn = false;
        List<PooledConnection> evicted = List.of();
        synchronized (this) {
            if (closed && retired) {
                goOn = true;
            } else if (closed) {
                result.completeExceptionally(closedException());
                return;
            } else {
                evicted = evictUnusable(System.nanoTime());
                reuse = mayReuse ? balance.idleFor(loop) : null;
                if (reuse != null) {
                    state(reuse, State.LEASED);
                } else {
                    if (settings.get().poolAllows(total) && slots.tryTake()) {
                        total++;
                        open = true;
                    } else if ((rebalance = balance.idleToReplace()) != null) {
                        state(rebalance, State.CLOSED);
                        open = true; // replaces the one closed: total and the server slot unchanged
                    } else if (settings.get().poolAllows(total) && mayMakeRoom) {
                        needRoom = true; // the server is at Sluice's limit for it
                    } else {
                        enqueue(loop, result);
                    }
                }
            }
        }
        if (goOn) {
            successor.get().acquire(loop, result, mayMakeRoom, mayReuse);
            return;
        }
        closeEvicted(evicted);
        if (needRoom) {
            if (slots.makeRoom(this)) {
                acquire(loop, result, false, mayReuse);
            } else {
                synchronized (this) {
                    if (!closed) {
                        enqueue(loop, result);
                        return;
                    }
                }
                result.completeExceptionally(closedException());
            }
        } else if (reuse != null) {
            handOut(reuse, loop, result);
        } else if (open) {
            if (rebalance != null) {
                stats.discarded(DiscardReason.REBALANCED);
                rebalance.close();
            }
            open(loop, result);
        }
    }

    private PoolUnavailableException closedException() {
        return new PoolUnavailableException(PoolUnavailableException.Reason.CLOSED, "pool " + name + " is closed");
    }

    /**
     * Completes a lease with {@code c}; a connection whose session state may be older than the server's
     * global values (it idled, or came back unused) is reset first. A connection that fails its reset is
     * discarded and the lease tries again with a new connection.
     */
    private void handOut(PooledConnection c, EventLoop loop, CompletableFuture<PooledConnection> result) {
        if (!c.sessionStale() || settings.get().mode() == PoolMode.TRANSACTION) {
            stats.reused();
            if (!result.complete(c)) {
                release(c, true);
            }
            return;
        }
        ConnectionSetUp.reset(c.connection(), options, settings.get().resetTimeout())
                .whenComplete((r, e) -> {
                    if (e != null) {
                        discard(c, resetFailure(e));
                        if (!result.isDone()) {
                            acquire(loop, result, true, false);
                        }
                        return;
                    }
                    c.sessionCurrent();
                    stats.refreshed();
                    stats.reused();
                    if (!result.complete(c)) {
                        release(c, true);
                    }
                });
    }

    private static DiscardReason resetFailure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof DeadlineExceededException ? DiscardReason.RESET_TIMEOUT : DiscardReason.RESET_FAILED;
    }

    /** Under the monitor. */
    private void enqueue(EventLoop loop, CompletableFuture<PooledConnection> result) {
        stats.waited();
        long since = System.nanoTime();
        result.whenComplete((c, e) -> stats.waitedFor(System.nanoTime() - since));
        PoolWaiters.Waiter added =
                waiters.add(loop, result, settings.get().acquireTimeout().toMillis(), waiter -> {
                    String state;
                    synchronized (this) {
                        state = describe(); // before removing this waiter, so "waiting" counts it
                        if (!waiters.remove(waiter)) {
                            return;
                        }
                    }
                    stats.timedOut();
                    result.completeExceptionally(new PoolUnavailableException(
                            PoolUnavailableException.Reason.EXHAUSTED,
                            "no connection to " + name + " within acquire-timeout "
                                    + settings.get().acquireTimeout().toMillis() + " ms: " + state));
                });
        if (balance.mayTakeIdleElsewhere()) {
            balance.checkLater(added);
        }
    }

    /**
     * Transaction mode: a client waits on a loop while a connection of another loop idles. If it still idles after
     * the waiters' patience (its loop does not need it), it is closed and one is opened on the waiter's loop; an
     * idle connection of the waiter's own loop serves it instead. On the waiter's loop.
     */
    private void patienceOver(PoolWaiters.Waiter waiter) {
        PooledConnection c;
        synchronized (this) {
            if (closed || waiter.future.isDone()) {
                return;
            }
            c = balance.afterPatience(waiter);
            if (c == null) {
                return;
            }
            state(c, c.loop() == waiter.loop ? State.LEASED : State.CLOSED);
        }
        if (c.loop() == waiter.loop) {
            waiter.served();
            handOut(c, waiter.loop, waiter.future);
            return;
        }
        stats.discarded(DiscardReason.REBALANCED);
        c.close();
        waiter.served();
        open(waiter.loop, waiter.future);
    }

    /** Takes every idle connection that must not be handed out any more out of the pool; under the monitor. */
    private List<PooledConnection> evictUnusable(long now) {
        List<PooledConnection> out = idle.takeUnusable(now, settings.get());
        out.forEach(this::forget);
        return out;
    }

    /** Closes what {@link #evictUnusable} took out; outside the monitor. */
    private void closeEvicted(List<PooledConnection> evicted) {
        for (PooledConnection c : evicted) {
            stats.discarded(c.discardReason);
            c.close();
            slots.give(this);
        }
    }

    /** Opens a connection for {@code result}, which holds a slot of this pool and of the server already. */
    private void open(EventLoop loop, CompletableFuture<PooledConnection> result) {
        opener.open(loop).whenComplete((opened, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    total--;
                }
                result.completeExceptionally(failure);
                slots.give(this);
                return;
            }
            PooledConnection pooled =
                    new PooledConnection(this, opened.connection(), opened.maxIdleNanos(), opened.tracked());
            boolean closedMeanwhile;
            synchronized (this) {
                closedMeanwhile = closed;
                state(pooled, closedMeanwhile ? State.CLOSED : State.LEASED);
                if (closedMeanwhile) {
                    total--;
                }
            }
            pooled.connection().channel().closeFuture().addListener(f -> onClosed(pooled));
            if (closedMeanwhile) {
                pooled.close();
                slots.untake();
                result.completeExceptionally(closedException());
            } else if (!result.complete(pooled)) {
                release(pooled, true); // nobody waits for it any more
            }
        });
    }

    /**
     * Takes in {@code connection}, opened elsewhere, as a connection of this pool leased to the caller, counted
     * against the pool's and the server's limits: for benchmarks, which have no server to open one on.
     */
    PooledConnection adopt(ServerConnection connection) {
        PooledConnection pooled = new PooledConnection(this, connection, Long.MAX_VALUE, true);
        synchronized (this) {
            if (closed || !settings.get().poolAllows(total) || !slots.tryTake()) {
                throw new IllegalStateException("pool " + name + " is full or closed: " + describe());
            }
            total++;
            state(pooled, State.LEASED);
        }
        return pooled;
    }

    // ---- return -----------------------------------------------------------------------------------

    /**
     * The session is done with the connection and it is in a known state (no statement in flight). It is
     * reset unless {@code clean} (the session sent nothing), then idles or goes to a waiting session. Call
     * on the connection's event loop.
     */
    public void release(PooledConnection c, boolean clean) {
        synchronized (this) {
            if (c.poolState != State.LEASED) {
                return;
            }
            state(c, State.RESETTING);
        }
        c.unlease();
        if (!c.isActive()) {
            discard(c, DiscardReason.STALE);
            return;
        }
        if (clean) {
            c.sessionStale(true);
            giveBack(c);
            return;
        }
        ConnectionSetUp.reset(c.connection(), options, settings.get().resetTimeout())
                .whenComplete((v, e) -> {
                    if (e != null) {
                        discard(c, resetFailure(e));
                    } else {
                        stats.reset();
                        c.sessionCurrent();
                        giveBack(c);
                    }
                });
    }

    /**
     * Transaction mode: the session is done with the connection, and what of its state is left on it is known to
     * the proxy (kept with the connection): no reset. Call on the connection's event loop.
     */
    public void giveBackAsIs(PooledConnection c) {
        if (c.poolState != State.LEASED) {
            return; // a leased connection's state changes only by its holder: no need for the monitor to see it
        }
        c.unlease();
        if (!c.isActive()) {
            discard(c, DiscardReason.STALE);
            return;
        }
        stats.returnedAsIs();
        giveBack(c); // LEASED to IDLE (or on to a waiter) in one monitor section
    }

    private void giveBack(PooledConnection c) {
        PoolWaiters.Waiter elsewhere = null;
        PoolWaiters.Waiter waiter = null;
        boolean shutdown = false;
        boolean giveWay = false;
        boolean rebalance = false;
        boolean othersWaiting = slots.othersWaiting(this);
        long now = System.nanoTime();
        synchronized (this) {
            if (closed) {
                forget(c);
                shutdown = true;
            } else {
                waiter = balance.waiterFor(c.loop());
                if (waiter == null && othersWaiting) {
                    forget(c);
                    giveWay = true;
                } else if (waiter == null) {
                    c.markIdle(now);
                    state(c, State.IDLE);
                    idle.add(c);
                    elsewhere = balance.waiterElsewhere();
                } else if (waiter.loop == c.loop()) {
                    state(c, State.LEASED);
                } else {
                    state(c, State.CLOSED);
                    rebalance = true; // a new one for the waiter's loop takes its place in total
                }
            }
        }
        if (elsewhere != null) {
            balance.checkLater(elsewhere); // a client of another loop waits while this one idles
        }
        if (shutdown || giveWay) {
            stats.discarded(shutdown ? DiscardReason.SHUTDOWN : DiscardReason.GAVE_WAY);
            c.close();
            slots.give(this);
        } else if (rebalance) {
            stats.discarded(DiscardReason.REBALANCED);
            c.close();
            waiter.served();
            open(waiter.loop, waiter.future);
        } else if (waiter != null) {
            waiter.served();
            handOut(c, waiter.loop, waiter.future);
        }
    }

    /**
     * The connection must not be used again (its session ended mid-statement, it failed, ...): closed, and
     * its place goes to a waiting session.
     */
    public void discard(PooledConnection c, DiscardReason reason) {
        synchronized (this) {
            State s = c.poolState;
            if (s == null || s == State.CLOSED) {
                return;
            }
            if (s == State.IDLE) {
                idle.remove(c); // only idle connections are in it
            }
            forget(c);
        }
        stats.discarded(reason);
        c.close();
        slots.give(this);
    }

    /**
     * Sets a connection's state (under the monitor), keeping the counts: open connections with a state, leased ones,
     * and those per event loop that transaction mode's hand-out looks at.
     */
    private void state(PooledConnection c, State next) {
        State before = c.poolState;
        c.poolState = next;
        if (before == State.LEASED) {
            leased--;
        }
        if (next == State.LEASED) {
            leased++;
        }
        boolean wasOpen = before != null && before != State.CLOSED;
        boolean isOpen = next != State.CLOSED;
        if (wasOpen != isOpen) {
            withState += isOpen ? 1 : -1;
            if (isOpen) {
                balance.opened(c.loop());
            } else {
                balance.closed(c.loop());
            }
        }
    }

    /** Under the monitor; the caller gives the server slot back outside it. */
    private void forget(PooledConnection c) {
        state(c, State.CLOSED);
        total--;
    }

    private void onClosed(PooledConnection c) {
        boolean wasIdle;
        synchronized (this) {
            wasIdle = c.poolState == State.IDLE;
            if (wasIdle) {
                idle.remove(c);
                forget(c);
            }
        }
        if (wasIdle) {
            stats.discarded(DiscardReason.STALE);
            slots.give(this);
        }
    }

    /** A slot may be free: opens a connection for the first waiter, if any; true when one was served. */
    boolean serveWaiters() {
        PoolWaiters.Waiter waiter;
        synchronized (this) {
            if (closed || waiters.isEmpty() || !settings.get().poolAllows(total) || !slots.tryTake()) {
                return false;
            }
            waiter = waiters.next();
            if (waiter == null) {
                slots.untake();
                return false;
            }
            total++;
        }
        waiter.served();
        open(waiter.loop, waiter.future);
        return true;
    }

    /**
     * Clients waiting for a connection of this pool now. Without the monitor (a volatile read): giving a connection
     * back asks every other pool of the server; the admin interface shows it.
     */
    public int waitingCount() {
        return waiters.size();
    }

    /** Closes up to {@code max} idle connections, the longest idle first, to make room on the server. */
    int yieldIdle(int max) {
        List<PooledConnection> gone = new ArrayList<>();
        synchronized (this) {
            while (gone.size() < max && !idle.isEmpty()) {
                PooledConnection c = idle.takeOldest();
                forget(c);
                gone.add(c);
            }
        }
        for (PooledConnection c : gone) {
            stats.discarded(DiscardReason.GAVE_WAY);
            c.close();
            slots.give(this);
        }
        return gone.size();
    }

    // ---- maintenance ------------------------------------------------------------------------------

    /** Closes idle connections past their time and opens some up to min-idle; run periodically. */
    public void maintain() {
        List<PooledConnection> evicted;
        int toOpen = 0;
        synchronized (this) {
            if (closed) {
                return;
            }
            evicted = evictUnusable(System.nanoTime());
            // connections being opened are counted in total but have no state entry yet
            int opening = total - withState;
            if (health == null || !health.isDown()) {
                while (idle.size() + opening + toOpen < settings.get().minIdle()
                        && settings.get().poolAllows(total)
                        && slots.tryTake()) {
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

    /**
     * Retires the pool once it has had no connection and no waiting client for {@code grace} (counted from the
     * first call that found it so): the caller removes it from its map; a session that still holds it is sent
     * to the {@link #successor}.
     */
    synchronized boolean retireIfEmpty(long now, long graceNanos) {
        if (closed || total > 0 || !waiters.isEmpty()) {
            emptySince = 0;
            return false;
        }
        if (emptySince == 0) {
            emptySince = now;
        }
        if (now - emptySince < graceNanos) {
            return false;
        }
        closed = true;
        retired = true;
        slots.unregister(this);
        return true;
    }

    /** Retired (removed from its pool map: idle and unused): a lease goes to the pool that replaced it. */
    public boolean isRetired() {
        return retired;
    }

    /** total/leased/idle/waiting, and the server's numbers, for messages. */
    public synchronized String describe() {
        int limit = slots.limit();
        return "max-size "
                + (settings.get().maxSize() == 0 ? "none" : settings.get().maxSize()) + ", open " + total + ", leased "
                + leased + ", idle " + idle.size() + ", waiting " + waiters.size() + "; server connections "
                + slots.open() + " of " + (limit == Integer.MAX_VALUE ? "(limit not known yet)" : limit);
    }

    public synchronized int leasedCount() {
        return leased;
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
        List<PoolWaiters.Waiter> toFail;
        synchronized (this) {
            closed = true;
            toClose = idle.drain();
            for (PooledConnection c : toClose) {
                forget(c);
            }
            toFail = waiters.drain();
        }
        slots.unregister(this);
        for (PooledConnection c : toClose) {
            stats.discarded(DiscardReason.SHUTDOWN);
            c.close();
            slots.untake();
        }
        for (PoolWaiters.Waiter w : toFail) {
            w.served();
            w.future.completeExceptionally(closedException());
        }
    }
}
