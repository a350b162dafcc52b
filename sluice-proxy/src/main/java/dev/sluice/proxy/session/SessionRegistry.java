package dev.sluice.proxy.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sluice's connection ids and the live sessions behind them. The id a client sees in its greeting (and in
 * the logs, and from {@code CONNECTION_ID()}) is allocated here at accept; KILL statements name it and are mapped
 * through here to the server thread of that session.
 *
 * <p>Ids fit the greeting's 4 bytes and stay positive as a signed 32-bit number (MariaDB Connector/J reads the
 * greeting's id as one, and cancels with {@code KILL QUERY <that number>}): bit 30 set (so they stay clear of
 * server thread ids, which count up from 1 and reach 2^30 only after a billion connections to one server since
 * its start), then the 8 bits of {@code instance-id} (so several Sluice instances in front of the same servers
 * never issue the same id), then a 22-bit counter that wraps and skips ids still in use.
 */
public final class SessionRegistry {
    static final long SLUICE_RANGE = 0x4000_0000L;
    static final int MAX_INSTANCE_ID = 255;
    private static final int COUNTER_BITS = 22;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

    private final long prefix;
    private final AtomicLong next = new AtomicLong(1);
    private final ConcurrentHashMap<Long, ClientSession> sessions = new ConcurrentHashMap<>();

    public SessionRegistry() {
        this(0);
    }

    public SessionRegistry(int instanceId) {
        if (instanceId < 0 || instanceId > MAX_INSTANCE_ID) {
            throw new IllegalArgumentException("instance-id: " + instanceId + " (expected 0.." + MAX_INSTANCE_ID + ")");
        }
        this.prefix = SLUICE_RANGE | ((long) instanceId << COUNTER_BITS);
    }

    /** A fresh connection id, not held by a live session. */
    public long allocateId() {
        for (; ; ) {
            long counter = next.getAndIncrement() & COUNTER_MASK;
            if (counter != 0 && !sessions.containsKey(prefix | counter)) {
                return prefix | counter;
            }
        }
    }

    /** Whether {@code id} can be one Sluice issued (of any instance); anything else is a server's thread id. */
    static boolean isSluiceId(long id) {
        return id >= SLUICE_RANGE && id <= 0x7FFF_FFFFL;
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
