package dev.sluice.backend.pool;

import dev.sluice.backend.ServerConnection;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.EventLoop;

/**
 * A server connection owned by a {@link ServerPool}: idle in it, being reset, or leased to one client session,
 * which relays on the detached channel ({@link #lease()}) and gives it back with {@link ServerPool#release}
 * or {@link ServerPool#discard}.
 */
public final class PooledConnection {
    private final ServerPool pool;
    private final ServerConnection connection;
    private final long createdNanos = System.nanoTime();
    /** Idle longer than this and the server may close it (from its wait_timeout); retired before that. */
    private final long maxIdleNanos;

    private long idleSinceNanos;
    private ServerConnection.Detached leased;
    private long leases;
    private Object state;
    /** The server's session trackers are on (asked for in transaction mode, and not refused). */
    private final boolean tracked;
    /** True when the session state may be older than the server's global values: reset before the next lease. */
    private volatile boolean sessionStale;
    /**
     * What a lease holder keeps with this server session for the next one (the proxy: the statements prepared on it).
     * Dropped when the session is reset or opened ({@link #sessionCurrent()}): COM_RESET_CONNECTION ends on the
     * server whatever it described.
     */
    private Object attachment;
    /**
     * Where it is in the pool (set under the pool's monitor); volatile so that its holder may check, without the
     * monitor, that it still holds it: a leased connection's state changes only by its holder.
     */
    volatile ServerPool.State poolState;
    /** Why it was evicted (set under the pool's monitor, read when it is closed). */
    PoolStats.DiscardReason discardReason;

    PooledConnection(ServerPool pool, ServerConnection connection, long maxIdleNanos, boolean tracked) {
        this.tracked = tracked;
        this.pool = pool;
        this.connection = connection;
        this.maxIdleNanos = maxIdleNanos;
        this.idleSinceNanos = createdNanos;
    }

    /**
     * True when the connection sat idle so long that the server may be closing it right now (its wait_timeout
     * nearly reached): checked again just before the first write of a lease, since a busy event loop can take
     * a while between the lease and that write.
     */
    public boolean tooIdleToUse() {
        return tooIdleToUse(System.nanoTime());
    }

    boolean tooIdleToUse(long now) {
        return now - idleSinceNanos > maxIdleNanos;
    }

    public ServerPool pool() {
        return pool;
    }

    ServerConnection connection() {
        return connection;
    }

    EventLoop loop() {
        return connection.channel().eventLoop();
    }

    boolean isActive() {
        return connection.channel().isActive();
    }

    /** False once the server closed it: it may close between being handed out and being leased. */
    public boolean isOpen() {
        return connection.isOpen();
    }

    long ageNanos(long now) {
        return now - createdNanos;
    }

    long idleNanos(long now) {
        return now - idleSinceNanos;
    }

    long maxIdleNanos() {
        return maxIdleNanos;
    }

    void markIdle(long now) {
        idleSinceNanos = now;
        sessionStale = true; // a SET GLOBAL while it idles is not seen by its session
    }

    boolean sessionStale() {
        return sessionStale;
    }

    void sessionStale(boolean stale) {
        sessionStale = stale;
    }

    /** Just opened or reset: its session variables are the server's current global values. */
    void sessionCurrent() {
        sessionStale = false;
        state = null;
        attachment = null;
    }

    /**
     * What the proxy knows of the session state on this connection (transaction mode); null while it is the pool's
     * own (as opened, or after a reset). On the connection's event loop.
     */
    public Object state() {
        return state;
    }

    public void state(Object state) {
        this.state = state;
    }

    /** What the lease holders keep with this connection (see the field); null when nothing, or after a reset. */
    public Object attachment() {
        return attachment;
    }

    /** Keeps {@code value} with the connection for the next lease holder, until the next reset. */
    public void attach(Object value) {
        attachment = value;
    }

    /** The server thread id behind this connection (what KILL takes). */
    public long serverThreadId() {
        return connection.connectionId();
    }

    /** Whether the server's session trackers are on: without them, a session's state cannot follow it. */
    public boolean tracked() {
        return tracked;
    }

    /** How many times it was leased (see {@link ServerPool#reclaim}); read on its event loop. */
    public long leases() {
        return leases;
    }

    /** Detaches the channel for relaying, its inbound events going to {@code tenant}; on its event loop. */
    public ServerConnection.Detached lease(ChannelInboundHandler tenant) {
        if (leased == null) {
            leases++;
            leased = connection.detach(tenant);
        } else {
            connection.tenant(tenant);
        }
        return leased;
    }

    /** While leased: the tenant leaves (its events pass on down the pipeline until the pool takes it back). */
    public void vacate() {
        if (leased != null) {
            connection.tenant(null);
        }
    }

    boolean isLeased() {
        return leased != null;
    }

    /** Gives the channel back to the command handler (for the reset); on its event loop. */
    void unlease() {
        if (leased != null) {
            connection.reattach();
            leased = null;
        }
    }

    void close() {
        connection.channel().close();
    }

    @Override
    public String toString() {
        return "PooledConnection[" + pool.name() + ", thread " + serverThreadId() + "]";
    }
}
