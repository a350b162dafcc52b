package dev.sluice.proxy.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What operators set per server on the admin interface ({@code SET SERVER name OFFLINE SOFT|OFFLINE HARD|ONLINE}):
 * a server that is not {@link State#ONLINE} gets no new leases (readers skip it, a lease of it is refused); sessions
 * that hold a connection to it go on (soft) or were ended when it was set (hard, done by the admin interface). Every
 * server starts online; the states live as long as the process. Thread-safe.
 */
public final class AdminStates {
    /** A server's admin state, as SHOW SERVERS prints it. */
    public enum State {
        ONLINE,
        OFFLINE_SOFT,
        OFFLINE_HARD
    }

    private final Map<String, State> offline = new ConcurrentHashMap<>();

    public State state(String server) {
        return offline.getOrDefault(server, State.ONLINE);
    }

    /** Whether a new lease of {@code server} may be made: it is online. */
    public boolean takesLeases(String server) {
        return offline.isEmpty() || !offline.containsKey(server);
    }

    public void set(String server, State state) {
        if (state == State.ONLINE) {
            offline.remove(server);
        } else {
            offline.put(server, state);
        }
    }
}
