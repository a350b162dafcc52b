package dev.sluice.proxy.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sluice's connection ids and the live sessions behind them. The id a client sees in its greeting (and in
 * the logs) is allocated here at accept; KILL statements name it and are mapped through here to the server
 * thread of that session.
 */
public final class SessionRegistry {
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, ClientSession> sessions = new ConcurrentHashMap<>();

    /** A fresh connection id (32-bit, as the greeting carries it; wraps past 2^32-1 back to 1). */
    public long allocateId() {
        long id = nextId.getAndIncrement() & 0xFFFF_FFFFL;
        return id == 0 ? allocateId() : id;
    }

    void register(ClientSession session) {
        sessions.put(session.id(), session);
    }

    void unregister(ClientSession session) {
        sessions.remove(session.id(), session);
    }

    public ClientSession find(long id) {
        return sessions.get(id);
    }

    public int size() {
        return sessions.size();
    }

    public Collection<ClientSession> all() {
        return sessions.values();
    }
}
