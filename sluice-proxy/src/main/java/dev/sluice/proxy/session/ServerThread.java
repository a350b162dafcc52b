package dev.sluice.proxy.session;

/**
 * The server thread behind a session, as KILLs from other sessions see it. A KILL holds the thread until the
 * server has answered it; a session giving its connection back while a KILL for it may still be on its way
 * discards the connection instead of returning it to the pool, so the KILL can never reach a connection leased by
 * another client since (server thread ids are never reused). Shared between event loops: synchronized.
 */
final class ServerThread {
    private long id = -1;
    private int kills;

    synchronized void leased(long threadId) {
        id = threadId;
    }

    /** For a KILL from another session: the thread id, held until {@link #release()}; -1 while there is none. */
    synchronized long hold() {
        if (id < 0) {
            return -1;
        }
        kills++;
        return id;
    }

    /** The KILL was answered by the server. */
    synchronized void release() {
        kills--;
    }

    /** The session gives its connection up: true when a KILL may still reach it (then it must be discarded). */
    synchronized boolean returned() {
        id = -1;
        return kills > 0;
    }
}
